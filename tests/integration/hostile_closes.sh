#!/usr/bin/env bash
# Servers that hang up: right after the banner, in the middle of a reply, after 354, and with a
# 421 in the middle of a transaction. Each run ends at once with the phase's exit code and a
# message that names the phase and what happened.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/hostile_lib.sh"
hostile_start


# A banner, then the server closes: EHLO meets the closed connection (exit 21: ehlo).
run_bounded 21 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_CLOSE_AFTER_BANNER"
assert_contains "$LAST_STDERR" "ehlo: "
grep -qE "connection closed by server|Connection reset by peer|Broken pipe" "$LAST_STDERR" ||
  fail "the message does not say the server closed: $(tail -n 3 "$LAST_STDERR")"

# Half a multi-line banner, then the server closes.
run_bounded 20 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_CLOSE_MID_REPLY"
assert_contains "$LAST_STDERR" "banner: expected"
assert_contains "$LAST_STDERR" "connection closed by server"

# 354, then the server closes: the message's end gets no reply (exit 27: dot).
run_bounded 27 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_CLOSE_AFTER_354"
assert_contains "$LAST_STDERR" "dot: "
grep -qE "connection closed by server|Connection reset by peer|Broken pipe" "$LAST_STDERR" ||
  fail "the message does not say the server closed: $(tail -n 3 "$LAST_STDERR")"

# The same with the raw primitives: the eof branch of expect gets the reason.
cat >"$TEST_TMP/eof.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
s:send("EHLO x") s:expect(250)
s:send("MAIL FROM:<a@example.com>") s:expect(250)
s:send("RCPT TO:<b@example.com>") s:expect(250)
s:send("DATA") s:expect(354)
s:send_data("Subject: x\n\nbody\n")
return s:expect { { 250, function() return 0 end }, eof = function(_, _, why) print("eof: " .. why) return 7 end }
LUA
run_bounded 7 0 "$SMTPX" run "$TEST_TMP/eof.lua" --server "127.0.0.1:$HOSTILE_PORT_CLOSE_AFTER_354"
grep -qE "^eof: (connection closed by server|receive failed: Connection reset by peer)" "$LAST_STDOUT" ||
  fail "the eof branch did not run: $(cat "$LAST_STDOUT")"

# 421 instead of the RCPT reply, then the server closes: refused at rcpt (exit 25), the 421 quoted.
run_bounded 25 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_MID_421"
assert_contains "$LAST_STDERR" "rcpt: "
assert_contains "$LAST_STDOUT" "421 4.3.2 hostile.test shutting down in the middle of your transaction"
# With send_plain (no stdlib), the 421 is what the RCPT expect meets (exit 5).
run_bounded 5 0 "$SMTPX" run send_plain --server "127.0.0.1:$HOSTILE_PORT_MID_421" --set to=victim@example.com --timeout 1
assert_contains "$LAST_STDERR" "expected 250 or 251, but the server said: 421 4.3.2 hostile.test shutting down"
echo "hostile_closes: ok"
