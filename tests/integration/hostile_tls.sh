#!/usr/bin/env bash
# STARTTLS against servers that break the handshake: text instead of TLS after "220 ready to start
# TLS", a hang-up during the handshake, and a handshake that never progresses. Each ends in the
# starttls phase (exit 22; 8 with the raw primitives) within the timeout, and the message says
# what happened.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/hostile_lib.sh"
hostile_start

SEND=("$SMTPX" run send --set to=victim@example.com --set starttls=1 --timeout 1 --server)

run_bounded 22 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_STARTTLS_GARBAGE"
assert_contains "$LAST_STDERR" "starttls: TLS handshake failed"
assert_contains "$LAST_STDERR" "the server did not answer in TLS"

run_bounded 22 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_STARTTLS_DROP"
assert_contains "$LAST_STDERR" "starttls: TLS handshake failed"
grep -qE "closed the connection|Connection reset by peer" "$LAST_STDERR" ||
  fail "the message does not say the server hung up: $(tail -n 3 "$LAST_STDERR")"

run_bounded 22 1 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_STARTTLS_STALL"
assert_contains "$LAST_STDERR" "starttls: TLS handshake timed out after 1 s"

# The raw primitives: session:starttls raises kind "tls" (exit 8).
cat >"$TEST_TMP/starttls.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
s:send("EHLO tls.example")
s:expect(250)
s:send("STARTTLS")
s:expect(220)
s:starttls()
LUA
run_bounded 8 0 "$SMTPX" run "$TEST_TMP/starttls.lua" --timeout 1 --server "127.0.0.1:$HOSTILE_PORT_STARTTLS_GARBAGE"
assert_contains "$LAST_STDERR" "starttls.lua:7: TLS handshake failed"
run_bounded 8 1 "$SMTPX" run "$TEST_TMP/starttls.lua" --timeout 1 --server "127.0.0.1:$HOSTILE_PORT_STARTTLS_STALL"
assert_contains "$LAST_STDERR" "starttls.lua:7: TLS handshake timed out after 1 s"
echo "hostile_tls: ok"
