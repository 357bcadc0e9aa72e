--- send_auth_login: authenticate with AUTH LOGIN (checking the Username:/Password: prompts) and send one message.
--
-- The dialogue: 220 banner, EHLO, STARTTLS when asked, AUTH LOGIN (the server's 334 prompts
-- VXNlcm5hbWU6 and UGFzc3dvcmQ6 are decoded and checked; user name and password go out in
-- base64 and show as **** in the transcript), MAIL, RCPT, DATA, QUIT.
--
-- Options (--set KEY=VALUE):
--   server        HOST[:PORT] to talk to (or --server; default port 25)
--   helo          name sent with EHLO (default: localhost)
--   user          user name to log in as (required)
--   password      password; better: the SMTPX_PASSWORD environment variable, or the prompt
--                 you get on a terminal, so it stays out of the shell history
--   password_env  name of the environment variable with the password (default SMTPX_PASSWORD)
--   initial       1: send the user name with AUTH LOGIN (an initial response, RFC 4954)
--   starttls      1: STARTTLS before AUTH
--   from          envelope sender and From: (default: the user name when it has an @, else
--                 smtpx@<helo>)
--   to            recipient and To: (required)
--   subject       Subject: (default: "smtpx AUTH LOGIN test")
--   body          body text (default: a line naming smtpx)
--
-- Exit codes: 0 sent; 23 AUTH failed (535: wrong user name or password); 2 bad options;
-- 20-28 by the phase that failed (README.md).

local client = require "smtpx.client"
local message = require "smtpx.message"
local cli = require "smtpx.cli"

local p = params
local helo = p.helo or "localhost"
local user = cli.required(p, "user", "the user name: --set user=NAME")
local password = cli.password(p, user)
local from = p.from or (user:find("@") and user or "smtpx@" .. helo)
local to = cli.required(p, "to", "the recipient: --set to=ADDRESS")

local c = client.open(cli.server(p), { helo = helo })
c:greeting()
c:ehlo()
if cli.flag(p.starttls, false, "starttls") then c:starttls() end
c:auth { mechanism = "LOGIN", user = user, password = password,
         initial_response = cli.flag(p.initial, false, "initial") }

cli.deliver(c, {
  from = from,
  to = { to },
  message = message.build {
    from = from, to = to,
    subject = p.subject or "smtpx AUTH LOGIN test",
    body = p.body or "This message was sent by smtpx after AUTH LOGIN.\n",
  },
})
c:quit()
return 0
