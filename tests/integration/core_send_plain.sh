#!/usr/bin/env bash
# send_plain against the harness's real Postfix: the message arrives in the Maildir intact,
# dot-stuffed lines un-stuffed, and the transcript shows the whole dialogue.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

maildir=$POSTFIX_MAILDIR_ROOT/example.com/core-plain
rm -rf "$maildir"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

body=$'first line\n.leading dot\n..two dots\n.\nlast line'
"$SMTPX" run send_plain --server "127.0.0.1:$POSTFIX_PORT" \
  --set from=sender@testbed.local --set to=core-plain@example.com \
  --set subject="core plain test" --set body="$body" \
  --transcript "$out/transcript" 2> "$out/stderr" || fail "send_plain failed: $(cat "$out/stderr")"

message=$(wait_for_mail "$maildir" 20)
assert_contains "$message" "Subject: core plain test"
assert_contains "$message" "From: sender@testbed.local"
assert_contains "$message" "To: core-plain@example.com"
assert_contains "$message" "Message-ID: <"
assert_contains "$message" "Date: "
# The body after the header block, exactly as given (Postfix stores LF line ends).
delivered_body=$(sed '1,/^$/d' "$message")
assert_eq "$body" "$delivered_body"

# The live transcript: client and server lines, the dot-stuffed body line, the final reply.
for line in ' -> EHLO localhost' '<-  220 ' ' -> ..leading dot' ' -> ...two dots' ' -> ..' \
            '<-  250 2.0.0 Ok: queued as' ' -> QUIT' '<-  221 2.0.0 Bye'; do
  assert_contains "$out/transcript" "$line"
done
assert_contains "$out/stderr" '<-  250 2.0.0 Ok: queued as'
assert_contains "$out/transcript" "=== Connected to 127.0.0.1:$POSTFIX_PORT."
assert_contains "$out/stderr" "=== Connected to 127.0.0.1:$POSTFIX_PORT."
echo "core_send_plain: ok"
