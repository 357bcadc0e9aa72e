#!/usr/bin/env bash
# IPv6: a server on [::1] is reached by "[::1]:PORT" and by the bare "::1" form with --set port;
# colour: ANSI colours on a terminal only, never with NO_COLOR set, never when piped.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

# A one-dialogue server on ::1 (the harness's real servers listen on IPv4 loopback only).
/usr/bin/python3 - "$TEST_TMP/v6.port" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::1", 0)); s.listen(4)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
for _ in range(3):
    c, _ = s.accept()
    f = c.makefile("rwb", buffering=0)
    f.write(b"220 v6.testbed.local ESMTP ready\r\n")
    if f.readline().startswith(b"QUIT"):
        f.write(b"221 bye\r\n")
    c.close()
PY
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$TEST_TMP"' EXIT
for _ in $(seq 100); do [[ -s $TEST_TMP/v6.port ]] && break; sleep 0.05; done
port=$(cat "$TEST_TMP/v6.port")

cat > "$TEST_TMP/v6.lua" <<'LUA'
local s = smtp.connect(server)
local banner = s:expect({ 220, "^(\\S+) ESMTP" })
assert(banner.captures[1] == "v6.testbed.local")
assert(s:info().peer:find("::1", 1, true), "peer " .. s:info().peer)
s:send("QUIT")
s:expect(221)
LUA
assert_exit 0 "$SMTPX" run "$TEST_TMP/v6.lua" --server "[::1]:$port"
assert_contains "$LAST_STDERR" "Connected to [::1]:$port"

# Colour on a terminal (script(1) gives the run a pseudo-terminal), none with NO_COLOR or a pipe.
cat > "$TEST_TMP/log.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
s:send("QUIT")
s:expect(221)
LUA
script -qec "env -u NO_COLOR $SMTPX run $TEST_TMP/log.lua --server [::1]:$port" "$TEST_TMP/tty.log" > /dev/null
grep -q $'\x1b\[' "$TEST_TMP/tty.log" || fail "no colour on a terminal"
script -qec "env NO_COLOR=1 $SMTPX run $TEST_TMP/log.lua --server [::1]:$port" "$TEST_TMP/nocolor.log" > /dev/null
assert_contains "$TEST_TMP/nocolor.log" "<-  221 bye"
if grep -q $'\x1b\[' "$TEST_TMP/nocolor.log"; then fail "colour although NO_COLOR is set"; fi
# Piped: the transcript file of the first run above had none either.
if grep -q $'\x1b\[' "$LAST_STDERR"; then fail "colour in piped output"; fi
echo "core_ipv6_color: ok"
