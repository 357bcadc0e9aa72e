#!/usr/bin/env bash
# scripts/load.lua counts refused messages instead of dying on them: a refused RCPT is a failed
# message, the session goes on after RSET (pipelined too, with every reply read so none is
# taken for the next command's), and the run exits 1. Postfix refuses to relay for strangers.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

load() {
  "$SMTPX" run load --server "$TEST_HOST:$POSTFIX_PORT" --set sessions=2 --set messages=3 "$@"
}

assert_exit 1 load --set to=nobody@relay.invalid
assert_contains "$LAST_STDOUT" "messages=0 failed=6"
assert_contains "$LAST_STDERR" "message failed: 554"
assert_contains "$LAST_STDERR" " -> RSET"

assert_exit 1 load --set to=nobody@relay.invalid --set pipelining=1
assert_contains "$LAST_STDOUT" "messages=0 failed=6"
grep -q "protocol\|before the command" "$LAST_STDERR" && fail "a refused pipelined message put the session out of step"

rcpt=load$$@example.com
clear_mailboxes postfix "$rcpt"
assert_exit 0 load --set to="$rcpt" --set pipelining=1 --quiet
assert_contains "$LAST_STDOUT" "messages=6 failed=0"
