--- send: send a message like swaks: envelope, headers, body, attachments, AUTH, PIPELINING, CHUNKING, quit_after.
--
-- Connects, reads the banner, EHLO (HELO if refused; LHLO with lmtp=1), STARTTLS when asked,
-- AUTH when a user is given, then MAIL, one RCPT per recipient (going on past refused ones),
-- DATA (or BDAT) if any recipient was accepted, and QUIT. Prints one line per recipient:
-- "accepted|refused ADDRESS CODE ENHANCED TEXT".
--
-- Options (--set KEY=VALUE; lists are comma-separated):
--   server        HOST[:PORT] to talk to (or --server; default port 25)
--   helo          name for EHLO/HELO/LHLO (default: localhost)
--   lmtp          1: speak LMTP (LHLO, one final reply per recipient)
--   tls           1: implicit TLS from the start (port 465)
--   starttls      1: STARTTLS after EHLO, then EHLO again
--   from          envelope sender and From: (default: smtpx@<helo>)
--   to            recipients, also in To: (required)
--   cc            recipients also shown in Cc:
--   bcc           recipients shown in no header
--   subject       Subject: (default: "smtpx test")
--   body          body text (default: a line naming smtpx)
--   body_file     body from this file; "-" reads stdin
--   html          an HTML alternative to the body (multipart/alternative)
--   html_file     the HTML alternative from this file
--   attach        files to attach (content type from the extension)
--   header.NAME   add or replace header NAME (--set header.X-Test=yes; header.NAME= removes it)
--   encoding      body transfer encoding: auto (default), 8bit, quoted-printable, base64
--   message_file  send this file as the whole message; header and body options are ignored
--   raw           1: send message_file's bytes exactly (no CRLF fix, no dot-stuffing; the file
--                 ends the data itself with CRLF.CRLF)
--   auth          AUTH mechanism: PLAIN, LOGIN, CRAM-MD5, XOAUTH2 (default: the strongest offered)
--   user          AUTH user name; AUTH is done when user is set
--   password      AUTH password (or XOAUTH2 token); better: the SMTPX_PASSWORD environment
--                 variable, or the prompt you get on a terminal
--   password_env  name of the environment variable with the password (default SMTPX_PASSWORD)
--   auth_initial  1/0: send the first AUTH payload with the command (default: PLAIN yes, LOGIN no)
--   pipelining    1: pipeline MAIL/RCPT/DATA when the server offers PIPELINING
--   chunking      1: BDAT instead of DATA when the server offers CHUNKING
--   notify        DSN NOTIFY for every recipient (NEVER, or SUCCESS,FAILURE,DELAY)
--   ret           DSN RET: FULL or HDRS
--   envid         DSN ENVID
--   quit_after    stop after this step and QUIT: connect, banner, ehlo, starttls, auth, mail,
--                 rcpt, data (closes without QUIT: the server waits for the message), dot
--
-- Exit codes: 0 every recipient accepted; 29 some refused; 20 banner, 21 ehlo, 22 starttls,
-- 23 auth (e.g. 535), 24 mail, 25 rcpt (none accepted), 26 data, 27 dot, 28 quit; 2 bad options;
-- 4 connect failed (README.md lists the rest).

local client = require "smtpx.client"
local message = require "smtpx.message"
local cli = require "smtpx.cli"

local p = params
local helo = p.helo or "localhost"
local from = p.from or ("smtpx@" .. helo)
local to = cli.list(cli.required(p, "to", "the recipients: --set to=ADDRESS[,ADDRESS...]"))
local cc, bcc = cli.list(p.cc), cli.list(p.bcc)
local stop = p.quit_after
local STEPS = { connect = 1, banner = 2, ehlo = 3, starttls = 4, auth = 5, mail = 6, rcpt = 7, data = 8, dot = 9 }
if stop and not STEPS[stop] then
  smtp.raise("usage", "quit_after must be one of connect, banner, ehlo, starttls, auth, mail, rcpt, data, dot")
end

-- Everything that can fail without the server is done before connecting.
local text
if p.message_file then
  text = message.read_file(p.message_file)
else
  local attachments = cli.list(p.attach)
  local headers = cli.headers(p)
  for _, h in ipairs(headers) do
    if h[2] == "" then h[2] = false end
  end
  text = message.build {
    from = from, to = to, cc = #cc > 0 and cc or nil,
    subject = p.subject or "smtpx test",
    body = p.body or (p.body_file == nil and "This message was sent by smtpx.\n" or nil),
    body_file = p.body_file, html = p.html, html_file = p.html_file,
    attachments = attachments, headers = headers, encoding = p.encoding,
  }
end
local user = p.user
local password = user and cli.password(p, user)

local envelope = {}
for _, list in ipairs { to, cc, bcc } do
  for _, address in ipairs(list) do table.insert(envelope, message.address_of(address)) end
end

local c = client.open(cli.server(p), { helo = helo, tls = cli.flag(p.tls, false, "tls") })
if stop == "connect" then
  c:close()
  return 0
end
local function quit_if(step)
  if stop ~= step then return false end
  c:quit()
  return true
end

c:greeting()
if quit_if("banner") then return 0 end
if cli.flag(p.lmtp, false, "lmtp") then c:lhlo(helo) else c:ehlo(helo) end
if quit_if("ehlo") then return 0 end
if cli.flag(p.starttls, false, "starttls") then c:starttls() end
if quit_if("starttls") then return 0 end
if user then
  c:auth { mechanism = p.auth, user = user, password = password,
           initial_response = cli.flag(p.auth_initial, nil, "auth_initial") }
end
if quit_if("auth") then return 0 end

local result = cli.deliver(c, {
  from = message.address_of(from), to = envelope, message = text,
  raw = cli.flag(p.raw, false, "raw"),
  pipelining = cli.flag(p.pipelining, false, "pipelining"),
  chunking = cli.flag(p.chunking, false, "chunking"),
  mail = { ret = p.ret, envid = p.envid },
  rcpt = { notify = p.notify },
  stop_after = STEPS[stop or "dot"] < STEPS.dot and stop or nil,
})
if stop == "data" then
  c:close()
  return 0
end
c:quit()
return cli.exit_code(result)
