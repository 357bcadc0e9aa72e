--- load: load-test a server, like Postfix's smtp-source but scriptable.
--
-- Opens `sessions` sessions at once, each sending `messages` messages; prints msgs/s.
--
-- Options (--set KEY=VALUE):
--   server      HOST[:PORT] to load (or --server)
--   sessions    concurrent sessions (default 10)
--   messages    messages per session (default 100)
--   size        message size in bytes, headers included (default 256)
--   reconnect   1: a new connection for every message (default 0: reuse the session)
--   pipelining  1: send MAIL, RCPT and DATA in one write (RFC 2920; the server's EHLO reply must
--               offer PIPELINING) (default 0)
--   rate        at most this many messages per second over all sessions (default: no limit)
--   from, to    envelope addresses (default load@localhost, sink@example.com)
--   greeting    EHLO (default) or HELO, which is what smtp-source sends: the same dialogue as
--               smtp-source's, for a side-by-side run (no ESMTP, so no pipelining)
--   helo        name sent with EHLO or HELO (default localhost)
--
-- Prints one summary line on stdout: messages, failures, seconds, msgs/s. While it runs, a
-- progress line (done, failed, rate) on a terminal only. Exits 0 when every message was
-- accepted, 1 otherwise; 2 for a bad option, 5 when pipelining=1 meets a server without PIPELINING.

local cli = require "smtpx.cli"
local esmtp = require "smtpx.esmtp"

local p = params

-- A whole-number option of at least `least`.
local function count_option(name, default, least)
  local value = math.tointeger(cli.number(p[name], default, name))
  if not value or value < least then
    smtp.raise("usage", string.format("%s must be a whole number of at least %d, not %s", name, least, p[name]))
  end
  return value
end

local target = cli.server(p)
local sessions = count_option("sessions", 10, 1)
local messages = count_option("messages", 100, 1)
local size = count_option("size", 256, 0)
local reconnect = cli.flag(p.reconnect, false, "reconnect")
local pipelining = cli.flag(p.pipelining, false, "pipelining")
local rate = cli.number(p.rate, nil, "rate")
if rate and not (rate > 0) then smtp.raise("usage", "rate must be more than 0 messages a second, not " .. p.rate) end
local from = p.from or "load@localhost"
local to = p.to or "sink@example.com"
local helo = p.helo or "localhost"
local greeting = (p.greeting or "EHLO"):upper()
if greeting ~= "EHLO" and greeting ~= "HELO" then
  smtp.raise("usage", "greeting must be EHLO or HELO, not " .. p.greeting)
end
if pipelining and greeting == "HELO" then
  smtp.raise("usage", "pipelining=1 needs greeting=EHLO: PIPELINING is an ESMTP extension")
end

local function build_message()
  local head = table.concat({ "From: " .. from, "To: " .. to, "Subject: smtpx load", "", "" }, "\r\n")
  local filler = math.max(0, size - #head - 2)
  local line = string.rep("x", 76) .. "\r\n"
  local body = string.rep(line, filler // #line) .. string.rep("y", filler % #line)
  return head .. body .. "\r\n"
end
local message = smtp.encode_data(build_message())

local stats = { done = 0, failed = 0, started = smtp.now() }
local next_slot = smtp.now()

local function wait_for_rate()
  if not rate then return end
  local now = smtp.now()
  next_slot = math.max(next_slot, now) + 1 / rate
  if next_slot - 1 / rate > now then smtp.sleep(next_slot - 1 / rate - now) end
end

local function open()
  local s = smtp.connect(target)
  s:expect(220)
  s:send(greeting .. " " .. helo)
  local reply = s:expect("2xx")
  if pipelining and not esmtp.parse_capabilities(reply).pipelining then
    smtp.raise("expect", "pipelining=1, but the server's EHLO reply does not offer PIPELINING")
  end
  return s
end

-- Reads one reply: true when it matches `spec`, else false and what came instead (and true
-- when the session is gone). A refusal raises no error, so a refused message costs no more
-- than an accepted one.
local function reply_is(s, spec)
  local reply, kind, message = s:next_reply()
  if not reply then return false, kind .. ": " .. message, true end
  if smtp.match(reply, spec) then return true end
  return false, table.concat(reply.lines, " | ")
end

local envelope = { { "MAIL FROM:<" .. from .. ">", 250 }, { "RCPT TO:<" .. to .. ">", { 250, 251 } }, { "DATA", 354 } }
local pipelined_envelope = envelope[1][1] .. "\r\n" .. envelope[2][1] .. "\r\n" .. envelope[3][1] .. "\r\n"

-- The envelope's replies, all read (so a refusal leaves none unread for the next message).
local function envelope_replies(s)
  local ok, why, gone = true, nil, false
  for _, step in ipairs(envelope) do
    if not pipelining then s:send(step[1]) end
    local step_ok, step_why, step_gone = reply_is(s, step[2])
    if not step_ok then ok, why, gone = false, why or step_why, step_gone end
    if gone or (not ok and not pipelining) then break end
  end
  return ok, why, gone
end

-- One message; true, or false, why, and whether the session is gone.
local function transaction(s)
  if pipelining then s:send(pipelined_envelope, { raw = true }) end
  local ok, why, gone = envelope_replies(s)
  if ok then
    s:send_data(message, { raw = true, quiet = true })
    ok, why, gone = reply_is(s, 250)
  elseif not gone then
    s:send("RSET")
    gone = select(3, reply_is(s, 250))
  end
  return ok, why, gone
end

local function quit(s, gone)
  if gone then return s:close() end
  s:send("QUIT")
  s:half_close()
  s:expect { { 221, function() end }, eof = function() end }
  s:close()
end

local function show_progress()
  if not smtp.interactive then return end
  local elapsed = smtp.now() - stats.started
  io.stderr:write(string.format("\r%d done, %d failed, %.0f msgs/s ", stats.done, stats.failed,
    stats.done / math.max(elapsed, 1e-9)))
end

local function count(s, ok, why)
  if ok then stats.done = stats.done + 1 else
    stats.failed = stats.failed + 1
    s:log("message failed: " .. why)
  end
  if (stats.done + stats.failed) % 100 == 0 then show_progress() end
end

local function worker()
  local s = not reconnect and open() or nil
  for sent = 1, messages do
    wait_for_rate()
    if reconnect then s = open() end
    local ok, why, gone = transaction(s)
    count(s, ok, why)
    if gone and not reconnect then
      -- The rest of this session's messages cannot be sent: they count as failed.
      stats.failed = stats.failed + messages - sent
      return s:close()
    end
    if reconnect then quit(s, gone) end
  end
  if not reconnect then quit(s) end
end

local tasks = {}
for i = 1, sessions do tasks[i] = smtp.spawn(worker) end
for _, task in ipairs(tasks) do smtp.join(task) end

local elapsed = smtp.now() - stats.started
if smtp.interactive then io.stderr:write("\n") end
print(string.format("messages=%d failed=%d seconds=%.3f msgs_per_s=%.1f", stats.done, stats.failed,
  elapsed, stats.done / elapsed))
return stats.failed == 0 and 0 or 1
