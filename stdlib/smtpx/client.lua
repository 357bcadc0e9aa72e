--- smtpx.client: an SMTP (and LMTP) client over the session primitives, so scripts never
-- hand-write base64, dot-stuffing or capability parsing.
--
-- Each step runs in a named phase: banner, ehlo, starttls, auth, mail, rcpt, data, dot, quit.
-- When the server refuses, times out or hangs up, the error carries `phase` (and `code`,
-- `enhanced`, `reply` when there was a reply), so the script's exit code names the step that
-- failed (20-28, docs/architecture.md). `c.phase_times[phase]` adds up the seconds each phase
-- took (the connect is in `c.phase_times.connect`).
--
-- @usage
-- local client = require "smtpx.client"
-- local c = client.open(server, { helo = "client.example" })
-- c:greeting()
-- local caps = c:ehlo()
-- if caps.auth.PLAIN then c:auth { user = "u", password = "p" } end
-- local result = c:send_message { from = "a@example.com", to = { "b@example.com" }, message = text }
-- c:quit()

local esmtp = require "smtpx.esmtp"
local sasl = require "smtpx.sasl"

local client = {}

--- The methods of a client object (client.open returns one).
local Client = {}
Client.__index = Client
client.Client = Client

--- Messages larger than this are not copied into the transcript line by line (unless a call
-- says { quiet = false }); the transcript notes their size instead.
client.TRANSCRIPT_LIMIT = 64 * 1024

--- Chunk size for BDAT, in bytes.
client.BDAT_CHUNK = 1024 * 1024

local ANY_REPLY = { "1xx", "2xx", "3xx", "4xx", "5xx" }
local SECRET = { secret = true }
-- Errors the network causes; they get the phase. A bad argument ("script") keeps its own code.
local PHASED_KINDS = { expect = true, timeout = true, eof = true, protocol = true, tls = true }

local function is_positive(reply)
  return reply.code // 100 == 2
end

local function quote_reply(reply)
  return table.concat(reply.lines, " | ")
end

-- Raises the error for a reply the step cannot go on with.
local function refuse(phase, what, reply, extra)
  local fields = { phase = phase, code = reply.code, enhanced = reply.enhanced, reply = reply }
  for k, v in pairs(extra or {}) do fields[k] = v end
  smtp.raise("expect", string.format("%s; the server said: %s", what, quote_reply(reply)), fields)
end

-- Runs fn(self, ...) as `phase`: times it and names the phase in the errors it raises.
local function in_phase(self, phase, fn, ...)
  local started = smtp.now()
  local results = table.pack(pcall(fn, self, ...))
  self.phase_times[phase] = (self.phase_times[phase] or 0) + (smtp.now() - started)
  if results[1] then return table.unpack(results, 2, results.n) end
  local err = results[2]
  if type(err) == "table" and PHASED_KINDS[err.kind] and err.phase == nil then err.phase = phase end
  error(err, 0)
end

--- Connects to a server (the "connect" phase has no exit code of its own: a failure is kind
-- "connect", exit 4).
-- @param target "host[:port]" (port 25 when absent), or {host=, port=}
-- @param opts optional: timeout (seconds per reply), connect_timeout (seconds), helo (name for
--   EHLO/HELO/LHLO, default "localhost"), tls (implicit TLS, passed on to smtp.connect)
-- @return a client object
function client.open(target, opts)
  opts = opts or {}
  if target == nil then smtp.raise("usage", "no server: use --server HOST[:PORT] or --set server=HOST[:PORT]") end
  if opts.tls and not smtp.Session.starttls then
    smtp.raise("tls", "implicit TLS needs TLS support, which this smtpx build does not have yet")
  end
  local started = smtp.now()
  local session = smtp.connect(target,
    { timeout = opts.timeout, connect_timeout = opts.connect_timeout, tls = opts.tls })
  local self = setmetatable({
    session = session,
    helo_name = esmtp.check_arg(opts.helo or "localhost", "HELO name"),
    phase_times = { connect = smtp.now() - started },
    tls = opts.tls and true or false,
  }, Client)
  return self
end

--- Waits for the next reply and returns it whatever its code (a timeout or the end of the
-- stream still raises).
function Client:read_reply()
  return self.session:expect(ANY_REPLY)
end

--- Sends one command line and returns the next reply, whatever its code.
-- @param line the command, without CRLF (CR, LF and NUL are refused)
-- @param send_opts optional, for session:send (e.g. { secret = true })
function Client:exchange(line, send_opts)
  self.session:send(line, send_opts)
  return self:read_reply()
end

local function read_greeting(self, opts)
  local reply = self:read_reply()
  self.banner = reply
  if reply.code ~= 220 then
    refuse("banner", "the server did not greet with 220 (it refuses the session)", reply)
  end
  if opts.settle then smtp.sleep(opts.settle) end
  local extra = self.session:info().queued_replies
  if extra > 0 then
    smtp.raise("protocol", string.format("the server sent %d more repl%s after its banner, before the client's "
      .. "first command (an early talker)", extra, extra == 1 and "y" or "ies"), { code = reply.code, reply = reply })
  end
  return reply
end

--- Waits for the 220 banner (phase "banner").
-- A non-220 banner (e.g. 554) raises; so does a server that sends more replies after its
-- banner before the client has said anything.
-- @param opts optional: settle (seconds to wait after the banner for such extra replies;
--   default 0: only those already received count)
-- @return the banner reply (also in c.banner)
function Client:greeting(opts)
  return in_phase(self, "banner", read_greeting, opts or {})
end

local function hello(self, verb, name, helo_fallback)
  name = esmtp.check_arg(name or self.helo_name, verb .. " name")
  self.helo_name = name
  local reply = self:exchange(verb .. " " .. name)
  if reply.code == 250 then
    self.caps = esmtp.parse_capabilities(reply)
    return self.caps
  end
  if helo_fallback and reply.code // 100 == 5 then
    self.session:log(verb .. " refused: falling back to HELO")
    local helo_reply = self:exchange("HELO " .. name)
    if helo_reply.code ~= 250 then refuse("ehlo", "HELO was refused after EHLO", helo_reply) end
    self.caps = esmtp.no_capabilities(helo_reply)
    return self.caps
  end
  refuse("ehlo", verb .. " was refused", reply)
end

--- EHLO with capability parsing (phase "ehlo"); HELO when the server answers EHLO with 5xx.
-- @param name optional: the client's name (default: the helo option of client.open)
-- @return caps (see smtpx.esmtp.parse_capabilities), also in c.caps
function Client:ehlo(name)
  return in_phase(self, "ehlo", hello, "EHLO", name, true)
end

--- LHLO for LMTP (RFC 2033; phase "ehlo"). After it, data() and bdat() read one reply per
-- accepted recipient.
function Client:lhlo(name)
  self.lmtp = true
  return in_phase(self, "ehlo", hello, "LHLO", name, false)
end

local function start_tls(self, opts)
  if not self.session.starttls then
    smtp.raise("tls", "STARTTLS needs session:starttls, which this smtpx build does not have yet")
  end
  local offered = self.caps and self.caps.starttls
  local reply = self:exchange("STARTTLS")
  if reply.code ~= 220 then
    refuse("starttls", "STARTTLS was refused" .. (offered and "" or " (the server did not offer it)"), reply)
  end
  self.session:starttls(opts)
  self.tls = true
  self.caps = nil
end

--- STARTTLS (phase "starttls"), the TLS handshake (session:starttls), then EHLO (or LHLO)
-- again, since the capabilities from before TLS no longer count (RFC 3207 section 4.2).
-- @param opts optional, passed to session:starttls (certificate checks and the like)
-- @return the new caps
function Client:starttls(opts)
  in_phase(self, "starttls", start_tls, opts)
  if self.lmtp then return self:lhlo() end
  return self:ehlo()
end

-- Decodes a 334 challenge or cancels the exchange ("*", RFC 4954 section 4) and raises.
local function cancel_auth(self, message, reply)
  self.session:send("*")
  self:read_reply()
  smtp.raise("protocol", message, { phase = "auth", code = reply.code, reply = reply })
end

local function expect_continue(self, reply, step)
  if reply.code ~= 334 then refuse("auth", step .. ": expected 334", reply) end
  return reply.texts[1] or ""
end

local function login_prompt(self, reply, expected)
  local text = expect_continue(self, reply, "AUTH LOGIN")
  local ok, got = sasl.check_login_prompt(text, expected)
  if not ok then
    cancel_auth(self, string.format("AUTH LOGIN: the server's prompt %q decodes to %s, not %q", text, got, expected),
      reply)
  end
end

-- Each runs one mechanism and returns the server's final reply.
local mechanisms = {}

function mechanisms.PLAIN(self, opts)
  local payload = sasl.plain(opts.user, opts.password, opts.authzid)
  if opts.initial_response == false then
    expect_continue(self, self:exchange("AUTH PLAIN"), "AUTH PLAIN")
    return self:exchange(payload, SECRET)
  end
  return self:exchange("AUTH PLAIN " .. payload, SECRET)
end

function mechanisms.LOGIN(self, opts)
  local user = smtp.base64_encode(opts.user)
  local reply
  if opts.initial_response then
    reply = self:exchange("AUTH LOGIN " .. user, SECRET)
  else
    login_prompt(self, self:exchange("AUTH LOGIN"), sasl.LOGIN_PROMPTS.user)
    reply = self:exchange(user, SECRET)
  end
  login_prompt(self, reply, sasl.LOGIN_PROMPTS.password)
  return self:exchange(smtp.base64_encode(opts.password), SECRET)
end

mechanisms["CRAM-MD5"] = function(self, opts)
  local reply = self:exchange("AUTH CRAM-MD5")
  local challenge = expect_continue(self, reply, "AUTH CRAM-MD5")
  local response, problem = sasl.cram_md5(opts.user, opts.password, challenge)
  if not response then cancel_auth(self, "AUTH CRAM-MD5: the challenge is " .. problem, reply) end
  return self:exchange(response, SECRET)
end

function mechanisms.XOAUTH2(self, opts)
  local reply = self:exchange("AUTH XOAUTH2 " .. sasl.xoauth2(opts.user, opts.token or opts.password), SECRET)
  if reply.code ~= 334 then return reply end
  -- The server explains the failure in a base64 JSON challenge and waits for an empty line.
  self.auth_error_details = smtp.base64_decode(reply.texts[1] or "")
  return self:exchange("")
end

local function mechanism_for(self, opts)
  local offered = self.caps and self.caps.auth or {}
  local name = opts.mechanism and opts.mechanism:upper() or sasl.choose(offered, opts)
  if not name then
    local names = {}
    for mechanism in pairs(offered) do table.insert(names, mechanism) end
    table.sort(names)
    smtp.raise("expect", string.format("the server offers no AUTH mechanism smtpx knows (it offers: %s)",
      #names > 0 and table.concat(names, " ") or "none"), { phase = "auth" })
  end
  if not mechanisms[name] then
    smtp.raise("script", string.format("unknown AUTH mechanism %q (smtpx knows CRAM-MD5, PLAIN, LOGIN, XOAUTH2)", name))
  end
  return name
end

local function authenticate(self, opts)
  esmtp.check_arg(opts.user or "", "AUTH user")
  if opts.password == nil and opts.token == nil then smtp.raise("script", "auth needs a password (or a token)") end
  esmtp.check_arg(opts.password or opts.token, "AUTH password")
  local name = mechanism_for(self, opts)
  self.session:log("AUTH " .. name .. " (credentials hidden in the transcript)")
  local reply = mechanisms[name](self, opts)
  if not is_positive(reply) then
    local what = reply.code == 535 and "authentication failed (wrong user name or password?)"
      or "authentication with " .. name .. " failed"
    if self.auth_error_details then what = what .. " (" .. self.auth_error_details .. ")" end
    refuse("auth", what, reply, { mechanism = name })
  end
  self.authenticated = name
  return reply
end

--- AUTH (phase "auth"). Every payload goes out with { secret = true }, so the transcript shows
-- "****" instead of credentials.
-- @param opts mechanism (nil: the strongest the server offers of CRAM-MD5, PLAIN, LOGIN),
--   user, password, token (XOAUTH2; default: password), authzid (PLAIN),
--   initial_response (PLAIN: default true; LOGIN: default false)
-- @return the 235 reply
function Client:auth(opts)
  return in_phase(self, "auth", authenticate, opts)
end

local function new_transaction(from)
  return { from = from, accepted = {}, refused = {}, results = {} }
end

local function start_mail(self, from, opts)
  local reply = self:exchange(esmtp.mail_command(from, opts))
  if reply.code ~= 250 then refuse("mail", string.format("the sender <%s> was refused", from), reply) end
  self.transaction = new_transaction(from)
  return reply
end

--- MAIL FROM (phase "mail"); starts a transaction (c.transaction).
-- @param from the sender address without angle brackets ("" for the null sender)
-- @param opts optional MAIL parameters: size, body, smtputf8, ret, envid, params
--   (see smtpx.esmtp.mail_command)
-- @return the 250 reply
function Client:mail(from, opts)
  return in_phase(self, "mail", start_mail, from, opts)
end

-- Files the reply to RCPT in the transaction and returns the recipient's result.
local function record_recipient(self, to, reply)
  local t = self.transaction or new_transaction(nil)
  self.transaction = t
  local result = {
    address = to,
    ok = is_positive(reply),
    temporary = reply.code // 100 == 4,
    code = reply.code,
    enhanced = reply.enhanced,
    text = reply.text,
    reply = reply,
  }
  table.insert(t.results, result)
  table.insert(result.ok and t.accepted or t.refused, to)
  return result
end

local function add_recipient(self, to, opts)
  local result = record_recipient(self, to, self:exchange(esmtp.rcpt_command(to, opts)))
  if not result.ok and not opts.soft then
    refuse("rcpt", string.format("the recipient <%s> was refused", to), result.reply)
  end
  return result
end

--- RCPT TO (phase "rcpt").
-- @param to the recipient address without angle brackets
-- @param opts optional: notify, orcpt, params (see smtpx.esmtp.rcpt_command); soft = true
--   returns a refusal as a result instead of raising
-- @return {address=, ok=, temporary=, code=, enhanced=, text=, reply=}
function Client:rcpt(to, opts)
  return in_phase(self, "rcpt", add_recipient, to, opts or {})
end

-- How many replies the message's end asks for: for LMTP one per accepted recipient. Sends tell
-- the session (opts.replies), which takes any reply beyond those asked for as a protocol error.
local function final_reply_count(self)
  local accepted = self.transaction and self.transaction.accepted or {}
  return self.lmtp and #accepted > 0 and #accepted or 1
end

-- The reply (or, for LMTP, one reply per accepted recipient) after the message's end.
local function final_reply(self)
  local accepted = self.transaction and self.transaction.accepted or {}
  if not self.lmtp or #accepted == 0 then
    local reply = self:read_reply()
    if not is_positive(reply) then refuse("dot", "the message was not accepted", reply) end
    return reply
  end
  -- RFC 2033 section 4.2: one reply per accepted recipient, in the order of the RCPTs.
  local replies, first_ok = {}, nil
  for i = 1, #accepted do
    replies[i] = self:read_reply()
    if is_positive(replies[i]) and not first_ok then first_ok = replies[i] end
  end
  self.transaction.deliveries = replies
  if not first_ok then refuse("dot", "the message was not delivered to any recipient", replies[1]) end
  return first_ok, replies
end

local function is_quiet(message, opts)
  if opts.quiet ~= nil then return opts.quiet end
  return #message > client.TRANSCRIPT_LIMIT
end

local function send_text(self, message, opts)
  local quiet = is_quiet(message, opts)
  if quiet then self.session:log(string.format("message data: %d bytes (not shown)", #message)) end
  self.session:send_data(message, { raw = opts.raw, quiet = quiet, replies = final_reply_count(self) })
  return final_reply(self)
end

local function start_data(self)
  local reply = self:exchange("DATA")
  if reply.code ~= 354 then refuse("data", "DATA was refused", reply) end
  return reply
end

--- DATA and the message (phases "data" for DATA/354 and "dot" for the final reply).
-- The message is put in CRLF form, dot-stuffed and ended with CRLF.CRLF by session:send_data.
-- @param message the message text (headers, blank line, body)
-- @param opts optional: raw = true sends the bytes exactly as given (they must end the data
--   themselves, with "\r\n.\r\n"); quiet = true/false shows or hides the lines in the
--   transcript (default: hidden above client.TRANSCRIPT_LIMIT bytes)
-- @return the final reply (for LMTP: the first positive one, and the list of all)
function Client:data(message, opts)
  opts = opts or {}
  in_phase(self, "data", start_data)
  return in_phase(self, "dot", send_text, message, opts)
end

local function send_chunk(self, chunk, last)
  self.session:send(string.format("BDAT %d%s", #chunk, last and " LAST" or ""),
    { replies = last and final_reply_count(self) or 1 })
  if #chunk > 0 then
    self.session:log(string.format("message data: %d bytes (not shown)", #chunk))
    -- The chunk's bytes ask for no reply of their own: the BDAT command's reply follows them.
    self.session:send_data(chunk, { raw = true, quiet = true, replies = 0 })
  end
  if last then return final_reply(self) end
  local reply = self:read_reply()
  if reply.code ~= 250 then refuse("data", "a BDAT chunk was refused", reply) end
  return reply
end

--- BDAT (RFC 3030 CHUNKING): the message in chunks of client.BDAT_CHUNK bytes, the last with
-- LAST (phase "data" for the chunks, "dot" for the last). No dot-stuffing: BDAT counts bytes.
-- @param message the message text; put in CRLF form and given a final CRLF unless opts.raw
-- @param opts optional: raw = true sends the bytes as they are; chunk_size
-- @return the final reply (for LMTP: the first positive one, and the list of all)
function Client:bdat(message, opts)
  opts = opts or {}
  if not opts.raw then
    message = smtp.crlf(message)
    if #message > 0 and message:sub(-2) ~= "\r\n" then message = message .. "\r\n" end
  end
  local size = opts.chunk_size or client.BDAT_CHUNK
  local pos = 1
  repeat
    local chunk = message:sub(pos, pos + size - 1)
    pos = pos + #chunk
    local last = pos > #message
    local final, replies = in_phase(self, last and "dot" or "data", send_chunk, chunk, last)
    if last then return final, replies end
  until false
end

local function simple_command(self, line)
  local reply = self:exchange(line)
  if not is_positive(reply) then refuse(nil, line .. " was refused", reply) end
  return reply
end

--- RSET: ends the transaction (c.transaction = nil).
-- @return the 250 reply
function Client:rset()
  local reply = simple_command(self, "RSET")
  self.transaction = nil
  return reply
end

--- NOOP.
-- @return the 250 reply
function Client:noop()
  return simple_command(self, "NOOP")
end

--- VRFY; returns the reply whatever its code (250/251 known, 252 cannot verify, 5xx refused).
function Client:vrfy(address)
  return self:exchange("VRFY " .. esmtp.check_arg(address, "VRFY argument"))
end

local function say_quit(self)
  self.session:send("QUIT")
  -- Half-closing tells the server nothing more comes: Exim, for one, then answers at once.
  self.session:half_close()
  local reply = self:read_reply()
  self.session:close()
  if not is_positive(reply) then refuse("quit", "QUIT was not answered with 221", reply) end
  return reply
end

--- QUIT (phase "quit"): half-closes, reads the 221 and closes.
-- @return the 221 reply
function Client:quit()
  return in_phase(self, "quit", say_quit)
end

--- Closes the connection without QUIT (e.g. in the middle of DATA).
function Client:close()
  self.session:close()
end

local function has_8bit(text)
  return text:find("[\128-\255]") ~= nil
end

--- The MAIL parameters send_message adds by itself: SIZE when the server announces a limit,
-- BODY=8BITMIME for a message with 8-bit bytes and SMTPUTF8 for non-ASCII addresses, each only
-- when the server offers it. `given` (parameters the caller set) wins over all of them.
-- @param spec the send_message table
function Client:mail_options(spec)
  local caps = self.caps or {}
  local opts = {}
  if caps.size then opts.size = #spec.message end
  if caps["8bitmime"] and has_8bit(spec.message) then opts.body = "8BITMIME" end
  if caps.smtputf8 then
    local addresses = has_8bit(spec.from or "")
    for _, to in ipairs(spec.to) do addresses = addresses or has_8bit(to) end
    opts.smtputf8 = addresses or nil
  end
  for k, v in pairs(spec.mail or {}) do opts[k] = v end
  return opts
end

local function none_accepted(self)
  local t = self.transaction
  smtp.raise("expect", string.format("none of the %d recipients was accepted", #t.results),
    { phase = "rcpt", results = t.results, code = t.results[1] and t.results[1].code })
end

-- For LMTP the reply to the message's end for each recipient RCPT accepted is its final word:
-- its result takes that reply, and a failed delivery moves it from accepted to refused.
local function apply_deliveries(t, replies)
  local delivered = {}
  for i, address in ipairs(t.accepted) do delivered[address] = replies[i] end
  t.accepted = {}
  for _, result in ipairs(t.results) do
    local reply = delivered[result.address]
    if reply then
      result.ok, result.temporary, result.phase = is_positive(reply), reply.code // 100 == 4, "dot"
      result.code, result.enhanced, result.text, result.reply = reply.code, reply.enhanced, reply.text, reply
      table.insert(result.ok and t.accepted or t.refused, result.address)
    end
  end
end

local function summary(self, queued, replies)
  local t = self.transaction
  if replies then apply_deliveries(t, replies) end
  return { accepted = t.accepted, refused = t.refused, results = t.results, queued = queued, deliveries = replies }
end

local function recipient_list(to)
  if type(to) == "string" then return { to } end
  if type(to) ~= "table" or #to == 0 then smtp.raise("script", "send_message needs at least one recipient (to)") end
  return to
end

-- RFC 2920: MAIL, every RCPT and DATA in one write, then their replies in the same order.
local function send_pipelined(self, spec, mail_opts, chunking)
  local lines = { esmtp.mail_command(spec.from, mail_opts) }
  for _, to in ipairs(spec.to) do table.insert(lines, esmtp.rcpt_command(to, spec.rcpt)) end
  if not chunking then table.insert(lines, "DATA") end
  local mail_reply = in_phase(self, "mail", function()
    self.session:send_data(table.concat(lines, "\r\n") .. "\r\n", { raw = true })
    return self:read_reply()
  end)
  self.transaction = new_transaction(spec.from)
  for _, to in ipairs(spec.to) do
    in_phase(self, "rcpt", function() record_recipient(self, to, self:read_reply()) end)
  end
  -- Through self, so a caller that wraps read_reply on its client object (a deadline) is obeyed.
  local data_reply = not chunking and in_phase(self, "data", function() return self:read_reply() end)
  local deliverable = mail_reply.code == 250 and #self.transaction.accepted > 0
  if data_reply and data_reply.code == 354 and not deliverable then
    -- RFC 2920 section 3.1: DATA was taken though nothing can be delivered: send an empty one.
    self.session:send_data("")
    self:read_reply()
  end
  if mail_reply.code ~= 250 then refuse("mail", string.format("the sender <%s> was refused", spec.from), mail_reply) end
  if not deliverable then none_accepted(self) end
  if chunking then return summary(self, self:bdat(spec.message, { raw = spec.raw })) end
  if data_reply.code ~= 354 then refuse("data", "DATA was refused", data_reply) end
  return summary(self, in_phase(self, "dot", send_text, spec.message, { raw = spec.raw, quiet = spec.quiet }))
end

local STOPS = { mail = true, rcpt = true, data = true }

--- One whole transaction: MAIL, a RCPT per recipient (going on past refused ones), then DATA
-- (or BDAT) only if at least one recipient was accepted.
-- @param spec from (sender), to (address or list), message (text), and optionally:
--   pipelining (pipeline MAIL/RCPT/DATA when the server offers PIPELINING), chunking (BDAT
--   when the server offers CHUNKING), raw (send message bytes as they are), quiet (transcript),
--   mail (MAIL parameters, e.g. {ret="HDRS", envid="x"}; SIZE, BODY and SMTPUTF8 are added
--   when the server offers them), rcpt (RCPT parameters for every recipient, e.g.
--   {notify="SUCCESS,FAILURE"}), stop_after ("mail", "rcpt" or "data": return after that step,
--   without pipelining; after "data" the server waits for the message, so close the connection)
-- @return {accepted = {addresses}, refused = {addresses}, results = {per recipient, see rcpt},
--   queued = final reply, deliveries = LMTP replies}. When no recipient was accepted it raises
--   (phase "rcpt") with the results in the error's `results`.
function Client:send_message(spec)
  spec.to = recipient_list(spec.to)
  if type(spec.message) ~= "string" then smtp.raise("script", "send_message needs the message text (message)") end
  local caps = self.caps or {}
  local mail_opts = self:mail_options(spec)
  local chunking = spec.chunking and caps.chunking
  if spec.stop_after and not STOPS[spec.stop_after] then
    smtp.raise("script", "stop_after must be mail, rcpt or data, not " .. tostring(spec.stop_after))
  end
  if spec.pipelining and caps.pipelining and not spec.stop_after then
    return send_pipelined(self, spec, mail_opts, chunking)
  end
  self:mail(spec.from, mail_opts)
  if spec.stop_after == "mail" then return summary(self) end
  local rcpt_opts = setmetatable({ soft = true }, { __index = spec.rcpt })
  for _, to in ipairs(spec.to) do self:rcpt(to, rcpt_opts) end
  if #self.transaction.accepted == 0 then none_accepted(self) end
  if spec.stop_after == "rcpt" then return summary(self) end
  if chunking then return summary(self, self:bdat(spec.message, { raw = spec.raw })) end
  if spec.stop_after == "data" then
    in_phase(self, "data", start_data)
    return summary(self)
  end
  return summary(self, self:data(spec.message, { raw = spec.raw, quiet = spec.quiet }))
end

return client
