--- send_multi_rcpt: send one message to many recipients, going on past refused ones, and report each recipient.
--
-- MAIL, then RCPT for every recipient; a refused recipient (4xx/5xx) is noted and the others
-- still get the message. DATA is sent only when at least one recipient was accepted. One line
-- per recipient goes to stdout: "accepted|refused ADDRESS CODE ENHANCED TEXT".
--
-- Options (--set KEY=VALUE):
--   server        HOST[:PORT] to talk to (or --server; default port 25)
--   helo          name sent with EHLO (default: localhost)
--   from          envelope sender and From: (default: smtpx@<helo>)
--   to            recipients, comma-separated (required); all are in To:
--   subject       Subject: (default: "smtpx multi-recipient test")
--   body          body text (default: a line naming smtpx)
--   pipelining    1: send MAIL, every RCPT and DATA in one write when the server offers it
--   notify        DSN NOTIFY for every recipient (e.g. SUCCESS,FAILURE)
--   user          AUTH user name (AUTH with the strongest mechanism offered when set)
--   password      AUTH password (or SMTPX_PASSWORD, or a prompt on a terminal)
--
-- Exit codes: 0 all recipients accepted; 29 some refused (partial delivery); 25 none accepted
-- (nothing sent); 20-28 by the phase that failed (README.md).

local client = require "smtpx.client"
local message = require "smtpx.message"
local cli = require "smtpx.cli"

local p = params
local helo = p.helo or "localhost"
local from = p.from or ("smtpx@" .. helo)
local to = cli.list(cli.required(p, "to", "the recipients: --set to=ADDRESS,ADDRESS,..."))
local password = p.user and cli.password(p, p.user)

local c = client.open(cli.server(p), { helo = helo })
c:greeting()
c:ehlo()
if p.user then c:auth { user = p.user, password = password } end

local result = cli.deliver(c, {
  from = from,
  to = to,
  pipelining = cli.flag(p.pipelining, false, "pipelining"),
  rcpt = { notify = p.notify },
  message = message.build {
    from = from, to = to,
    subject = p.subject or "smtpx multi-recipient test",
    body = p.body or "This message was sent by smtpx to several recipients.\n",
  },
})
c:quit()
return cli.exit_code(result)
