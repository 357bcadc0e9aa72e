#!/usr/bin/env bash
# scripts/load.lua's options: greeting=HELO gives smtp-source's dialogue (HELO, no ESMTP) and
# still delivers to Postfix; pipelining=1 needs a server whose EHLO reply offers PIPELINING
# (aiosmtpd's does not: exit 5, before any message is sent); bad values are usage errors (exit 2)
# that name the option.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

load() {
  local server=$1; shift
  "$SMTPX" run load --server "$server" --set sessions=2 --set messages=2 "$@"
}
POSTFIX=$TEST_HOST:$POSTFIX_PORT

rcpt=loadhelo$$@example.com
clear_mailboxes postfix "$rcpt"
assert_exit 0 load "$POSTFIX" --set to="$rcpt" --set greeting=helo --set reconnect=yes
assert_contains "$LAST_STDOUT" "messages=4 failed=0"
assert_contains "$LAST_STDERR" " -> HELO localhost"
grep -q " -> EHLO" "$LAST_STDERR" && fail "greeting=helo sent EHLO"
wait_for_mail "$(mail_dir postfix "$rcpt")" 10 4 >/dev/null
# --quiet leaves stderr to errors, and the --transcript file still gets every line.
assert_exit 0 load "$POSTFIX" --set to="$rcpt" --quiet --transcript "$TEST_TMP/load.transcript"
assert_contains "$TEST_TMP/load.transcript" "=== Connected to $POSTFIX."
assert_contains "$TEST_TMP/load.transcript" " -> EHLO localhost"
[[ -s $LAST_STDERR ]] && fail "--quiet wrote to stderr: $(head -3 "$LAST_STDERR")"

assert_exit 5 load "$TEST_HOST:$AIOSMTPD_PORT" --set pipelining=1
assert_contains "$LAST_STDERR" "pipelining=1, but the server's EHLO reply does not offer PIPELINING"
grep -q " -> MAIL" "$LAST_STDERR" && fail "a message was sent to a server without PIPELINING"

usage() {
  assert_exit 2 load "$POSTFIX" "${@:1:$#-1}"
  assert_contains "$LAST_STDERR" "${!#}"
}
usage --set greeting=HELO --set pipelining=1 "pipelining=1 needs greeting=EHLO"
usage --set greeting=LHLO "greeting must be EHLO or HELO, not LHLO"
usage --set sessions=many "sessions must be a number, not \"many\""
usage --set sessions=0 "sessions must be a whole number of at least 1, not 0"
usage --set messages=2.5 "messages must be a whole number of at least 1, not 2.5"
usage --set size=-1 "size must be a whole number of at least 0, not -1"
usage --set rate=0 "rate must be more than 0 messages a second, not 0"
usage --set pipelining=maybe "pipelining must be 1/yes/true/on or 0/no/false/off"
