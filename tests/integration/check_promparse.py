#!/usr/bin/env python3
"""A strict parser of the Prometheus text exposition format (0.0.4), for the smtpx check tests.

    check_promparse.py [FILE]        (default: stdin)

It refuses, naming the line, anything promtool's parser refuses and a little more that no
exporter should do: a sample before its family's TYPE, a second HELP or TYPE for a family, a
family whose lines are not together, a duplicate series, a bad metric or label name, a label
given twice, a reserved (__) label, an escape other than \\\\, \\" and \\n, a value Go's
ParseFloat would not read, a negative counter, a counter not named *_total, a missing final
newline. On success it prints every sample in a canonical form, one per line, for the tests to
grep:

    name{label="value",...} value          (labels sorted by name; no braces without labels)
"""

import math
import re
import sys

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
# Go strconv.ParseFloat, as the text format uses it: decimal or exponent forms, or the specials.
FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN")
TYPES = {"counter", "gauge", "untyped"}  # histogram and summary: smtpx writes none


class ParseError(Exception):
    def __init__(self, number, line, why):
        super().__init__(f"line {number}: {why}: {line!r}")


def parse_label_value(text, pos, fail):
    """Reads a quoted value at text[pos] == '"'; returns (value, position after the quote)."""
    value = []
    pos += 1
    while True:
        if pos >= len(text):
            fail("unterminated label value")
        c = text[pos]
        if c == '"':
            return "".join(value), pos + 1
        if c == "\n":
            fail("raw line feed in a label value")
        if c == "\\":
            escaped = text[pos + 1:pos + 2]
            if escaped not in ("\\", '"', "n"):
                fail(f"bad escape \\{escaped} in a label value")
            value.append("\n" if escaped == "n" else escaped)
            pos += 2
            continue
        value.append(c)
        pos += 1


def parse_labels(text, pos, fail):
    """Reads {name="value",...} at text[pos] == '{'; returns (labels, position after '}')."""
    labels = {}
    pos += 1
    while True:
        if text[pos:pos + 1] == "}":
            return labels, pos + 1
        match = LABEL_NAME.match(text, pos)
        if not match:
            fail("bad label name")
        name = match.group(0)
        if name.startswith("__"):
            fail(f"reserved label name {name}")
        if name in labels:
            fail(f"label {name} given twice")
        pos = match.end()
        if text[pos:pos + 2] != '="':
            fail(f"label {name} is not followed by =\"")
        labels[name], pos = parse_label_value(text, pos + 1, fail)
        if text[pos:pos + 1] == ",":
            pos += 1
        elif text[pos:pos + 1] != "}":
            fail("expected , or } after a label")


def canonical(name, labels, value):
    if not labels:
        return f"{name} {value}"
    parts = []
    for key in sorted(labels):
        escaped = labels[key].replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        parts.append(f'{key}="{escaped}"')
    return f"{name}{{{','.join(parts)}}} {value}"


class Parser:
    def __init__(self):
        self.families = {}      # name -> {"type", "help", "samples"}
        self.finished = set()   # families whose lines are over
        self.current = None
        self.series = set()
        self.output = []

    def family(self, name, fail):
        if name in self.finished:
            fail(f"family {name} continues after another family")
        if self.current not in (None, name):
            self.finished.add(self.current)
        self.current = name
        return self.families.setdefault(name, {"type": None, "help": None, "samples": 0})

    def comment(self, line, fail):
        parts = line.split(" ", 3)
        if len(parts) < 3 or parts[1] not in ("HELP", "TYPE"):
            return  # any other comment is allowed and ignored
        keyword, name = parts[1], parts[2]
        if not METRIC_NAME.fullmatch(name):
            fail(f"bad metric name {name!r} in {keyword}")
        family = self.family(name, fail)
        rest = parts[3] if len(parts) > 3 else ""
        if keyword == "HELP":
            if family["help"] is not None:
                fail(f"second HELP for {name}")
            if not re.fullmatch(r"(?:[^\\]|\\[\\n])*", rest):
                fail("bad escape in HELP (only \\\\ and \\n)")
            family["help"] = rest
        else:
            if family["type"] is not None:
                fail(f"second TYPE for {name}")
            if family["samples"]:
                fail(f"TYPE for {name} after its samples")
            if rest not in TYPES:
                fail(f"unknown or unsupported type {rest!r}")
            if rest == "counter" and not name.endswith("_total"):
                fail(f"counter {name} is not named *_total")
            family["type"] = rest

    def sample(self, line, fail):
        match = METRIC_NAME.match(line)
        if not match:
            fail("bad metric name")
        name, pos = match.group(0), match.end()
        family = self.family(name, fail)
        if family["type"] is None:
            fail(f"sample of {name} before its TYPE")
        labels = {}
        if line[pos:pos + 1] == "{":
            labels, pos = parse_labels(line, pos, fail)
        if line[pos:pos + 1] != " ":
            fail("expected one space before the value")
        fields = line[pos + 1:].split(" ")
        if not 1 <= len(fields) <= 2 or not FLOAT.fullmatch(fields[0]):
            fail("bad value")
        if len(fields) == 2 and not re.fullmatch(r"-?[0-9]+", fields[1]):
            fail("bad timestamp")
        value = float(fields[0].replace("Inf", "inf").replace("NaN", "nan"))
        if family["type"] == "counter" and (value < 0 or math.isnan(value)):
            fail("a counter must not be negative or NaN")
        key = (name, tuple(sorted(labels.items())))
        if key in self.series:
            fail("duplicate series")
        self.series.add(key)
        family["samples"] += 1
        self.output.append(canonical(name, labels, fields[0]))

    def parse(self, text):
        if text and not text.endswith("\n"):
            raise ParseError(text.count("\n") + 1, text.rsplit("\n", 1)[-1], "no newline at the end")
        for number, line in enumerate(text.split("\n")[:-1], 1):
            def fail(why, number=number, line=line):
                raise ParseError(number, line, why)
            if line == "":
                continue
            if line != line.strip() or "\t" in line or "\r" in line:
                fail("stray white space")
            if line.startswith("#"):
                self.comment(line, fail)
            else:
                self.sample(line, fail)
        for name, family in self.families.items():
            if family["samples"] == 0:
                raise ParseError(0, name, "family without samples")
        return self.output


def main():
    text = open(sys.argv[1], encoding="utf-8").read() if len(sys.argv) > 1 else sys.stdin.read()
    try:
        lines = Parser().parse(text)
    except ParseError as e:
        print(f"check_promparse: {e}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
