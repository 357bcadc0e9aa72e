#!/usr/bin/env bash
# Progress lines are for terminals only: `smtpx run` over many servers with --quiet redraws
# "N/M done, F failed, R/s" on a terminal, scripts/load.lua shows its own there, and neither
# ever shows in piped output.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

cat > "$TEST_TMP/banner.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
s:send("QUIT")
s:expect { { 221, function() end }, eof = function() end }
LUA
servers=()
for port in "$POSTFIX_PORT" "$EXIM_PORT" "$AIOSMTPD_PORT" "$POSTFIX_PORT" "$AIOSMTPD_PORT"; do
  servers+=(--server "$TEST_HOST:$port")
done
# One of them refuses the connection: it counts as failed.
refused_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# no_progress FILE: FILE holds no progress line (no carriage return, no "done,").
no_progress() {
  if grep -q $'\r' "$1" || grep -q 'done,' "$1"; then
    cat -A "$1" | head -20 >&2
    fail "$1 holds a progress line, but it is not a terminal"
  fi
}

assert_exit 4 "$SMTPX" run "$TEST_TMP/banner.lua" "${servers[@]}" --server "127.0.0.1:$refused_port" --quiet
no_progress "$LAST_STDOUT"
no_progress "$LAST_STDERR"
assert_exit 0 "$SMTPX" run load --server "$TEST_HOST:$AIOSMTPD_PORT" --set sessions=2 --set messages=150 \
  --set to="eco$$-load@example.com" --quiet
no_progress "$LAST_STDERR"
assert_contains "$LAST_STDOUT" "messages=300 failed=0"

# On a terminal (script(1) gives the run a pseudo-terminal) the line is there, ending with the
# final counts; without --quiet the transcript shows the progress instead.
printf -v command '%q ' "$SMTPX" run "$TEST_TMP/banner.lua" "${servers[@]}" --server "127.0.0.1:$refused_port" --quiet
script -qefc "$command" /dev/null > "$TEST_TMP/tty.out" 2>&1 || true
assert_contains "$TEST_TMP/tty.out" "6/6 done, 1 failed"
printf -v command '%q ' "$SMTPX" run "$TEST_TMP/banner.lua" "${servers[@]}"
script -qefc "$command" /dev/null > "$TEST_TMP/tty-verbose.out" 2>&1 || fail "the run on a terminal failed"
grep -q 'done,' "$TEST_TMP/tty-verbose.out" && fail "a progress line without --quiet"
assert_contains "$TEST_TMP/tty-verbose.out" "221"
# scripts/load.lua's own line (every 100 messages) shows on a terminal too.
printf -v command '%q ' "$SMTPX" run load --server "$TEST_HOST:$AIOSMTPD_PORT" --set sessions=2 \
  --set messages=100 --set to="eco$$-load@example.com" --quiet
script -qefc "$command" /dev/null > "$TEST_TMP/tty-load.out" 2>&1 || fail "load on a terminal failed"
assert_contains "$TEST_TMP/tty-load.out" "200 done, 0 failed"
