#!/usr/bin/env bash
# smtpx replay against the harness's real Postfix: the shared transcripts replay green by reply
# code; the versions made ready for the harness (tests/fixtures/transcripts/harness) replay green
# as text with placeholders; a directory replays concurrently with JUnit XML and TAP reports; the
# messages arrive; no secret is printed.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

fixtures=$SMTPX_ROOT/tests/fixtures/transcripts
server=127.0.0.1:$POSTFIX_PORT
secrets=(--set "user=$TEST_USER" --set "password=$TEST_PASS")
for rcpt in rcpt1@example.com rcpt3@testbed.local; do rm -rf "$(mail_dir postfix "$rcpt")"; done

# The shared pastes and logs, by reply code. rcpt2@example.net is relayed nowhere by the harness.
for file in "$fixtures"/postfix-*.txt; do
  assert_exit 0 "$SMTPX" replay "$file" --server "$server" "${secrets[@]}" --rewrite rcpt2@example.net=rcpt2@example.com
  assert_contains "$LAST_STDOUT" "PASS  $file"
done
wait_for_mail "$(mail_dir postfix rcpt1@example.com)" 20 6 >/dev/null
wait_for_mail "$(mail_dir postfix rcpt3@testbed.local)" 20 2 >/dev/null

# The live transcript hides what fills {{secret:...}}.
assert_exit 0 "$SMTPX" replay "$fixtures/postfix-auth-login.telnet.txt" --server "$server" "${secrets[@]}" \
  --transcript "$TEST_TMP/auth.log"
assert_contains "$TEST_TMP/auth.log" ' -> AUTH LOGIN'
assert_contains "$TEST_TMP/auth.log" ' -> ****'
assert_contains "$TEST_TMP/auth.log" '<-  235 2.7.0 Authentication successful'
if grep -q "$TEST_PASS\|dGVzdHBhc3M=" "$TEST_TMP/auth.log" "$LAST_STDOUT" "$LAST_STDERR"; then fail "a secret was printed"; fi
# secrets from the environment
SMTPX_SECRET_USER=$TEST_USER SMTPX_SECRET_PASSWORD=$TEST_PASS \
  assert_exit 0 "$SMTPX" replay "$fixtures/postfix-auth-login.swaks.txt" --server "$server"
# and a clear error naming the missing one, with the documented divergence-free exit (script error)
assert_exit 3 "$SMTPX" replay "$fixtures/postfix-auth-login.swaks.txt" --server "$server" --set "user=$TEST_USER"
assert_contains "$LAST_STDOUT" "no value for the secret 'password': give it with --set password=VALUE or in the environment as SMTPX_SECRET_PASSWORD"

# smtpx's own live transcript (--transcript), credentials hidden as ****, replays as text.
assert_exit 0 "$SMTPX" run send_auth_login --server "$server" --set "user=$TEST_USER" --set "password=$TEST_PASS" \
  --set to=rcpt1@example.com --transcript "$TEST_TMP/own.log"
assert_contains "$TEST_TMP/own.log" ' -> ****'
assert_exit 0 "$SMTPX" import "$TEST_TMP/own.log"
assert_contains "$LAST_STDOUT" 'C: {{secret:password:base64}}'
assert_exit 0 "$SMTPX" replay "$TEST_TMP/own.log" "${secrets[@]}" --match text
assert_contains "$LAST_STDOUT" "PASS  $TEST_TMP/own.log"

# Text and placeholders: the versions made ready for the harness.
assert_exit 0 "$SMTPX" replay "$fixtures/harness" --server "$server" "${secrets[@]}" \
  --junit "$TEST_TMP/junit.xml" --tap "$TEST_TMP/report.tap"
assert_contains "$LAST_STDOUT" "3 transcripts: 3 passed, 0 failed"
# the shared pastes as text fail where the harness differs from the recording (SIZE)
assert_exit 30 "$SMTPX" replay "$fixtures/postfix-plain.telnet.txt" --server "$server" --match text
assert_contains "$LAST_STDOUT" "step 3 (${fixtures}/postfix-plain.telnet.txt line 6): the server offers SIZE"

# Reports a CI system reads: one test case per transcript.
python3 - "$TEST_TMP/junit.xml" <<'PY' || fail "bad JUnit XML"
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
cases = suite.findall("testcase")
assert suite.get("tests") == "3" and suite.get("failures") == "0", suite.attrib
assert sorted(c.get("name").rsplit("/", 1)[-1] for c in cases) == ["postfix-auth-login.smtpx", "postfix-multi-rcpt.smtpx", "postfix-plain.smtpx"]
PY
assert_eq "TAP version 13" "$(head -n 1 "$TEST_TMP/report.tap")" "TAP header"
assert_eq 3 "$(grep -c '^ok ' "$TEST_TMP/report.tap")" "passed TAP tests"

# Many at once, on one event loop: 20 copies replay concurrently.
mkdir "$TEST_TMP/many"
for i in $(seq -w 1 20); do cp "$fixtures/harness/postfix-plain.smtpx" "$TEST_TMP/many/plain-$i.smtpx"; done
start=$(date +%s.%N)
assert_exit 0 "$SMTPX" replay "$TEST_TMP/many" --server "$server" --quiet --tap -
elapsed=$(python3 -c "import time; print(round(time.time() - $start, 2))")
assert_eq 20 "$(grep -c '^ok ' "$LAST_STDOUT")" "TAP on stdout"
assert_contains "$LAST_STDERR" "20 transcripts: 20 passed, 0 failed"
echo "replay_postfix: ok (20 concurrent replays in ${elapsed}s)"
