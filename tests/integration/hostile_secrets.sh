#!/usr/bin/env bash
# Secrets never show: AUTH against real Postfix, with the password from SMTPX_PASSWORD or --set,
# PLAIN and LOGIN, accepted and refused, through `smtpx run send` and `smtpx check` (every output
# format). Every output (stdout, stderr, --transcript file, JSON) is searched for the password and
# its base64 forms. And no core file can hold it: the core size limit is 0.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/hostile_lib.sh"
hostile_baseline_rss
POSTFIX=127.0.0.1:$POSTFIX_PORT

# The password, and what it looks like inside AUTH PLAIN / LOGIN payloads (whole or unpadded).
b64() { printf '%b' "$1" | base64 -w0; }
FORMS=("$TEST_PASS" "$(b64 "$TEST_PASS")" "$(b64 "$TEST_PASS" | tr -d =)" "$(b64 "\\0$TEST_USER\\0$TEST_PASS")"
  "$(b64 "$TEST_USER\\0$TEST_PASS")" "$(b64 "\\0$TEST_USER\\0$TEST_PASS" | tr -d =)")
WRONG=wrong-secret-$$
WRONG_FORMS=("$WRONG" "$(b64 "$WRONG" | tr -d =)" "$(b64 "\\0$TEST_USER\\0$WRONG" | tr -d =)")

# no_secret FILE... : none of the password's forms (nor the wrong password's) is in any FILE.
no_secret() {
  local file form
  for file in "$@"; do
    for form in "${FORMS[@]}" "${WRONG_FORMS[@]}"; do assert_not_contains "$file" "$form"; done
  done
}

SEND=("$SMTPX" run send --server "$POSTFIX" --timeout 5 --set from=sender@testbed.local
  --set to=secret@example.com --set user="$TEST_USER")
for mechanism in PLAIN LOGIN; do
  # From the environment (the documented way) and from --set.
  run_bounded 0 5 env SMTPX_PASSWORD="$TEST_PASS" "${SEND[@]}" --set auth="$mechanism" --transcript "$TEST_TMP/t1.log"
  assert_contains "$LAST_STDERR" "235 "
  assert_contains "$TEST_TMP/t1.log" "****"
  no_secret "$LAST_STDOUT" "$LAST_STDERR" "$TEST_TMP/t1.log"
  run_bounded 0 5 "${SEND[@]}" --set auth="$mechanism" --set password="$TEST_PASS" --transcript "$TEST_TMP/t2.log"
  no_secret "$LAST_STDOUT" "$LAST_STDERR" "$TEST_TMP/t2.log"
  # A wrong password: refused at auth (exit 23); the error names the phase, not the password.
  run_bounded 23 5 "${SEND[@]}" --set auth="$mechanism" --set password="$WRONG" --transcript "$TEST_TMP/t3.log"
  assert_contains "$LAST_STDERR" "auth: "
  assert_contains "$LAST_STDERR" "535"
  no_secret "$LAST_STDOUT" "$LAST_STDERR" "$TEST_TMP/t3.log"
done

# A script's own secret send is masked too, and an error after it does not quote it.
cat >"$TEST_TMP/own.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
s:send("EHLO secret.example") s:expect(250)
s:send("AUTH PLAIN " .. smtp.base64_encode("\0" .. params.user .. "\0" .. params.password), { secret = true })
s:expect(554)
LUA
run_bounded 5 5 "$SMTPX" run "$TEST_TMP/own.lua" --server "$POSTFIX" --timeout 5 --set user="$TEST_USER" \
  --set password="$TEST_PASS" --transcript "$TEST_TMP/own.log"
assert_contains "$LAST_STDERR" " -> ****"
assert_contains "$LAST_STDERR" "own.lua:5: expected 554, but the server said: 235"
no_secret "$LAST_STDOUT" "$LAST_STDERR" "$TEST_TMP/own.log"

# smtpx check with AUTH, in every format, accepted and refused.
for format in nagios prometheus json; do
  for password in "$TEST_PASS" "$WRONG"; do
    LAST_EXIT=0
    "$SMTPX" check -H "$POSTFIX" --auth-user "$TEST_USER" --auth-password "$password" --format "$format" \
      --timeout 5 >"$TEST_TMP/check.out" 2>"$TEST_TMP/check.err" || LAST_EXIT=$?
    no_secret "$TEST_TMP/check.out" "$TEST_TMP/check.err"
  done
done

# No core file: the soft limit is 0 inside smtpx (a crash would dump the secrets otherwise).
printf 'for line in io.lines("/proc/self/limits") do if line:find("^Max core file size") then print(line) end end\n' \
  >"$TEST_TMP/limits.lua"
core=$(ulimit -c unlimited 2>/dev/null; "$SMTPX" run "$TEST_TMP/limits.lua")
[[ $core =~ ^Max\ core\ file\ size\ +0\  ]] || fail "core dumps are possible: '$core'"
echo "hostile_secrets: ok"
