#!/usr/bin/env python3
"""A deliberately slow SMTP server for timeout and concurrency tests of smtpx.

Every connection waits --delay seconds before its 220 banner. After that it speaks just enough
SMTP for a client to finish a transaction: EHLO/HELO -> 250, DATA -> 354 then swallows the
message up to a lone "." -> 250, QUIT -> 221 and close, anything else -> 250. Nothing is stored.
One asyncio task per connection, so hundreds of clients can wait for their banner at once.
"""

import argparse
import asyncio
import logging
import resource
import signal

log = logging.getLogger("slow-banner")


class Stats:
    connections = 0
    active = 0
    peak = 0


async def reply(writer, text):
    writer.write(text.encode() + b"\r\n")
    await writer.drain()


async def swallow_data(reader):
    while True:
        line = await reader.readline()
        if not line or line.rstrip(b"\r\n") == b".":
            return bool(line)


async def session(reader, writer, delay, hostname):
    Stats.connections += 1
    Stats.active += 1
    Stats.peak = max(Stats.peak, Stats.active)
    try:
        await asyncio.sleep(delay)
        await reply(writer, f"220 {hostname} ESMTP")
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb in (b"EHLO", b"HELO"):
                await reply(writer, f"250 {hostname}")
            elif verb == b"QUIT":
                await reply(writer, f"221 {hostname} closing connection")
                break
            elif verb == b"DATA":
                await reply(writer, "354 End data with <CR><LF>.<CR><LF>")
                if not await swallow_data(reader):
                    break
                await reply(writer, "250 ok")
            else:
                await reply(writer, "250 ok")
    except (ConnectionError, ValueError, asyncio.LimitOverrunError):
        pass  # a client that hangs up or sends a monster line just ends its session
    finally:
        Stats.active -= 1
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, OSError):
            pass


def raise_fd_limit():
    # Each client is one descriptor; take whatever the hard limit allows.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def serve(args):
    server = await asyncio.start_server(
        lambda r, w: session(r, w, args.delay, args.hostname),
        args.host, args.port, backlog=4096, reuse_address=True, limit=1 << 20)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    log.info("listening on %s:%d, banner delay %.3fs", args.host, args.port, args.delay)
    async with server:
        await stopping.wait()
    log.info("stopped: %d connections served, peak %d concurrent", Stats.connections, Stats.peak)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=12528)
    ap.add_argument("--delay", type=float, default=1.0)
    ap.add_argument("--hostname", default="slow.testbed.local")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(name)s[%(process)d] %(levelname)s %(message)s")
    raise_fd_limit()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
