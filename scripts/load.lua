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
--   pipelining  1: send MAIL, RCPT and DATA in one write (RFC 2920) (default 0)
--   rate        at most this many messages per second over all sessions (default: no limit)
--   from, to    envelope addresses (default load@localhost, sink@example.com)
--   helo        EHLO name (default localhost)
--
-- Prints one summary line on stdout: messages, failures, seconds, msgs/s. While it runs, a
-- progress line (done, failed, rate) on a terminal only. Exits 0 when every message was
-- accepted, 1 otherwise.

local p = params
local target = p.server or server or error("no server: use --server HOST[:PORT]")
local sessions = tonumber(p.sessions or 10)
local messages = tonumber(p.messages or 100)
local size = tonumber(p.size or 256)
local reconnect = p.reconnect == "1"
local pipelining = p.pipelining == "1"
local rate = p.rate and tonumber(p.rate)
local from = p.from or "load@localhost"
local to = p.to or "sink@example.com"
local helo = p.helo or "localhost"

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
  s:send("EHLO " .. helo)
  s:expect("2xx")
  return s
end

local function transaction(s)
  if pipelining then
    s:send("MAIL FROM:<" .. from .. ">\r\nRCPT TO:<" .. to .. ">\r\nDATA\r\n", { raw = true })
    s:expect(250); s:expect({ 250, 251 }); s:expect(354)
  else
    s:send("MAIL FROM:<" .. from .. ">"); s:expect(250)
    s:send("RCPT TO:<" .. to .. ">"); s:expect({ 250, 251 })
    s:send("DATA"); s:expect(354)
  end
  s:send_data(message, { raw = true, quiet = true })
  s:expect(250)
end

local function quit(s)
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

local function worker()
  local s = not reconnect and open() or nil
  for _ = 1, messages do
    wait_for_rate()
    if reconnect then s = open() end
    local ok, err = pcall(transaction, s)
    if ok then stats.done = stats.done + 1 else
      stats.failed = stats.failed + 1
      s:log("message failed: " .. tostring(err))
    end
    if reconnect then quit(s) end
    if (stats.done + stats.failed) % 100 == 0 then show_progress() end
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
