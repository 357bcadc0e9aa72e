#!/usr/bin/env bash
# Checks the test bed itself with swaks (no smtpx involved): every server takes plain mail,
# AUTH LOGIN and AUTH PLAIN, answers a wrong password with 535, refuses refused@example.com and
# delivers the other recipients to the Maildirs that servers.env names.
#   bash tests/harness/servers.sh start all && bash tests/harness/selftest.sh
# shellcheck source=tests/harness/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SWAKS_AUTH_FAILED=28  # swaks' exit code when the server rejects the credentials

swaks_to() {
  local port=$1
  shift
  swaks --server "$TEST_HOST:$port" --from sender@testbed.local --timeout 20 "$@"
}

check_server() {
  local name=$1 port=$2 mailfile
  clear_mailboxes "$name" plain@example.com auth-login@example.com auth-plain@example.com nobody@example.com \
    one@example.com three@testbed.local

  assert_exit 0 swaks_to "$port" --to plain@example.com --header "Subject: plain via $name"
  mailfile=$(wait_for_mail "$(mail_dir "$name" plain@example.com)")
  assert_contains "$mailfile" "Subject: plain via $name"

  local mech
  for mech in LOGIN PLAIN; do
    assert_exit 0 swaks_to "$port" --to "auth-${mech,,}@example.com" \
      --auth "$mech" --auth-user "$TEST_USER" --auth-password "$TEST_PASS"
    assert_contains "$LAST_STDOUT" "235 "
    wait_for_mail "$(mail_dir "$name" "auth-${mech,,}@example.com")" >/dev/null
  done

  assert_exit "$SWAKS_AUTH_FAILED" swaks_to "$port" --to nobody@example.com \
    --auth PLAIN --auth-user "$TEST_USER" --auth-password wrong
  assert_contains "$LAST_STDOUT" "535 "

  assert_exit 0 swaks_to "$port" --to "one@example.com,$TEST_REFUSED_RCPT,three@testbed.local"
  assert_contains "$LAST_STDOUT" "550 "
  wait_for_mail "$(mail_dir "$name" one@example.com)" >/dev/null
  wait_for_mail "$(mail_dir "$name" three@testbed.local)" >/dev/null
  [[ ! -e $(mail_dir "$name" "$TEST_REFUSED_RCPT") ]] || fail "$name delivered to $TEST_REFUSED_RCPT"
  echo "ok: $name"
}

check_server postfix "$POSTFIX_PORT"
check_server exim "$EXIM_PORT"
check_server aiosmtpd "$AIOSMTPD_PORT"

# Postfix also offers CRAM-MD5 (from libsasl2-modules).
clear_mailboxes postfix cram@example.com
assert_exit 0 swaks_to "$POSTFIX_PORT" --to cram@example.com \
  --auth CRAM-MD5 --auth-user "$TEST_USER" --auth-password "$TEST_PASS"
wait_for_mail "$(mail_dir postfix cram@example.com)" >/dev/null
echo "ok: postfix CRAM-MD5"

# The slow server: a whole transaction works, after a banner that takes SLOW_BANNER_DELAY.
start=$EPOCHREALTIME
assert_exit 0 swaks_to "$SLOW_PORT" --to x@example.com
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
awk -v e="$elapsed" -v d="$SLOW_BANNER_DELAY" 'BEGIN { exit !(e >= d) }' ||
  fail "slow server answered in ${elapsed}s, before its ${SLOW_BANNER_DELAY}s banner delay"
assert_contains "$LAST_STDOUT" "221 "
echo "ok: slow (${elapsed}s)"

clear_mailboxes postfix cram@example.com
echo "harness selftest: 5 passed, 0 failed"
