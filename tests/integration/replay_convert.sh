#!/usr/bin/env bash
# smtpx convert --to lua: the script it writes runs green against the same server with smtpx run,
# for a paste compared by code and for a transcript compared as text with placeholders.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

fixtures=$SMTPX_ROOT/tests/fixtures/transcripts
server=127.0.0.1:$POSTFIX_PORT

for file in "$fixtures/postfix-auth-login.telnet.txt" "$fixtures/harness/postfix-auth-login.smtpx" \
            "$fixtures/harness/postfix-multi-rcpt.smtpx"; do
  script=$TEST_TMP/$(basename "$file").lua
  assert_exit 0 "$SMTPX" convert "$file" --to lua -o "$script"
  assert_contains "$script" 'local replay = require("smtpx.replay")'
  assert_exit 0 "$SMTPX" run "$script" --server "$server" --set "user=$TEST_USER" --set "password=$TEST_PASS" --sandbox
  assert_contains "$LAST_STDERR" '<-  221 2.0.0 Bye'
  if [[ $file == *auth* ]]; then assert_contains "$LAST_STDERR" ' -> ****'; fi
  if grep -q "$TEST_PASS\|dGVzdHBhc3M=" "$script" "$LAST_STDERR"; then fail "$file: a secret was printed"; fi
done
assert_contains "$TEST_TMP/postfix-auth-login.telnet.txt.lua" 's:expect(250)  -- 250 2.1.0 Ok'
assert_contains "$TEST_TMP/postfix-auth-login.smtpx.lua" '"S: 250 2.0.0 Ok: queued as {{queue_id}}",'

# An edited expectation fails like any expect: exit 5, naming the script line.
sed 's/"S: 221 2.0.0 Bye"/"S: 221 2.0.0 Farewell"/' "$TEST_TMP/postfix-auth-login.smtpx.lua" > "$TEST_TMP/edited.lua"
line=$(grep -n 'Farewell' "$TEST_TMP/edited.lua" | cut -d: -f1)
assert_exit 5 "$SMTPX" run "$TEST_TMP/edited.lua" --server "$server" --set "user=$TEST_USER" --set "password=$TEST_PASS"
assert_contains "$LAST_STDERR" 'expected "221 2.0.0 Farewell", got "221 2.0.0 Bye"'

assert_exit 2 "$SMTPX" convert "$fixtures/postfix-plain.telnet.txt"
assert_exit 31 "$SMTPX" convert "$fixtures/bad/reply-without-code.txt" --to lua
echo "replay_convert: ok"
