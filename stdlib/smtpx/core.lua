--- smtpx.core: the Lua half of the session object, loaded by the engine at start.
-- The C++ half gives session:send, :send_data, :next_reply, :close, :half_close, :log,
-- :set_timeout, :info and smtp.connect, smtp.sleep, smtp.match, smtp.describe, smtp.raise.
-- This file adds session:expect (Expect-style branches) and session:on (expect_before).

local Session = smtp.Session
local match, describe, raise = smtp.match, smtp.describe, smtp.raise

-- Is `spec` the branch form: { {250, fn}, {"5xx", fn}, timeout = fn, eof = fn }?
local function is_branch_table(spec)
  if type(spec) ~= "table" then return false end
  if spec.timeout ~= nil or spec.eof ~= nil or spec.protocol ~= nil then return true end
  return type(spec[1]) == "table"
end

-- Splits one branch {spec..., fn} into its spec (without the function) and the function.
local function split_branch(branch)
  if type(branch) ~= "table" then return branch, nil end
  local fn = branch[#branch]
  if type(fn) ~= "function" then return branch, nil end
  if #branch == 2 then return branch[1], fn end
  local spec = table.move(branch, 1, #branch - 1, 1, {})
  spec.code, spec.re = branch.code, branch.re
  return spec, fn
end

local function branches_of(spec)
  if not is_branch_table(spec) then return { { spec = spec } } end
  local list = {}
  for i, branch in ipairs(spec) do
    local s, fn = split_branch(branch)
    list[i] = { spec = s, fn = fn }
  end
  return list
end

local function describe_all(branches)
  local parts = {}
  for i, b in ipairs(branches) do parts[i] = describe(b.spec) end
  return table.concat(parts, " or ")
end

local function quote_reply(reply)
  return table.concat(reply.lines, " | ")
end

-- Runs `fn` for a branch or handler; its results become expect's results, else the reply.
local function take(fn, reply, session)
  if not fn then return reply end
  return fn(reply, session)
end

local function first_match(list, reply)
  for _, entry in ipairs(list) do
    local captures = match(reply, entry.spec)
    if captures then
      reply.captures = captures
      return entry
    end
  end
end

-- Session-wide handlers live in a weak-keyed table so a collected session takes its own along.
local handlers_by_session = setmetatable({}, { __mode = "k" })

local function handlers_of(session)
  local h = handlers_by_session[session]
  if not h then
    h = { list = {} }
    handlers_by_session[session] = h
  end
  return h
end

-- What expect sees for a session without handlers; never written to.
local no_handlers = { list = {} }

--- Waits for the next whole reply and matches it.
-- spec: 250 | "2xx" | {250, 251} | "regex" | {250, "regex"} | branch table
-- opts.timeout: seconds for this reply (default: the session's timeout)
-- Returns the reply {code, enhanced, lines, texts, text, captures, elapsed}, or what the
-- matching branch function returns. Raises an error naming the script line otherwise.
function Session:expect(spec, opts)
  local reply, kind, message = self:next_reply(opts and opts.timeout)
  local handlers = handlers_by_session[self] or no_handlers
  if reply and handlers == no_handlers and not is_branch_table(spec) then
    -- The common case, a plain spec and no handlers, without building the branch list.
    local captures = match(reply, spec)
    if captures then
      reply.captures = captures
      return reply
    end
  end
  local branches = branches_of(spec)
  if not reply then
    local fn = is_branch_table(spec) and spec[kind] or handlers[kind]
    if fn then return fn(nil, self, message) end
    raise(kind, string.format("expected %s, but %s", describe_all(branches), message),
      { expected = describe_all(branches) })
  end
  local handler = first_match(handlers.list, reply)
  if handler then return take(handler.fn, reply, self) end
  local branch = first_match(branches, reply)
  if branch then return take(branch.fn, reply, self) end
  raise("expect", string.format("expected %s, but the server said: %s", describe_all(branches), quote_reply(reply)),
    { expected = describe_all(branches), code = reply.code, enhanced = reply.enhanced, reply = reply })
end

--- Adds a session-wide handler, checked before every expect's own branches (Expect's
-- expect_before). `what` is a reply spec, or "eof" / "timeout" / "protocol".
-- fn(reply, session, message) runs instead of the expect's match; its results are returned.
function Session:on(what, fn)
  local h = handlers_of(self)
  if what == "eof" or what == "timeout" or what == "protocol" then
    h[what] = fn
  else
    table.insert(h.list, { spec = what, fn = fn })
  end
  return self
end

--- Sends a command line and expects a reply in one step.
function Session:command(line, spec, opts)
  self:send(line, opts)
  return self:expect(spec or "2xx", opts)
end

return true
