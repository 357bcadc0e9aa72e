#!/usr/bin/env bash
# The stdlib client against scripted misbehaviour (tests/integration/stdlib_fake_server.py):
# an early talker and a 554 banner (exit 20), HELO fallback, an AUTH LOGIN prompt that is not
# "Username:" (cancelled with "*", exit 23), an XOAUTH2 error challenge, LMTP replies per
# recipient (partial, exit 29), PIPELINING in one write, nothing sent when every recipient is
# refused (exit 25), CR/LF smuggling refused before it reaches the wire, and phase timings.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

FAKE=$SMTPX_ROOT/tests/integration/stdlib_fake_server.py
FAKE_PID=
trap '[[ -n $FAKE_PID ]] && kill "$FAKE_PID" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

# start_fake SCENARIO [CERT KEY]: starts the fake server; sets FAKE_PORT and FAKE_LOG.
start_fake() {
  local port_file=$TEST_TMP/$1.port i
  FAKE_LOG=$TEST_TMP/$1.log
  rm -f "$port_file" "$FAKE_LOG"
  python3 "$FAKE" "$1" "$port_file" "$FAKE_LOG" "${@:2}" &
  FAKE_PID=$!
  for ((i = 0; i < 100; i++)); do
    [[ -s $port_file ]] && break
    sleep 0.05
  done
  [[ -s $port_file ]] || fail "fake server ($1) did not start"
  FAKE_PORT=$(cat "$port_file")
}

# run_fake SCENARIO EXPECTED_EXIT SMTPX-ARGS...: one smtpx run against a fresh fake server.
run_fake() {
  local scenario=$1 expected=$2
  shift 2
  start_fake "$scenario"
  assert_exit "$expected" "$SMTPX" run "$@" --server "127.0.0.1:$FAKE_PORT" --timeout 10
  wait "$FAKE_PID" 2>/dev/null || true
  FAKE_PID=
}

run_fake early 20 send --set to=a@example.com
assert_contains "$LAST_STDERR" "early talker"

run_fake banner554 20 send --set to=a@example.com
assert_contains "$LAST_STDERR" "did not greet with 220"
assert_contains "$LAST_STDERR" "554 5.7.1 fake.test: no SMTP service for you"

run_fake helo 0 send --set to=a@example.com
assert_contains "$LAST_STDERR" " -> HELO localhost"
assert_contains "$LAST_STDOUT" "accepted a@example.com 250 2.1.5 ok"

run_fake badprompt 23 send --set to=a@example.com --set auth=LOGIN --set user=u --set password=p
assert_contains "$LAST_STDERR" 'decodes to "Login:", not "Username:"'
grep -qxF "b'*\\r\\n'" "$FAKE_LOG" || fail "AUTH LOGIN was not cancelled with '*': $(cat "$FAKE_LOG")"

run_fake xoauth2 23 send --set to=a@example.com --set auth=XOAUTH2 --set user=u --set password=S3cretT0ken
assert_contains "$LAST_STDERR" '"status":"401"'
assert_contains "$LAST_STDERR" " -> ****"
payload=$(printf 'user=u\001auth=Bearer S3cretT0ken\001\001' | base64 -w0)
grep -q "$payload" "$FAKE_LOG" || fail "the XOAUTH2 payload did not reach the server: $(cat "$FAKE_LOG")"
grep -qe "S3cretT0ken" -e "$payload" "$LAST_STDERR" && fail "the XOAUTH2 token shows in the transcript"

run_fake lmtp 29 send --set lmtp=1 --set to=a@example.com,refused@example.com,b@example.com
assert_contains "$LAST_STDERR" " -> LHLO localhost"
assert_contains "$LAST_STDOUT" "accepted a@example.com 250 2.0.0 delivered"
assert_contains "$LAST_STDOUT" "refused  refused@example.com 550 5.1.1 no such user"
assert_contains "$LAST_STDOUT" "refused  b@example.com 452 4.2.2 mailbox full"

run_fake plain 0 send --set pipelining=1 --set to=a@example.com,b@example.com
crlf='\\r\\n'  # as the log shows it: Python's repr of the bytes received in one chunk
one_write="MAIL FROM:<smtpx@localhost> SIZE=[0-9]*${crlf}RCPT TO:<a@example.com>${crlf}RCPT TO:<b@example.com>"
grep -q "${one_write}${crlf}DATA${crlf}'\$" "$FAKE_LOG" ||
  fail "MAIL, RCPTs and DATA did not come in one write: $(cat "$FAKE_LOG")"

run_fake plain 25 send --set pipelining=1 --set to=refused@example.com
assert_contains "$LAST_STDOUT" "refused  refused@example.com 550 5.1.1 no such user"
assert_contains "$LAST_STDERR" "none of the 1 recipients was accepted"
grep -q "Subject" "$FAKE_LOG" && fail "the message was sent although no recipient was accepted"

cat >"$TEST_TMP/smuggle.lua" <<'LUA'
local client = require "smtpx.client"
local c = client.open(params.server)
c:greeting()
c:ehlo()
c:mail("a@example.com")
c:rcpt("b@example.com>\r\nRCPT TO:<c@example.com")
LUA
run_fake plain 3 "$TEST_TMP/smuggle.lua"
assert_contains "$LAST_STDERR" "recipient address contains CR"
grep -q "RCPT" "$FAKE_LOG" && fail "a RCPT reached the server: $(cat "$FAKE_LOG")"

cat >"$TEST_TMP/phases.lua" <<'LUA'
local client = require "smtpx.client"
local c = client.open(params.server)
c:greeting()
local caps = c:ehlo()
assert(caps.size == 100000 and caps.pipelining and caps.auth.XOAUTH2, "capabilities")
assert(c:noop().code == 250 and c:rset().code == 250, "NOOP and RSET")
c:send_message { from = "a@example.com", to = "b@example.com", message = "Subject: t\n\nbody\n" }
c:quit()
for _, phase in ipairs { "connect", "banner", "ehlo", "mail", "rcpt", "data", "dot", "quit" } do
  assert(type(c.phase_times[phase]) == "number" and c.phase_times[phase] >= 0, "no time for " .. phase)
  print(phase, c.phase_times[phase])
end
LUA
run_fake plain 0 "$TEST_TMP/phases.lua"
assert_contains "$LAST_STDOUT" "quit"

# STARTTLS: 220, the handshake, then EHLO again; the capabilities from before TLS are gone.
bash "$SMTPX_ROOT/tests/harness/make_certs.sh" "$TEST_TMP/certs" 2>/dev/null
cat >"$TEST_TMP/starttls.lua" <<'LUA'
local client = require "smtpx.client"
local c = client.open(params.server)
c:greeting()
assert(c:ehlo().starttls, "STARTTLS offered before TLS")
local caps = c:starttls { ca_file = params.ca }
assert(c.tls and not caps.starttls and caps.auth.LOGIN, "new capabilities after TLS")
assert(c.phase_times.starttls > 0, "STARTTLS timed")
c:quit()
LUA
start_fake starttls "$TEST_TMP/certs/server.pem" "$TEST_TMP/certs/server.key"
assert_exit 0 "$SMTPX" run "$TEST_TMP/starttls.lua" --server "127.0.0.1:$FAKE_PORT" --timeout 10 \
  --set ca="$TEST_TMP/certs/ca.pem"
wait "$FAKE_PID" 2>/dev/null || true
FAKE_PID=
assert_eq 2 "$(grep -c ' EHLO localhost' "$LAST_STDERR")" "EHLOs (before and after TLS)"
assert_contains "$LAST_STDERR" " ~> EHLO localhost"
assert_contains "$FAKE_LOG" "TLS started"

echo "stdlib_dialogue: ok"
