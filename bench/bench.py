#!/usr/bin/env python3
"""smtpx benchmarks, side by side with Postfix's smtp-source, Python's smtplib and swaks.

Starts Postfix's smtp-sink on loopback, runs each tool on the same workloads and prints a table
of msgs/s, ratio to smtp-source, wall time, CPU time and peak RSS (from wait4's rusage).
  python3 bench/bench.py [--smtpx build/smtpx] [--messages 1000] [--smoke] [--markdown FILE]
--smoke runs every workload tiny, to show the script works (the test suite does that).
"""
import argparse
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SINK_PORT = 12590
HOLD_PORT = 12591


def wait_for_port(port, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.recv(100)
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"bench: nothing answers on 127.0.0.1:{port}")


def start_server(argv, port):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_port(port)
    return proc


def stop_server(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)


class Measure:
    """One command run: wall and CPU (user+sys) time of the process and its children, and, with
    rss=True, its peak RSS as /usr/bin/time reports it. wait4's own ru_maxrss is no use here: a
    child forked from this Python process keeps Python's high-water mark across exec."""

    def __init__(self, argv, stdout=subprocess.DEVNULL, rss=False):
        rss_file = tempfile.NamedTemporaryFile("r", suffix=".rss") if rss else None
        if rss_file:
            argv = ["/usr/bin/time", "-f", "%M", "-o", rss_file.name] + list(argv)
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        self.wall = time.perf_counter() - start
        self.cpu = usage.ru_utime + usage.ru_stime
        self.code = os.waitstatus_to_exitcode(status)
        self.stderr = proc.stderr.read().decode(errors="replace")
        self.stdout = proc.stdout.read().decode(errors="replace") if stdout == subprocess.PIPE else ""
        if self.code != 0:
            sys.exit(f"bench: {' '.join(argv)} exited {self.code}:\n{self.stderr[-2000:]}")
        self.rss_mib = int(rss_file.read().split()[-1]) / 1024 if rss_file else None


class Bench:
    def __init__(self, args):
        self.args = args
        self.smtpx = os.path.abspath(args.smtpx)
        self.rows = []
        self.notes = []
        self.sink = f"127.0.0.1:{SINK_PORT}"

    def smtpx_load(self, sessions, messages, *extra, threads=1, runs=1, spin=None, greeting="HELO"):
        """scripts/load.lua; HELO by default, as smtp-source sends it, so both have the same
        dialogue (an EHLO reply is nine lines from smtp-sink, which a new connection per message
        pays for each time)."""
        argv = [self.smtpx, "run", "load", "--quiet", "--threads", str(threads), "--set", f"greeting={greeting}"]
        argv += ["--spin", str(spin)] if spin is not None else []
        argv += ["--server", self.sink] * runs
        argv += ["--set", f"sessions={sessions}", "--set", f"messages={messages}", "--set", "size=256"]
        for item in extra:
            argv += ["--set", item]
        return Measure(argv, rss=True)

    def smtp_source(self, sessions, total, reuse=True):
        argv = ["smtp-source", "-s", str(sessions), "-m", str(total), "-l", "256"]
        argv += ["-d"] if reuse else []
        return Measure(argv + [self.sink], rss=True)

    def smtplib(self, total):
        return Measure([sys.executable, os.path.join(HERE, "smtplib_send.py"), "127.0.0.1", str(SINK_PORT), str(total), "256"], rss=True)

    def add(self, workload, tool, messages, m, baseline=None, round_ratios=None):
        rate = messages / m.wall
        ratio = rate / baseline if baseline else None
        self.rows.append((workload, tool, messages, m.wall, rate, ratio, round_ratios, m.cpu, m.rss_mib))
        return rate

    def throughput_round(self):
        """One measurement of every throughput workload: (workload, tool, messages, Measure)."""
        n = self.args.messages
        per50, per10 = max(1, n // 50), max(1, n // 10)
        return [
            ("1 session, reused", "smtp-source -s 1 -d", n, self.smtp_source(1, n)),
            ("1 session, reused", "smtpx load", n, self.smtpx_load(1, n)),
            ("1 session, reused", "smtpx load --spin 0", n, self.smtpx_load(1, n, spin=0)),
            ("1 session, reused", "python smtplib", n, self.smtplib(n)),
            ("1 session, reused", "smtpx load pipelining=1", n, self.smtpx_load(1, n, "pipelining=1", greeting="EHLO")),
            ("50 sessions, reused", "smtp-source -s 50 -d", per50 * 50, self.smtp_source(50, per50 * 50)),
            ("50 sessions, reused", "smtpx load (1 thread)", per50 * 50, self.smtpx_load(25, per50, runs=2, threads=1)),
            ("50 sessions, reused", "smtpx load (2 threads)", per50 * 50, self.smtpx_load(25, per50, runs=2, threads=2)),
            ("10 sessions, new connection per message", "smtp-source -s 10", per10 * 10,
             self.smtp_source(10, per10 * 10, reuse=False)),
            ("10 sessions, new connection per message", "smtpx load reconnect=1", per10 * 10,
             self.smtpx_load(10, per10, "reconnect=1")),
        ]

    def throughput(self):
        # Loopback ping-pong speed drifts from second to second on a shared VM (an idle vCPU wakes
        # slowly): every tool runs once per round, and each row is its median round.
        rounds = [self.throughput_round() for _ in range(self.args.repeat)]
        rates = {}
        for i, (workload, tool, messages, _) in enumerate(rounds[0]):
            measures = sorted((r[i][3] for r in rounds), key=lambda m: m.wall)
            median = measures[len(measures) // 2]
            if tool.startswith("smtp-source"):
                base, baseline = i, None
            # The ratio within each round, where both tools met the same moment of the machine.
            round_ratios = [(messages / r[i][3].wall) / (r[base][2] / r[base][3].wall) for r in rounds] if baseline else None
            rates[tool] = self.add(workload, tool, messages, median, baseline, round_ratios)
            baseline = baseline or rates[tool]
        self.notes.append(f"{self.args.repeat} rounds; each row is the median round of its tool; \"per round\" is the "
                          "lowest and highest ratio to smtp-source within one round")
        self.notes.append("smtpx load sends HELO, as smtp-source does (greeting=HELO); with pipelining=1, EHLO")
        tools = [row[1] for row in rounds[0]]
        smtpx, smtplib = tools.index("smtpx load"), tools.index("python smtplib")
        over_smtplib = [r[smtplib][3].wall / r[smtpx][3].wall for r in rounds]  # the same messages
        self.notes.append(f"smtpx load over python smtplib in one session: {rates['smtpx load'] / rates['python smtplib']:.2f}x "
                          f"(per round {min(over_smtplib):.2f}x-{max(over_smtplib):.2f}x)")
        self.notes.append(f"PIPELINING gain in one session: {rates['smtpx load pipelining=1'] / rates['smtpx load']:.2f}x")
        self.notes.append("--threads 2 over --threads 1 (50 sessions as 2 runs of 25): "
                          f"{rates['smtpx load (2 threads)'] / rates['smtpx load (1 thread)']:.2f}x")

    def threads(self):
        """--threads 2 over --threads 1 on work that is all smtpx's own (no sink to share the
        cores with): four runs of bench/encode.lua, the median of a few tries each."""
        rounds = "5" if self.args.smoke else "150"
        argv = [self.smtpx, "run", os.path.join(HERE, "encode.lua"), "--set", f"rounds={rounds}"]
        argv += ["--server", "run"] * 4
        walls = {threads: statistics.median(Measure(argv + ["--threads", str(threads)]).wall for _ in range(3))
                 for threads in (1, 2)}
        self.notes.append(f"--threads 2 over --threads 1 on smtpx's own work (4 runs of bench/encode.lua, "
                          f"{walls[1]:.2f} s and {walls[2]:.2f} s): {walls[1] / walls[2]:.2f}x")

    def startup(self):
        repeat = 5 if self.args.smoke else 30
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write("return 0\n")
        needed = self.libraries_of_smtpx()
        floors = {
            "floor": self.empty_program(needed),
            # The least a program that uses POCO loads: Foundation (and the C++ library).
            "foundation": self.empty_program([lib for lib in needed if lib.startswith(("libPocoFoundation", "libstdc++"))]),
        }
        commands = {
            "empty": [self.smtpx, "run", script.name],
            "send": [self.smtpx, "run", "send_plain", "--quiet", "--server", self.sink, "--set", "to=sink@example.com"],
            "true": ["/bin/true"],
        }
        commands.update({name: [program] for name, program in floors.items() if program})
        # In turns, so a drift in the machine's speed touches every command alike.
        walls = {name: [] for name in commands}
        for _ in range(repeat):
            for name, argv in commands.items():
                walls[name].append(Measure(argv).wall)
        os.unlink(script.name)
        for program in floors.values():
            if program:
                os.unlink(program)
        swaks = ["swaks", "--server", self.sink, "--to", "sink@example.com", "--silent", "2"]
        swaks_send = [Measure(swaks).wall for _ in range(max(3, repeat // 3))] if shutil.which("swaks") else []
        ms = {name: statistics.median(values) * 1000 for name, values in walls.items()}
        self.notes.append(f"start-up, `smtpx run` of a script that only returns: median {ms['empty']:.1f} ms"
                          f" (starting /bin/true takes {ms['true']:.1f} ms here"
                          + (f"; an empty main() linked to the libraries smtpx links, {ms['floor']:.1f} ms" if "floor" in ms else "")
                          + (f"; linked to POCO Foundation and libstdc++ only, {ms['foundation']:.1f} ms" if "foundation" in ms else "")
                          + ")")
        self.notes.append(f"one-message send as a fresh process: smtpx median {ms['send']:.1f} ms"
                          + (f", swaks median {statistics.median(swaks_send) * 1000:.1f} ms" if swaks_send else ""))

    def libraries_of_smtpx(self):
        return [line.split("[")[1].rstrip("]") for line in
                subprocess.run(["readelf", "-d", self.smtpx], capture_output=True, text=True).stdout.splitlines()
                if "(NEEDED)" in line]

    def empty_program(self, libraries):
        """An empty main() linked to `libraries`: what loading them costs, a floor under smtpx's
        start-up. None without a compiler."""
        program = tempfile.NamedTemporaryFile(prefix="smtpx-bench-floor-", delete=False).name
        compile_floor = ["g++", "-x", "c++", "-", "-o", program, "-Wl,--no-as-needed"] + [f"-l:{lib}" for lib in libraries]
        if not shutil.which("g++") or subprocess.run(compile_floor, input="int main() { return 0; }\n", text=True).returncode:
            os.unlink(program)
            return None
        return program

    def scale(self):
        sessions = 200 if self.args.smoke else self.args.sessions
        holder = start_server(["/usr/bin/python3", os.path.join(ROOT, "tests/harness/slow_banner_server.py"),
                               "--port", str(HOLD_PORT), "--delay", "0"], HOLD_PORT)
        try:
            m = Measure([self.smtpx, "run", os.path.join(HERE, "hold.lua"), "--quiet", "--timeout", "120",
                         "--server", f"127.0.0.1:{HOLD_PORT}", "--set", f"sessions={sessions}"], stdout=subprocess.PIPE,
                        rss=True)
        finally:
            stop_server(holder)
        fields = dict(item.split("=") for item in m.stdout.split())
        self.notes.append(
            f"scale: {fields['sessions']} concurrent sessions, {fields['failed']} failed, all open after "
            f"{fields['open_seconds']} s; {fields['per_session_kib']} KiB RSS per idle session "
            f"(peak process RSS {m.rss_mib:.1f} MiB); fds {fields['base_fds']} -> {fields['peak_fds']} -> "
            f"{fields['after_fds']} after close, {fields['again_fds']} after a second round; RSS before "
            f"{int(fields['base_rss_kib']) // 1024} MiB, after close {int(fields['after_rss_kib']) // 1024} MiB, "
            f"after a second round {int(fields['again_rss_kib']) // 1024} MiB")

    def callgrind(self):
        if not shutil.which("valgrind"):
            self.notes.append("callgrind: valgrind not installed")
            return
        small, large = (20, 120) if self.args.smoke else (200, 1200)
        counts = []
        for messages in (small, large):
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "cg.out")
                # --spin 0: the polls of a loop about to sleep would count, and more of them the
                # slower valgrind runs the rest.
                Measure(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", self.smtpx, "run", "load",
                         "--quiet", "--threads", "1", "--spin", "0", "--server", self.sink, "--set", "sessions=1",
                         "--set", f"messages={messages}"])
                with open(out) as f:
                    counts.append(next(int(line.split()[1]) for line in f if line.startswith("summary:")))
        # Each message is four send+expect pairs (MAIL, RCPT, DATA, the message); the difference
        # between two runs cancels start-up and connection set-up.
        per_pair = (counts[1] - counts[0]) / ((large - small) * 4)
        self.notes.append(f"callgrind: {per_pair:,.0f} instructions per send+expect pair "
                          f"(the data step included; {counts[0]:,} and {counts[1]:,} Ir for {small} and {large} messages)")

    def report(self):
        lines = [f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
                 f"{platform.platform()}, {time.strftime('%Y-%m-%d %H:%M')}", "",
                 "| workload | tool | msgs | wall s | msgs/s | vs smtp-source | per round | CPU s | peak RSS MiB |",
                 "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for workload, tool, messages, wall, rate, ratio, round_ratios, cpu, rss in self.rows:
            ratio_text = f"{ratio:.2f}x" if ratio else "1.00x (baseline)"
            range_text = f"{min(round_ratios):.2f}x-{max(round_ratios):.2f}x" if round_ratios else ""
            lines.append(f"| {workload} | {tool} | {messages} | {wall:.3f} | {rate:,.0f} | {ratio_text} | {range_text} "
                         f"| {cpu:.2f} | {rss:.1f} |")
        lines.append("")
        lines += [f"- {note}" for note in self.notes]
        text = "\n".join(lines)
        print(text)
        if self.args.markdown:
            with open(self.args.markdown, "w") as f:
                f.write(text + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smtpx", default=os.path.join(ROOT, "build", "smtpx"))
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=10000, help="concurrent sessions for the scale run")
    parser.add_argument("--smoke", action="store_true", help="tiny workloads: check that it all runs")
    parser.add_argument("--skip", default="", help="comma-separated: throughput,threads,startup,scale,callgrind")
    parser.add_argument("--markdown", help="also write the table here")
    parser.add_argument("--repeat", type=int, default=5, help="throughput rounds (the median is shown)")
    args = parser.parse_args()
    if args.smoke:
        args.messages = 50
        args.repeat = 1
    sink = start_server(["smtp-sink", "-u", "nobody", "-m", "20000", f"127.0.0.1:{SINK_PORT}", "4096"], SINK_PORT)
    bench = Bench(args)
    try:
        skip = set(args.skip.split(","))
        for part in ("throughput", "threads", "startup", "scale", "callgrind"):
            if part not in skip:
                getattr(bench, part)()
    finally:
        stop_server(sink)
    bench.report()


if __name__ == "__main__":
    main()
