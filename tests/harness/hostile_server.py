#!/usr/bin/env python3
"""A scripted misbehaving SMTP server for smtpx's hostile-server tests (tests/integration/hostile_*).

One process serves every scenario at once, each on its own loopback port (chosen by the kernel,
so parallel tests never collide). When all of them listen it writes a shell-sourceable file:

    HOSTILE_PORT_SILENT=41235
    HOSTILE_PORT_STALL_MID_REPLY=41236
    ...

and serves until SIGTERM, or --lifetime seconds at most (a test killed before its EXIT trap ran
leaves no server behind for long). `--list` prints the scenarios with what each does.

Where a scenario misbehaves only at some point of a transaction, it speaks enough honest SMTP
before that (EHLO/HELO 250, MAIL/RCPT 250, DATA 354 then the message up to ".", QUIT 221) for
scripts/send_plain.lua to get there. Every connection's received bytes are counted in the log.
"""

import argparse
import asyncio
import logging
import os
import signal

log = logging.getLogger("hostile")

HOSTNAME = "hostile.test"
BANNER = f"220 {HOSTNAME} ESMTP hostile test server"
FOREVER = 3600


class Conn:
    """One client connection: line-based helpers over asyncio streams, with a line end to use."""

    def __init__(self, reader, writer, eol=b"\r\n"):
        self.reader = reader
        self.writer = writer
        self.eol = eol
        self.received = 0

    async def raw(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def reply(self, *lines):
        await self.raw(b"".join(line.encode("latin-1") + self.eol for line in lines))

    async def readline(self):
        line = await self.reader.readline()
        self.received += len(line)
        return line

    async def read_message(self):
        """Swallows message data up to the lone "." line; False when the client went away."""
        while True:
            line = await self.readline()
            if not line:
                return False
            if line.rstrip(b"\r\n") == b".":
                return True

    async def drain_input(self):
        """Reads whatever the client sends until it closes (keeps its writes from failing)."""
        while await self.reader.read(65536):
            pass

    async def hang(self):
        """Never says another word; returns when the client closes or the lifetime ends."""
        await asyncio.wait_for(self.drain_input(), FOREVER)


def verb_of(line):
    return line.strip().split(b" ", 1)[0].split(b":", 1)[0].upper().decode("latin-1")


async def honest_smtp(conn, on=None, ehlo_extra=()):
    """Answers like a plain SMTP server. `on` maps a verb ("RCPT", "DATA", ...) to a coroutine
    function called instead of the honest answer; when it returns True the session ends."""
    on = on or {}
    while True:
        line = await conn.readline()
        if not line:
            return
        verb = verb_of(line)
        if verb in on:
            if await on[verb](conn, line):
                return
        elif verb == "EHLO":
            await conn.reply(*[f"250-{HOSTNAME}"] + [f"250-{x}" for x in ehlo_extra] + ["250 8BITMIME"])
        elif verb == "DATA":
            await conn.reply("354 End data with <CR><LF>.<CR><LF>")
            if not await conn.read_message():
                return
            await conn.reply("250 2.0.0 Ok: queued")
        elif verb == "QUIT":
            await conn.reply("221 2.0.0 Bye")
            return
        else:
            await conn.reply("250 2.0.0 Ok")


# --- the scenarios: name -> (what it does, coroutine function(conn)) ----------------------------

async def silent(conn):
    await conn.hang()


async def stall_mid_reply(conn):
    await conn.raw(f"220-{HOSTNAME} starts a reply\r\n220-and stops in the mid".encode())
    await conn.hang()


async def trickle(conn):
    # Always some progress, never a whole reply: only a deadline on the whole reply ends this.
    text = f"220-{HOSTNAME} trickles one byte every 100 ms\r\n".encode()
    for i in range(FOREVER * 10):
        await conn.raw(text[i % len(text):][:1])
        await asyncio.sleep(0.1)


async def close_after_banner(conn):
    await conn.reply(BANNER)


async def close_mid_reply(conn):
    await conn.raw(f"220-{HOSTNAME} says half\r\n220-of a rep".encode())


async def close_after_354(conn):
    async def data(c, line):
        await c.reply("354 End data with <CR><LF>.<CR><LF>")
        return True
    await conn.reply(BANNER)
    await honest_smtp(conn, on={"DATA": data})


async def stop_reading_after_354(conn):
    async def data(c, line):
        await c.reply("354 End data with <CR><LF>.<CR><LF>")
        await asyncio.sleep(FOREVER)  # reads nothing more: the client's output backs up
        return True
    await conn.reply(BANNER)
    await honest_smtp(conn, on={"DATA": data})


async def long_line(conn):
    # 10 MB without a line end, in 64 KiB writes, then silence.
    chunk = b"x" * 65536
    await conn.raw(b"220 ")
    for _ in range(160):
        await conn.raw(chunk)
    await conn.hang()


async def many_lines(conn):
    block = b"".join(b"220-continuation line %06d\r\n" % i for i in range(1000))
    for _ in range(100):
        await conn.raw(block)
    await conn.reply(f"220 {HOSTNAME} end of 100,000 lines")
    await honest_smtp(conn)


async def flood(conn):
    # Replies nobody asked for, as fast as the socket takes them, after an honest banner.
    burst = b"250 unsolicited reply\r\n" * 4096
    await conn.reply(BANNER)
    for _ in range(FOREVER * 10):
        await conn.raw(burst)


def banner_then_honest(banner_bytes):
    async def scenario(conn):
        await conn.raw(banner_bytes)
        await honest_smtp(conn)
    return scenario


def bad_banner(text):
    async def scenario(conn):
        await conn.raw(text.encode("latin-1") + b"\r\n")
        await conn.hang()
    return scenario


async def bare_lf(conn):
    conn.eol = b"\n"
    await conn.reply(BANNER)
    await honest_smtp(conn)


async def bare_cr(conn):
    conn.eol = b"\r"
    await conn.reply(BANNER)
    await honest_smtp(conn)


async def mid_421(conn):
    async def rcpt(c, line):
        await c.reply("421 4.3.2 hostile.test shutting down in the middle of your transaction")
        return True
    await conn.reply(BANNER)
    await honest_smtp(conn, on={"RCPT": rcpt})


async def early_talker(conn):
    # The second reply comes in the same write as the banner, before any command.
    await conn.reply(BANNER, "250 2.0.0 Ok: an answer to a command you have not sent yet")
    await honest_smtp(conn)


async def double_replies(conn):
    async def mail(c, line):
        await c.reply("250 2.1.0 Ok", "250 2.1.0 Ok, and once more for good measure")
    await conn.reply(BANNER)
    await honest_smtp(conn, on={"MAIL": mail})


def starttls_then(after_220):
    async def scenario(conn):
        async def starttls(c, line):
            await c.reply("220 2.0.0 ready to start TLS")
            await after_220(c)
            return True
        await conn.reply(BANNER)
        await honest_smtp(conn, on={"STARTTLS": starttls}, ehlo_extra=["STARTTLS"])
    return scenario


async def tls_garbage(conn):
    await conn.reader.read(1)  # the ClientHello has begun: answer it with text
    conn.received += 1
    await conn.raw(b"this is not a TLS record, just text\r\n" * 64)
    await conn.hang()


async def tls_drop(conn):
    await conn.reader.read(1)  # the first byte of the ClientHello, then hang up
    conn.received += 1


async def tls_stall(conn):
    await conn.hang()


SCENARIOS = {
    "silent": ("accepts and never speaks", silent),
    "stall_mid_reply": ("one line of a multi-line banner, half of the next, then silence", stall_mid_reply),
    "trickle": ("an endless multi-line banner, one byte every 100 ms", trickle),
    "close_after_banner": ("a 220 banner, then closes", close_after_banner),
    "close_mid_reply": ("half a multi-line banner, then closes", close_mid_reply),
    "close_after_354": ("honest up to DATA, answers 354, then closes", close_after_354),
    "stop_reading_after_354": ("honest up to DATA, answers 354, then reads nothing more",
                               stop_reading_after_354),
    "long_line": ("a 10 MB banner line without a line end", long_line),
    "many_lines": ("a banner of 100,000 continuation lines, then honest", many_lines),
    "flood": ("a banner, then unsolicited 250 replies as fast as they go", flood),
    "code_short": ("a 2-digit banner code", bad_banner(f"22 {HOSTNAME} two digits")),
    "code_long": ("a 4-digit banner code", bad_banner(f"2200 {HOSTNAME} four digits")),
    "code_letters": ("a banner code with a letter", bad_banner(f"2x0 {HOSTNAME} letters")),
    "code_no_separator": ("no space or '-' after the code", bad_banner(f"220{HOSTNAME} glued")),
    "code_mixed": ("a multi-line banner whose code changes",
                   bad_banner(f"220-{HOSTNAME}\r\n250-changed code\r\n220 end")),
    "code_600": ("a banner with code 600", bad_banner(f"600 {HOSTNAME} out of range")),
    "code_000": ("a banner with code 000", bad_banner(f"000 {HOSTNAME} out of range")),
    "code_1xx": ("a banner with code 150 (1xx: unused by SMTP)", bad_banner(f"150 {HOSTNAME} preliminary")),
    "bare_lf": ("honest, but every line ends with a bare LF", bare_lf),
    "bare_cr": ("honest, but every line ends with a bare CR", bare_cr),
    "nul_bytes": ("a banner with NUL bytes, then honest",
                  banner_then_honest(f"220 {HOSTNAME} nul\0in\0the\0banner\r\n".encode())),
    "invalid_utf8": ("a banner with invalid UTF-8, C1 and ESC sequences, then honest",
                     banner_then_honest(b"220 " + HOSTNAME.encode() +
                                        b" \xff\xfe \xc3\x28 \xed\xa0\x80 \xc2\x9b31m \x1b[2J\x1b]0;owned\x07\r\n")),
    "mid_421": ("honest up to RCPT, answers 421 and closes", mid_421),
    "early_talker": ("sends a 250 with its banner, before any command", early_talker),
    "double_replies": ("answers MAIL FROM twice (a broken pipelining server)", double_replies),
    "starttls_garbage": ("answers STARTTLS with 220, then sends text instead of TLS",
                         starttls_then(tls_garbage)),
    "starttls_drop": ("answers STARTTLS with 220, then closes during the handshake",
                      starttls_then(tls_drop)),
    "starttls_stall": ("answers STARTTLS with 220, then never answers the handshake",
                       starttls_then(tls_stall)),
}


async def handle(name, scenario, reader, writer):
    conn = Conn(reader, writer)
    peer = writer.get_extra_info("peername")
    log.info("%s: connection from %s", name, peer)
    try:
        await scenario(conn)
    except (ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
            ValueError):
        pass  # the client hung up (or sent a monster line): that is its right
    finally:
        log.info("%s: %s done, %d bytes received", name, peer, conn.received)
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, OSError):
            pass


def write_ports(path, ports):
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        f.write("# Written by tests/harness/hostile_server.py: one port per scenario.\n")
        for name, port in ports.items():
            f.write(f"HOSTILE_PORT_{name.upper()}={port}\n")
    os.replace(tmp, path)


async def serve(args):
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    servers, ports = [], {}
    for name, (_, scenario) in SCENARIOS.items():
        server = await asyncio.start_server(
            lambda r, w, n=name, s=scenario: handle(n, s, r, w), args.host, 0, limit=1 << 20)
        servers.append(server)
        ports[name] = server.sockets[0].getsockname()[1]
    write_ports(args.ports_file, ports)
    log.info("serving %d scenarios on %s (ports in %s)", len(ports), args.host, args.ports_file)
    try:
        await asyncio.wait_for(stopping.wait(), args.lifetime)
    except asyncio.TimeoutError:
        log.info("lifetime of %g s is over", args.lifetime)
    for server in servers:
        server.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--ports-file", help="where to write HOSTILE_PORT_<SCENARIO>=<port> lines")
    ap.add_argument("--lifetime", type=float, default=600, help="exit after this many seconds at most")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = ap.parse_args()
    if args.list:
        for name, (what, _) in SCENARIOS.items():
            print(f"{name:20} {what}")
        return
    if not args.ports_file:
        ap.error("--ports-file is required")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s[%(process)d] %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
