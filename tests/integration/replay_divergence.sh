#!/usr/bin/env bash
# A replay stops at the first divergence with exit 30, naming the step, the transcript line and
# what was expected and received; --keep-going reports every one; a transcript that does not import
# is exit 31 and a server that cannot be reached exit 4, each a failed test case of its own.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

fixtures=$SMTPX_ROOT/tests/fixtures/transcripts
server=127.0.0.1:$POSTFIX_PORT

# The RCPT reply changed from 250 to 251: step 7 (greeting, EHLO, its reply, MAIL, its reply,
# RCPT, its reply), at the line of that reply.
sed 's/^S: 250 2.1.5 Ok$/S: 251 2.1.5 Ok/' "$fixtures/harness/postfix-plain.smtpx" > "$TEST_TMP/changed.smtpx"
line=$(grep -n '^S: 251 2.1.5 Ok$' "$TEST_TMP/changed.smtpx" | cut -d: -f1)
assert_exit 30 "$SMTPX" replay "$TEST_TMP/changed.smtpx" --server "$server"
assert_contains "$LAST_STDOUT" "FAIL  $TEST_TMP/changed.smtpx  (exit 30)"
assert_contains "$LAST_STDOUT" "step 7 ($TEST_TMP/changed.smtpx line $line): expected \"251 2.1.5 Ok\", got \"250 2.1.5 Ok\""
# it stopped there: no DATA went out
if grep -q ' -> DATA' "$LAST_STDERR"; then fail "the replay went on after the divergence"; fi

# A changed text: the second RCPT reply of the multi-recipient transcript, and the final reply.
sed -e 's/^S: 221 2.0.0 Bye$/S: 221 2.0.0 Goodbye/' -e '0,/^S: 250 2.1.5 Ok$/s//S: 250 2.1.5 Okay/' \
  "$fixtures/harness/postfix-multi-rcpt.smtpx" > "$TEST_TMP/texts.smtpx"
assert_exit 30 "$SMTPX" replay "$TEST_TMP/texts.smtpx" --server "$server"
assert_contains "$LAST_STDOUT" 'expected "250 2.1.5 Okay", got "250 2.1.5 Ok"'
if grep -q 'Goodbye' "$LAST_STDOUT"; then fail "the first divergence did not stop the replay"; fi
assert_exit 30 "$SMTPX" replay "$TEST_TMP/texts.smtpx" --server "$server" --keep-going --junit "$TEST_TMP/junit.xml"
assert_contains "$LAST_STDOUT" 'expected "250 2.1.5 Okay", got "250 2.1.5 Ok"'
assert_contains "$LAST_STDOUT" 'expected "221 2.0.0 Goodbye", got "221 2.0.0 Bye"'
assert_contains "$TEST_TMP/junit.xml" 'failures="1"'
assert_contains "$TEST_TMP/junit.xml" 'type="exit 30"'

# One run, several outcomes: each transcript is a test case; the exit code is the highest.
mkdir "$TEST_TMP/mixed"
cp "$fixtures/harness/postfix-plain.smtpx" "$TEST_TMP/mixed/a-good.smtpx"
cp "$TEST_TMP/changed.smtpx" "$TEST_TMP/mixed/b-changed.smtpx"
cp "$fixtures/bad/message-without-end.txt" "$TEST_TMP/mixed/c-bad.txt"
assert_exit 31 "$SMTPX" replay "$TEST_TMP/mixed" --server "$server" --tap "$TEST_TMP/mixed.tap"
assert_contains "$LAST_STDOUT" "3 transcripts: 1 passed, 2 failed"
assert_contains "$TEST_TMP/mixed.tap" "ok 1 - $TEST_TMP/mixed/a-good.smtpx"
assert_contains "$TEST_TMP/mixed.tap" "not ok 2 - $TEST_TMP/mixed/b-changed.smtpx"
assert_contains "$TEST_TMP/mixed.tap" "  exit: 30"
assert_contains "$TEST_TMP/mixed.tap" "not ok 3 - $TEST_TMP/mixed/c-bad.txt"
assert_contains "$TEST_TMP/mixed.tap" "  exit: 31"

# Nobody listens: exit 4.
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
assert_exit 4 "$SMTPX" replay "$fixtures/postfix-plain.telnet.txt" --server "127.0.0.1:$closed_port"
assert_contains "$LAST_STDERR" "Connection refused"

# No server given, and none in the transcript: a usage error for that test case.
assert_exit 2 "$SMTPX" replay "$fixtures/rfc5321-d1.txt"
assert_contains "$LAST_STDOUT" "no --server given"
echo "replay_divergence: ok"
