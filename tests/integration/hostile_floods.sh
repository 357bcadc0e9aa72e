#!/usr/bin/env bash
# Servers that send too much: a 10 MB line without CRLF, 100,000 continuation lines in one reply,
# replies before the command they answer (an early talker), two replies to one command (a broken
# pipelining server), and an endless flood of unasked replies. Each is a protocol error (exit 9,
# or the phase's code) at once, in bounded memory: nothing is buffered beyond the limits
# (64 KiB per line, 10,000 lines and 1 MiB per reply, 1000 replies / 4 MiB unread).
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/hostile_lib.sh"
hostile_start


# 10 MB without a line end: refused after 64 KiB, not buffered whole (see the RSS bound).
run_bounded 20 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_LONG_LINE"
assert_contains "$LAST_STDERR" "banner: expected"
assert_contains "$LAST_STDERR" "line from server longer than 65536 bytes"
run_bounded 9 0 "${BANNER[@]}" "127.0.0.1:$HOSTILE_PORT_LONG_LINE"
assert_contains "$LAST_STDERR" "banner.lua:2: expected 220, but line from server longer than 65536 bytes"

# 100,000 continuation lines: refused at line 10,001.
run_bounded 9 0 "${BANNER[@]}" "127.0.0.1:$HOSTILE_PORT_MANY_LINES"
assert_contains "$LAST_STDERR" "banner.lua:2: expected 220, but reply has more than 10000 lines"
# Its transcript shows 10,001 lines at most, not 100,000.
lines=$(grep -c '<-  220-continuation' "$LAST_STDERR" || true)
((lines <= 10001)) || fail "the transcript shows $lines continuation lines"

# An early talker: a 250 in the same write as the banner, before EHLO. Taken as the answer to
# EHLO it would shift every later reply by one; it is a protocol error instead.
run_bounded 20 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_EARLY_TALKER"
assert_contains "$LAST_STDERR" "banner: "
assert_contains "$LAST_STDERR" "early talker"
cat >"$TEST_TMP/early.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
s:send("EHLO early.example")
s:expect(250)
LUA
run_bounded 9 0 "$SMTPX" run "$TEST_TMP/early.lua" --timeout 1 --server "127.0.0.1:$HOSTILE_PORT_EARLY_TALKER"
assert_contains "$LAST_STDERR" \
  'early.lua:4: expected 250, but the server sent a reply before the command it answers (an early talker, or a broken pipelining server): "250 2.0.0 Ok: an answer to a command you have not sent yet"'

# Two replies to MAIL FROM: the second is unasked; RCPT must not take it for its own.
run_bounded 25 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_DOUBLE_REPLIES"
assert_contains "$LAST_STDERR" 'rcpt: expected'
assert_contains "$LAST_STDERR" 'broken pipelining server): "250 2.1.0 Ok, and once more for good measure"'
# ... with PIPELINING-style sends too (several commands in one raw write ask for as many replies).
cat >"$TEST_TMP/pipelined.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
s:send("EHLO x\r\nMAIL FROM:<a@example.com>\r\n", { raw = true })
s:expect(250)
s:expect(250)
s:send("RCPT TO:<b@example.com>")
s:expect(250)
LUA
run_bounded 9 0 "$SMTPX" run "$TEST_TMP/pipelined.lua" --timeout 1 --server "127.0.0.1:$HOSTILE_PORT_DOUBLE_REPLIES"
assert_contains "$LAST_STDERR" 'pipelined.lua:7: expected 250, but the server sent a reply before the command it answers'

# An endless flood of unasked replies while the script sleeps: bounded, then a protocol error.
cat >"$TEST_TMP/flood.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
smtp.sleep(0.5)
assert(s:info().queued_replies <= 1000, "queued " .. s:info().queued_replies)
s:send("EHLO flood.example")
s:expect(250)
LUA
run_bounded 9 0.5 "$SMTPX" run "$TEST_TMP/flood.lua" --timeout 1 --server "127.0.0.1:$HOSTILE_PORT_FLOOD"
grep -qE "flood.lua:[56]: .*(server sent more than 1000 replies|before the command it answers)" "$LAST_STDERR" ||
  fail "no protocol error for the flood: $(tail -n 3 "$LAST_STDERR")"
echo "hostile_floods: ok"
