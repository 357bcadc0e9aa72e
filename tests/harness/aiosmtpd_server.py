#!/usr/bin/env python3
"""aiosmtpd-based SMTP server for the smtpx test harness.

Listens on loopback, accepts AUTH PLAIN/LOGIN for one user without TLS, refuses one recipient
at RCPT time and stores every accepted message, byte for byte as received (CRLF line endings,
dot-unstuffed, no added headers), in one Maildir per recipient:
    <maildir-root>/<domain>/<localpart>/new/<file>

Run with Debian's /usr/bin/python3, which has python3-aiosmtpd.
"""

import argparse
import logging
import mailbox
import os
import re
import signal
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

LOCAL_DOMAINS = {"example.com", "testbed.local"}
# Local parts become directory names: refuse anything that could climb out of the Maildir root.
SAFE_LOCAL_PART = re.compile(r"^[A-Za-z0-9_+=-][A-Za-z0-9._+=-]*$")

log = logging.getLogger("aiosmtpd-testbed")


class MaildirHandler:
    def __init__(self, root, refused):
        self.root = root
        self.refused = {r.lower() for r in refused}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local, _, domain = address.rpartition("@")
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: Recipient refused by test policy"
        if domain.lower() not in LOCAL_DOMAINS:
            return "550 5.7.1 Relay not permitted"
        if not SAFE_LOCAL_PART.match(local):
            return f"550 5.1.3 <{address}>: Bad recipient address syntax"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content  # bytes exactly as received, after dot-unstuffing
        for rcpt in envelope.rcpt_tos:
            local, _, domain = rcpt.rpartition("@")
            path = os.path.join(self.root, domain.lower(), local)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            key = mailbox.Maildir(path, create=True).add(raw)
            log.info("delivered from=<%s> to=<%s> size=%d file=%s/new/%s",
                     envelope.mail_from, rcpt, len(raw), path, key)
        return "250 2.0.0 OK: delivered"


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        log.info("AUTH %s for %r: %s", mechanism,
                 getattr(auth_data, "login", b"?"), "ok" if ok else "failed")
        # handled=False lets aiosmtpd answer a failure with its standard 535.
        return AuthResult(success=ok, handled=False)
    return authenticator


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=12527)
    ap.add_argument("--maildir-root", required=True)
    ap.add_argument("--hostname", default="aiosmtpd.testbed.local")
    ap.add_argument("--user", default="testuser")
    ap.add_argument("--password", default="testpass")
    ap.add_argument("--refuse", action="append", default=["refused@example.com"])
    args = ap.parse_args()

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(name)s[%(process)d] %(levelname)s %(message)s")
    # aiosmtpd warns that AUTH without TLS is insecure: that is the point of this test server.
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    controller = Controller(
        MaildirHandler(args.maildir_root, args.refuse),
        hostname=args.host,
        port=args.port,
        server_hostname=args.hostname,
        ident="ESMTP aiosmtpd (testbed)",
        authenticator=make_authenticator(args.user, args.password),
        auth_require_tls=False,
        data_size_limit=32 * 1024 * 1024,
    )

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    controller.start()
    log.info("listening on %s:%d, maildirs under %s", args.host, args.port, args.maildir_root)
    stop.wait()
    controller.stop()
    log.info("stopped")


if __name__ == "__main__":
    main()
