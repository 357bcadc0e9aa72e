#!/usr/bin/env python3
"""A name server that never answers: it reads every query on 127.0.0.1:53 (UDP and TCP) and
says nothing, as a dead or overloaded one does. No real name server is slow on demand.

Run it inside a private network namespace (unshare --net): it brings that namespace's loopback
interface up first. It creates the file given as its argument once it listens, then serves
until killed."""
import fcntl
import socket
import struct
import sys
import threading

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def bring_loopback_up():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags | IFF_UP, b""))


def swallow_udp(sock):
    while True:
        sock.recvfrom(4096)


def swallow_tcp(sock):
    held = []  # connections stay open, unanswered
    while True:
        held.append(sock.accept()[0])


def main():
    bring_loopback_up()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 53))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", 53))
    tcp.listen(16)
    threading.Thread(target=swallow_tcp, args=(tcp,), daemon=True).start()
    open(sys.argv[1], "w").close()
    swallow_udp(udp)


if __name__ == "__main__":
    main()
