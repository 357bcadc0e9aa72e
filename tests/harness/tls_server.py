#!/usr/bin/env python3
"""A small SMTP server with STARTTLS or implicit TLS, for the TLS cases real servers will not
produce on demand: an expired, self-signed or wrongly named certificate, and a server that
injects plain text after its 220 to STARTTLS (CVE-2011-0411).

    tls_server.py --port PORT --cert server.pem --key server.key [--implicit] [--inject]
                  [--client-ca ca.pem]

It prints "listening on HOST:PORT" once it listens (--port 0: a free port the system picks).

It speaks just enough SMTP: EHLO/HELO -> 250 (offering STARTTLS while plain), STARTTLS -> 220
and the handshake, DATA -> 354, the message up to "." -> 250, QUIT -> 221, anything else -> 250.
With --client-ca it asks for a client certificate and names its subject in the EHLO reply.
One thread per connection; nothing is stored.
"""

import argparse
import socket
import ssl
import threading

HOSTNAME = "tls.testbed.local"


class Conversation:
    def __init__(self, sock, args, context):
        self.sock = sock
        self.args = args
        self.context = context
        self.reader = sock.makefile("rb")
        self.tls = args.implicit

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def start_tls(self):
        self.send("220 2.0.0 Ready to start TLS" + ("\r\n250 injected before TLS" if self.args.inject else ""))
        self.reader.close()
        self.sock = self.context.wrap_socket(self.sock, server_side=True)
        self.reader = self.sock.makefile("rb")
        self.tls = True

    def client_subject(self):
        if not self.tls:
            return ""
        cert = self.sock.getpeercert()
        if not cert:
            return " (no client certificate)"
        names = [value for rdn in cert["subject"] for key, value in rdn if key == "commonName"]
        return " (client certificate CN=%s)" % ",".join(names)

    def ehlo(self):
        lines = [HOSTNAME + " greets you" + self.client_subject(), "PIPELINING", "8BITMIME"]
        if not self.tls:
            lines.append("STARTTLS")
        for line in lines[:-1]:
            self.send("250-" + line)
        self.send("250 " + lines[-1])

    def swallow_data(self):
        while True:
            line = self.reader.readline()
            if not line or line.rstrip(b"\r\n") == b".":
                return bool(line)

    def run(self):
        self.send("220 %s ESMTP test server (%s)" % (HOSTNAME, "TLS" if self.tls else "plain"))
        while True:
            line = self.reader.readline()
            if not line:
                return
            verb = line.decode("latin-1").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.ehlo()
            elif verb == "STARTTLS" and not self.tls:
                self.start_tls()
            elif verb == "DATA":
                self.send("354 End data with <CR><LF>.<CR><LF>")
                if not self.swallow_data():
                    return
                self.send("250 2.0.0 Ok: queued")
            elif verb == "QUIT":
                self.send("221 2.0.0 Bye")
                return
            else:
                self.send("250 2.0.0 Ok")


def serve_one(conn, args, context):
    try:
        if args.implicit:
            conn = context.wrap_socket(conn, server_side=True)
        Conversation(conn, args, context).run()
    except (OSError, ssl.SSLError):
        pass  # clients that reject the certificate hang up mid-handshake: that is the point
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="0: any free port")
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--implicit", action="store_true", help="TLS from the first byte (SMTPS)")
    parser.add_argument("--inject", action="store_true", help="send a plain 250 right after the 220 to STARTTLS")
    parser.add_argument("--client-ca", help="ask for a client certificate issued by this CA")
    args = parser.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.load_verify_locations(args.client_ca)
        context.verify_mode = ssl.CERT_OPTIONAL

    listener = socket.create_server((args.host, args.port))
    # With --port 0 the system picks a free port; tests read it from this line.
    print("listening on %s:%d" % listener.getsockname()[:2], flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve_one, args=(conn, args, context), daemon=True).start()


if __name__ == "__main__":
    main()
