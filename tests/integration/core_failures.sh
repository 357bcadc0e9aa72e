#!/usr/bin/env bash
# Each failure a user meets first gives its documented exit code and a message naming the cause:
# an expect mismatch (5), a refused connection (4), a server that never answers (6), a Lua syntax
# error (3), a runtime error (3), a bad command line (2).
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

work=$(mktemp -d)
trap 'kill "${silent_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

# --- expect mismatch against real Postfix: the banner is 220, the script wants 554.
cat > "$work/mismatch.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(554)
LUA
assert_exit 5 "$SMTPX" run "$work/mismatch.lua" --server "127.0.0.1:$POSTFIX_PORT"
assert_contains "$LAST_STDERR" "mismatch.lua:2: expected 554, but the server said: 220 postfix.testbed.local ESMTP Postfix (testbed)"

# --- a refused connection: a port nobody listens on.
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
assert_exit 4 "$SMTPX" run send_plain --server "127.0.0.1:$closed_port" --set to=x@example.com
assert_contains "$LAST_STDERR" "send_plain.lua:"
assert_contains "$LAST_STDERR" "cannot connect: 127.0.0.1:$closed_port: Connection refused"

# --- a server that accepts (the kernel completes the handshake) but never says a word.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(60)' > "$work/silent.port" &
silent_pid=$!
for _ in $(seq 50); do [[ -s $work/silent.port ]] && break; sleep 0.1; done
silent_port=$(cat "$work/silent.port")
start=$(date +%s.%N)
assert_exit 6 "$SMTPX" run send_plain --server "127.0.0.1:$silent_port" --set to=x@example.com --timeout 1
elapsed=$(python3 -c "import time; print(round(time.time() - $start, 2))")
assert_contains "$LAST_STDERR" "send_plain.lua:"
assert_contains "$LAST_STDERR" ": expected 220, but no complete reply within 1 s"
python3 -c "import sys; sys.exit(0 if $elapsed < 3 else 1)" || fail "timeout took ${elapsed}s, wanted about 1s"

# --- a Lua syntax error names the file and line.
printf 'local s = smtp.connect(server)\nif then\n' > "$work/syntax.lua"
assert_exit 3 "$SMTPX" run "$work/syntax.lua" --server "127.0.0.1:$POSTFIX_PORT"
assert_contains "$LAST_STDERR" "syntax.lua:2:"

# --- a runtime error inside an expect branch function names its line.
cat > "$work/runtime.lua" <<'LUA'
local s = smtp.connect(server)
s:expect {
  { 220, function(reply) return reply.no_such_field.x end },
}
LUA
assert_exit 3 "$SMTPX" run "$work/runtime.lua" --server "127.0.0.1:$POSTFIX_PORT"
assert_contains "$LAST_STDERR" "runtime.lua:3: attempt to index a nil value"

# --- a script that would take all memory stops at --memory-limit with exit 10.
printf 'local t = {}\nfor i = 1, 1e9 do t[i] = string.rep("x", 1000) .. i end\n' > "$work/memory.lua"
assert_exit 10 "$SMTPX" run "$work/memory.lua" --memory-limit 32
assert_contains "$LAST_STDERR" "the scripts used all the Lua memory they may (--memory-limit)"

# --- command-line errors: exit 2 with a usage hint.
assert_exit 2 "$SMTPX" run send_plain --no-such-option
assert_contains "$LAST_STDERR" "unknown option --no-such-option"
assert_exit 2 "$SMTPX" run send_plain --server "[::1:25"
assert_contains "$LAST_STDERR" "bad server address"
assert_exit 2 "$SMTPX" run send_plain --server "host:99999"
assert_exit 2 "$SMTPX" run no_such_script_anywhere
assert_contains "$LAST_STDERR" "no script 'no_such_script_anywhere'"
assert_exit 2 "$SMTPX" run send_plain --timeout -1
assert_exit 2 "$SMTPX" run send_plain --servers "$work/does-not-exist"
echo "core_failures: ok"
