#!/usr/bin/env python3
"""A scripted SMTP/LMTP server for the stdlib tests: the misbehaviours real servers in the
harness do not show (an early talker, a 554 banner, EHLO refused, odd AUTH LOGIN prompts, LMTP
replies per recipient, an XOAUTH2 error challenge, STARTTLS with new capabilities after it).

    stdlib_fake_server.py SCENARIO PORT_FILE LOG_FILE [CERT KEY]

Listens on 127.0.0.1 (a free port, written to PORT_FILE), serves one connection, writes every
chunk it receives to LOG_FILE (one Python bytes repr per line, so a test can see what came in
one write) and exits.
"""

import base64
import os
import socket
import ssl
import sys

SCENARIOS = {"early", "banner554", "helo", "badprompt", "lmtp", "xoauth2", "plain", "starttls"}

EHLO_LINES = ["fake.test", "PIPELINING", "SIZE 100000", "8BITMIME", "AUTH LOGIN XOAUTH2", "ENHANCEDSTATUSCODES"]
# Before TLS the starttls scenario offers STARTTLS and no AUTH; after it, AUTH and no STARTTLS.
PLAIN_TEXT_LINES = ["fake.test", "PIPELINING", "STARTTLS"]
TLS_READY = "220 2.0.0 ready to start TLS\r\n"


def multiline(code, lines):
    out = [f"{code}-{line}" for line in lines[:-1]] + [f"{code} {lines[-1]}"]
    return "".join(line + "\r\n" for line in out)


class Dialogue:
    def __init__(self, scenario):
        self.scenario = scenario
        self.in_data = False
        self.accepted = 0
        self.auth_step = None
        self.tls = False

    def greeting(self):
        if self.scenario == "early":
            return "220 fake.test ESMTP\r\n250 a reply nobody asked for\r\n"
        if self.scenario == "banner554":
            return "554 5.7.1 fake.test: no SMTP service for you\r\n"
        return "220 fake.test ESMTP\r\n"

    def data_line(self, line):
        if line != ".":
            return ""
        self.in_data = False
        if self.scenario == "lmtp":
            # One reply per accepted recipient: the first delivered, the second over quota.
            replies = ["250 2.0.0 delivered", "452 4.2.2 mailbox full"]
            return "".join(replies[i % 2] + "\r\n" for i in range(self.accepted))
        return "250 2.0.0 queued\r\n"

    def auth(self, line):
        if self.auth_step == "login-user":
            self.auth_step = None
            return "501 5.7.0 cancelled\r\n" if line == "*" else "535 5.7.8 no\r\n"
        if self.auth_step == "xoauth2":
            self.auth_step = None
            return "535 5.7.8 token rejected\r\n"
        return None

    def command(self, line):
        answer = self.auth(line)
        if answer is not None:
            return answer
        verb = line.split(" ", 1)[0].upper()
        if verb == "EHLO" and self.scenario == "helo":
            return "502 5.5.2 EHLO not implemented\r\n"
        if verb in ("EHLO", "LHLO"):
            plain_text = self.scenario == "starttls" and not self.tls
            return multiline(250, PLAIN_TEXT_LINES if plain_text else EHLO_LINES)
        if verb == "STARTTLS" and self.scenario == "starttls" and not self.tls:
            self.tls = True
            return TLS_READY
        if verb == "HELO":
            return "250 fake.test\r\n"
        if verb == "AUTH" and line.upper().startswith("AUTH LOGIN"):
            self.auth_step = "login-user"
            return "334 " + base64.b64encode(b"Login:").decode() + "\r\n"
        if verb == "AUTH" and line.upper().startswith("AUTH XOAUTH2"):
            self.auth_step = "xoauth2"
            error = b'{"status":"401","schemes":"bearer","scope":"mail"}'
            return "334 " + base64.b64encode(error).decode() + "\r\n"
        if verb == "MAIL":
            self.accepted = 0
            return "250 2.1.0 ok\r\n"
        if verb == "RCPT":
            if "refused@" in line.lower():
                return "550 5.1.1 no such user\r\n"
            self.accepted += 1
            return "250 2.1.5 ok\r\n"
        if verb == "DATA":
            if self.accepted == 0:
                return "554 5.5.1 no valid recipients\r\n"
            self.in_data = True
            return "354 go ahead\r\n"
        if verb in ("RSET", "NOOP"):
            return "250 2.0.0 ok\r\n"
        if verb == "QUIT":
            return "221 2.0.0 bye\r\n"
        return "500 5.5.1 unknown command\r\n"


def serve(scenario, port_file, log_file, cert=None, key=None):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    listener.settimeout(30)
    conn, _ = listener.accept()
    conn.settimeout(30)
    dialogue = Dialogue(scenario)
    conn.sendall(dialogue.greeting().encode())
    buffer = b""
    with open(log_file, "w") as log:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            log.write(repr(chunk) + "\n")
            log.flush()
            buffer += chunk
            while b"\r\n" in buffer:
                raw, buffer = buffer.split(b"\r\n", 1)
                line = raw.decode("utf-8", "replace")
                answer = dialogue.data_line(line) if dialogue.in_data else dialogue.command(line)
                if answer:
                    conn.sendall(answer.encode())
                if answer == TLS_READY:
                    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    context.load_cert_chain(cert, key)
                    conn = context.wrap_socket(conn, server_side=True)
                    log.write("TLS started\n")
                if answer.startswith("221"):
                    conn.close()
                    return


if __name__ == "__main__":
    if len(sys.argv) not in (4, 6) or sys.argv[1] not in SCENARIOS:
        sys.exit("usage: stdlib_fake_server.py {%s} PORT_FILE LOG_FILE [CERT KEY]" % "|".join(sorted(SCENARIOS)))
    serve(*sys.argv[1:])
