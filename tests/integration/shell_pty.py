#!/usr/bin/env python3
"""Drives a command on a pseudo-terminal, the way a person types into it (eco_shell.sh uses it
for `smtpx shell`'s line editing, history and terminal handling).

usage: shell_pty.py LOG STEP... -- COMMAND...

Steps, in order:
  expect=REGEX   wait (10 s at most) until the terminal output since the last match matches
  send=TEXT      type TEXT; Python escapes work: \\r is Enter, \\x1b[A the Up arrow, \\x04 Ctrl-D
  sleep=SECONDS  wait, reading output
  hangup         close the terminal (the person closed the window)

Everything the command writes to the terminal goes to LOG. Exits with the command's exit code,
99 when an expect timed out or the command did not end within 20 s after the last step, and 98
when the command left the terminal in another mode than it found it (raw mode, no echo).
"""
import codecs
import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time

EXPECT_TIMEOUT = 10.0
EXIT_TIMEOUT = 20.0


class Terminal:
    def __init__(self, command, log):
        self.master, self.slave = os.openpty()
        # A known size, wide enough that no line wraps.
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
        self.modes = termios.tcgetattr(self.slave)
        env = dict(os.environ, TERM="xterm")
        env.pop("NO_COLOR", None)
        self.child = subprocess.Popen(command, stdin=self.slave, stdout=self.slave, stderr=self.slave,
                                      env=env, start_new_session=True)
        self.log = log
        self.output = ""
        self.matched = 0

    def read(self, seconds):
        if self.master is None:  # hung up: nothing more to read
            time.sleep(max(seconds, 0))
            return False
        ready, _, _ = select.select([self.master], [], [], seconds)
        if not ready:
            return False
        try:
            data = os.read(self.master, 4096)
        except OSError:  # EIO: nobody has the terminal open any more
            return False
        text = data.decode("utf-8", "replace")
        self.output += text
        self.log.write(text)
        self.log.flush()
        return bool(data)

    def expect(self, pattern):
        deadline = time.monotonic() + EXPECT_TIMEOUT
        regex = re.compile(pattern)
        while True:
            found = regex.search(self.output, self.matched)
            if found:
                self.matched = found.end()
                return True
            left = deadline - time.monotonic()
            if left <= 0 or (not self.read(left) and self.child.poll() is not None):
                self.log.write("\n[shell_pty: no match for %r]\n" % pattern)
                return False

    def pause(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.read(deadline - time.monotonic())

    def wait(self):
        deadline = time.monotonic() + EXIT_TIMEOUT
        while self.child.poll() is None and time.monotonic() < deadline:
            self.read(0.1)
        while self.read(0.05):
            pass
        if self.child.poll() is None:
            self.child.kill()
            self.log.write("\n[shell_pty: the command did not end]\n")
            return 99
        return self.child.returncode

    def restored(self):
        now = termios.tcgetattr(self.slave)
        same = now[:4] == self.modes[:4]  # iflag, oflag, cflag, lflag
        if not same:
            self.log.write("\n[shell_pty: terminal modes before %r, after %r]\n" % (self.modes[:4], now[:4]))
        return same


def main():
    separator = sys.argv.index("--")
    log_path, steps, command = sys.argv[1], sys.argv[2:separator], sys.argv[separator + 1:]
    with open(log_path, "w") as log:
        terminal = Terminal(command, log)
        for step in steps:
            action, _, argument = step.partition("=")
            if action == "expect" and not terminal.expect(argument):
                terminal.child.kill()
                terminal.wait()
                return 99
            if action == "send":
                os.write(terminal.master, codecs.decode(argument, "unicode_escape").encode("latin-1"))
            elif action == "sleep":
                terminal.pause(float(argument))
            elif action == "hangup":
                os.close(terminal.master)
                terminal.master = None
        code = terminal.wait()
        log.write("\n[shell_pty: exit %d]\n" % code)
        # A terminal that was hung up has no modes left to compare.
        if code != 99 and terminal.master is not None and not terminal.restored():
            return 98
        return code


if __name__ == "__main__":
    sys.exit(main())
