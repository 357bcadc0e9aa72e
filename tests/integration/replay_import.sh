#!/usr/bin/env bash
# smtpx import: every shared real transcript (telnet pastes, swaks logs, the two tutorials) reads
# without an error and prints the canonical form, which reads back the same; AUTH payloads never
# reach the output; repairs are reported with their lines; bad transcripts exit 31 naming the
# line at fault. No server is needed.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

fixtures=$SMTPX_ROOT/tests/fixtures/transcripts

for file in "$fixtures"/postfix-*.txt "$fixtures"/tutorial-*.telnet.txt "$fixtures"/rfc*.txt "$fixtures"/windows-de.telnet.txt; do
  name=$(basename "$file")
  assert_exit 0 "$SMTPX" import "$file"
  head -n 1 "$LAST_STDOUT" | grep -qx '# smtpx transcript 1' || fail "$name: no canonical header"
  grep -q '^S: 220 ' "$LAST_STDOUT" || fail "$name: no greeting in the canonical form"
  cp "$LAST_STDOUT" "$TEST_TMP/$name.smtpx"
  # the canonical form imports as itself
  assert_exit 0 "$SMTPX" import "$TEST_TMP/$name.smtpx"
  cmp -s "$LAST_STDOUT" "$TEST_TMP/$name.smtpx" || fail "$name: the canonical form does not read back the same"
done

# Secrets: the AUTH LOGIN payloads of the pastes are placeholders now.
for format in telnet swaks; do
  assert_exit 0 "$SMTPX" import "$fixtures/postfix-auth-login.$format.txt" -o "$TEST_TMP/auth.smtpx"
  assert_contains "$TEST_TMP/auth.smtpx" 'C: {{secret:user:base64}}'
  assert_contains "$TEST_TMP/auth.smtpx" 'C: {{secret:password:base64}}'
  if grep -q 'dGVzdHBhc3M=\|dGVzdHVzZXI=' "$TEST_TMP/auth.smtpx" "$LAST_STDERR"; then fail "$format: a secret was printed"; fi
done

# What real pastes get wrong is repaired, and said so with the line.
assert_exit 0 "$SMTPX" import "$fixtures/tutorial-en.telnet.txt"
assert_contains "$LAST_STDERR" "tutorial-en.telnet.txt:12: note: no reply to the DATA at line 11: expecting a 354"
assert_contains "$LAST_STDOUT" 'S# 354'
assert_exit 0 "$SMTPX" import "$fixtures/tutorial-ru.telnet.txt"
assert_contains "$LAST_STDERR" "tutorial-ru.telnet.txt:23: note: the message text that began at line 16 has no lone '.'"
assert_contains "$LAST_STDOUT" 'C: quit'
assert_exit 31 "$SMTPX" import --strict "$fixtures/tutorial-ru.telnet.txt"
assert_contains "$LAST_STDERR" "tutorial-ru.telnet.txt:17:"

# Bad transcripts: exit 31, FILE:LINE: and what is wrong.
assert_exit 31 "$SMTPX" import "$fixtures/bad/reply-without-code.txt"
assert_contains "$LAST_STDERR" "reply-without-code.txt:3: not a server reply: malformed reply line (no 3-digit code)"
assert_exit 31 "$SMTPX" import "$fixtures/bad/message-without-end.txt"
assert_contains "$LAST_STDERR" "message-without-end.txt:9: the message text after this line has no end (a lone '.')"
assert_exit 31 "$SMTPX" import "$fixtures/bad/open-reply.txt"
assert_contains "$LAST_STDERR" "open-reply.txt:3: the reply is not complete"
# prose around the dialogue: every such line is named, none guessed
assert_exit 31 "$SMTPX" import "$fixtures/tutorial-en.prose.txt"
assert_contains "$LAST_STDERR" 'tutorial-en.prose.txt:1: neither a server reply, an SMTP command nor telnet'
assert_contains "$LAST_STDERR" 'tutorial-en.prose.txt:38: '
if grep -q 'prose.txt:6:\|prose.txt:12:' "$LAST_STDERR"; then fail "a telnet command or SMTP command was reported"; fi

# Usage errors
assert_exit 2 "$SMTPX" import
assert_exit 2 "$SMTPX" import --from morse "$fixtures/postfix-plain.telnet.txt"
assert_exit 0 "$SMTPX" import --help
assert_contains "$LAST_STDOUT" "usage: smtpx import FILE"
echo "replay_import: ok"
