#!/usr/bin/env bash
# Servers that stop talking: each run ends with exit 6 (or the phase's code) within the timeout
# plus a small margin, in bounded memory, and the message names the phase and what came so far.
# The reply deadline covers the whole reply: a server trickling one byte every 100 ms (always some
# progress, never a whole reply) is cut off on time, and so is one that stops reading our data.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/hostile_lib.sh"
hostile_start


# Accepts and never speaks: the banner phase times out (exit 20: banner).
run_bounded 20 1 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_SILENT"
assert_contains "$LAST_STDERR" "banner: expected"
assert_contains "$LAST_STDERR" "no complete reply within 1 s"

# One line of a multi-line banner and half of the next, then silence.
run_bounded 20 1 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_STALL_MID_REPLY"
assert_contains "$LAST_STDERR" \
  'no complete reply within 1 s; got only the start of a multi-line reply, then "220-and stops in the mid" without a line end'

# One byte every 100 ms, forever: the deadline is for the whole reply, not reset by each byte.
run_bounded 20 1 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_TRICKLE"
assert_contains "$LAST_STDERR" "banner: expected"
assert_contains "$LAST_STDERR" "no complete reply within 1 s; got only"

# The same with the raw primitives and a per-expect timeout of 0.5 s.
cat >"$TEST_TMP/trickle.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220, { timeout = 0.5 })
LUA
run_bounded 6 0.5 "$SMTPX" run "$TEST_TMP/trickle.lua" --server "127.0.0.1:$HOSTILE_PORT_TRICKLE"
assert_contains "$LAST_STDERR" "trickle.lua:2: expected 220, but no complete reply within 0.5 s"

# Lines ending in a bare CR end no line: the timeout message shows the CR and says why.
run_bounded 20 1 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_BARE_CR"
assert_contains "$LAST_STDERR" 'ESMTP hostile test server\x0D" without a line end (a bare CR ends no line: lines end with CRLF)'

# A server that takes DATA (354) and then reads nothing: a 20 MB message fills every buffer. The
# send itself must give up after the timeout (before #7 it waited for the socket forever).
cat >"$TEST_TMP/big.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
for _, command in ipairs { "EHLO big.example", "MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>" } do
  s:send(command)
  s:expect(250)
end
s:send("DATA")
s:expect(354)
s:send_data(string.rep(string.rep("y", 998) .. "\n", 20000), { quiet = true })
s:expect(250)
LUA
# The script itself holds the 20 MB text (and its encoded copy): allow for that much more.
HOSTILE_RSS_MARGIN_MB=$((HOSTILE_RSS_MARGIN_MB + 64)) \
  run_bounded 6 1 "$SMTPX" run "$TEST_TMP/big.lua" --server "127.0.0.1:$HOSTILE_PORT_STOP_READING_AFTER_354" --timeout 1
assert_contains "$LAST_STDERR" "big.lua:9: the server read none of our output for 1 s"
echo "hostile_timeouts: ok"
