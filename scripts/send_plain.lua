--- send_plain: send one message with the classic telnet dialogue, written with the raw primitives.
--
-- The dialogue: wait for 220, EHLO (HELO if the server answers 5xx), MAIL FROM, RCPT TO, DATA,
-- 354, headers and body (dot-stuffed by send_data), ".", 250, QUIT.
-- No library on purpose: read it to see each step, or start a script of your own from it. The
-- same send with the standard library (AUTH, many recipients, attachments, ...) is `send`.
--
-- Options (--set KEY=VALUE):
--   server    HOST[:PORT] to talk to (or --server; default port 25)
--   from      envelope sender and From: header (default: smtpx@<helo>)
--   to        recipient and To: header (required)
--   subject   Subject: header (default: "smtpx test")
--   body      message body (default: a line naming smtpx)
--   helo      name sent with EHLO/HELO (default: localhost)
--
-- Exit codes: see README.md (4 connect, 5 unexpected reply, 6 timeout, 7 connection closed).

local p = params
local helo = p.helo or "localhost"
local from = p.from or ("smtpx@" .. helo)
local to = assert(p.to, "set the recipient: --set to=ADDRESS")
local target = p.server or server or error("no server: use --server HOST[:PORT]")

local s = smtp.connect(target)
s:expect(220)

s:send("EHLO " .. helo)
s:expect {
  { "2xx", function() end },
  { "5xx", function()
      s:send("HELO " .. helo)
      s:expect(250)
    end },
}

s:send("MAIL FROM:<" .. from .. ">")
s:expect(250)
s:send("RCPT TO:<" .. to .. ">")
s:expect({ 250, 251 })
s:send("DATA")
s:expect(354)

local message_id = string.format("<%d.%d@%s>", os.time(), math.random(1, 1 << 30), helo)
local message = table.concat({
  "From: " .. from,
  "To: " .. to,
  "Subject: " .. (p.subject or "smtpx test"),
  "Date: " .. os.date("!%a, %d %b %Y %H:%M:%S +0000"),
  "Message-ID: " .. message_id,
  "",
  p.body or "This message was sent by smtpx.",
}, "\r\n")
s:send_data(message)
s:expect(250)

s:send("QUIT")
s:half_close()
s:expect(221)
s:close()
return 0
