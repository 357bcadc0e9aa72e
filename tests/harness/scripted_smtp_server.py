#!/usr/bin/env python3
"""A tiny SMTP server that misbehaves on demand, for the health-check tests of smtpx.

Real servers do not refuse every session or stall after their banner when asked to, so this one
does, one behaviour per run:
  banner554  greets with "554 5.3.2 <host> not accepting mail", then answers QUIT with 221
  stall      greets with 220, then reads commands and never answers them
  tempfail   greets with 220, answers EHLO, and refuses MAIL with 451 4.3.0

It listens on 127.0.0.1, on --port or (0) a free port, and prints the port on stdout once it
listens, so a test can start it in the background and read where to connect.
"""

import argparse
import asyncio
import signal


async def reply(writer, text):
    writer.write(text.encode() + b"\r\n")
    await writer.drain()


async def banner554(reader, writer):
    await reply(writer, "554 5.3.2 scripted.testbed.local not accepting mail")
    while line := await reader.readline():
        if line.strip().upper() == b"QUIT":
            await reply(writer, "221 2.0.0 bye")
            return
        await reply(writer, "503 5.5.1 no service")


async def stall(reader, writer):
    await reply(writer, "220 scripted.testbed.local ESMTP stalls after this")
    while await reader.readline():
        pass  # read and never answer, until the client hangs up


async def tempfail(reader, writer):
    await reply(writer, "220 scripted.testbed.local ESMTP")
    while line := await reader.readline():
        verb = line.strip().split(b" ", 1)[0].upper()
        if verb == b"EHLO":
            await reply(writer, "250-scripted.testbed.local\r\n250 PIPELINING")
        elif verb == b"MAIL":
            await reply(writer, "451 4.3.0 try again later")
        elif verb == b"QUIT":
            await reply(writer, "221 2.0.0 bye")
            return
        else:
            await reply(writer, "250 ok")


BEHAVIOURS = {"banner554": banner554, "stall": stall, "tempfail": tempfail}


async def serve(behaviour, port):
    async def session(reader, writer):
        try:
            await behaviour(reader, writer)
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", port)
    print(server.sockets[0].getsockname()[1], flush=True)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    async with server:
        await stopping.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("behaviour", choices=sorted(BEHAVIOURS))
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    asyncio.run(serve(BEHAVIOURS[args.behaviour], args.port))


if __name__ == "__main__":
    main()
