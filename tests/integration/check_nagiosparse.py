#!/usr/bin/env python3
"""A strict reader of Monitoring Plugins output, for the smtpx check tests.

    check_nagiosparse.py EXIT_CODE [FILE]        (default: stdin)

It checks that the output is one status line "SMTP STATE - text", optionally followed by
" | " and perfdata, then long-output lines; that STATE matches EXIT_CODE (0 OK, 1 WARNING,
2 CRITICAL, 3 UNKNOWN); that every perfdata item is 'label'=value[UOM];[warn];[crit];[min];[max]
with a known UOM, a number or U as value, and warn and crit in the range syntax (10, 10:, ~:10,
10:20, @10:20); and that no label repeats. On success it prints, for the tests to grep:

    state<TAB>STATE
    text<TAB>TEXT
    perf<TAB>LABEL<TAB>VALUE<TAB>UOM<TAB>WARN<TAB>CRIT<TAB>MIN<TAB>MAX   (per item; '-': empty)
    long<TAB>LINE                                                      (per long-output line)
"""

import re
import sys

STATES = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}
UOMS = {"", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"}
NUMBER = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
RANGE = re.compile(rf"@?(?:(?:~|{NUMBER})?:)?(?:{NUMBER})?")
ITEM = re.compile(rf"'((?:[^']|'')+)'=(U|{NUMBER})([a-zA-Z%]*)((?:;[^; ]*){{0,4}})")


def fail(why):
    print(f"check_nagiosparse: {why}", file=sys.stderr)
    sys.exit(1)


def range_bounds(text):
    """The (start, end) a non-empty range text covers, for the start <= end rule."""
    body = text.lstrip("@")
    if ":" not in body:
        return 0.0, float(body)
    start, end = body.split(":", 1)
    low = float("-inf") if start == "~" else float(start or 0)
    return low, float(end) if end else float("inf")


def parse_perfdata(perfdata):
    items, labels, pos = [], set(), 0
    while pos < len(perfdata):
        match = ITEM.match(perfdata, pos)
        if not match:
            fail(f"bad perfdata at: {perfdata[pos:]!r}")
        label = match.group(1).replace("''", "'")
        value, uom, rest = match.group(2), match.group(3), match.group(4)
        if uom not in UOMS:
            fail(f"unknown unit {uom!r} for {label!r}")
        if value == "U" and uom:
            fail(f"U with a unit for {label!r}")
        fields = (rest[1:].split(";") if rest else []) + [""] * 4
        warn, crit, minimum, maximum = fields[:4]
        for name, text in (("warn", warn), ("crit", crit)):
            if text and not RANGE.fullmatch(text):
                fail(f"{name} of {label!r} is no range: {text!r}")
            if text and range_bounds(text)[0] > range_bounds(text)[1]:
                fail(f"{name} of {label!r} starts above its end: {text!r}")
        for name, text in (("min", minimum), ("max", maximum)):
            if text and not re.fullmatch(NUMBER, text):
                fail(f"{name} of {label!r} is no number: {text!r}")
        if label in labels:
            fail(f"label {label!r} repeats")
        labels.add(label)
        items.append((label, value, uom or "-", warn or "-", crit or "-", minimum or "-", maximum or "-"))
        pos = match.end()
        if pos < len(perfdata):
            if perfdata[pos] != " ":
                fail(f"perfdata items must be separated by a space, at: {perfdata[pos:]!r}")
            pos += 1
    return items


def main():
    if len(sys.argv) < 2:
        fail("usage: check_nagiosparse.py EXIT_CODE [FILE]")
    text = open(sys.argv[2], encoding="utf-8").read() if len(sys.argv) > 2 else sys.stdin.read()
    lines = text.split("\n")
    if not text.endswith("\n") or len(lines) < 2:
        fail("the output must be whole lines")
    match = re.fullmatch(r"SMTP (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+?)(?: \| (.+))?", lines[0])
    if not match:
        fail(f"bad status line: {lines[0]!r}")
    state, summary, perfdata = match.group(1), match.group(2), match.group(3) or ""
    if STATES[state] != int(sys.argv[1]):
        fail(f"status {state} but exit code {sys.argv[1]}")
    print("state", state, sep="\t")
    print("text", summary, sep="\t")
    for item in parse_perfdata(perfdata):
        print("perf", *item, sep="\t")
    for line in lines[1:-1]:
        if "|" in line:
            fail(f"a long-output line holds '|': {line!r}")
        print("long", line, sep="\t")


if __name__ == "__main__":
    main()
