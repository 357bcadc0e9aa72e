#!/usr/bin/env bash
# smtpx record: swaks talks through the proxy to the real Postfix, several sessions at once (plain,
# AUTH LOGIN, PLAIN with PIPELINING, CRAM-MD5); each becomes a transcript with time stamps and
# secret placeholders for the AUTH payloads, and `smtpx replay` of each recording against Postfix
# passes. STARTTLS is relayed and said so.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

server=127.0.0.1:$POSTFIX_PORT
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TEST_TMP"' EXIT

# record SESSIONS OUT: starts the proxy in the background; sets $port and $proxy_pid.
record() {
  local i
  "$SMTPX" record --listen 127.0.0.1:0 --server "$server" --out "$2" --sessions "$1" \
    >"$TEST_TMP/record.out" 2>"$TEST_TMP/record.err" &
  proxy_pid=$!
  pids+=("$proxy_pid")
  for i in $(seq 200); do grep -q "^listening on " "$TEST_TMP/record.out" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's/^listening on .*://p' "$TEST_TMP/record.out")
  [[ -n $port ]] || fail "record did not start: $(cat "$TEST_TMP/record.err")"
}

swaks_through() {
  swaks --server "127.0.0.1:$port" --from sender@testbed.local --to record@example.com --timeout 20 "$@"
}

rm -rf "$(mail_dir postfix record@example.com)"
mkdir "$TEST_TMP/recordings"
record 4 "$TEST_TMP/recordings/"
swaks_through --header "Subject: recorded plain" >"$TEST_TMP/s1.log" 2>&1 & s1=$!
swaks_through --auth LOGIN --auth-user "$TEST_USER" --auth-password "$TEST_PASS" >"$TEST_TMP/s2.log" 2>&1 & s2=$!
swaks_through --auth PLAIN --auth-user "$TEST_USER" --auth-password "$TEST_PASS" --pipeline >"$TEST_TMP/s3.log" 2>&1 & s3=$!
swaks_through --auth CRAM-MD5 --auth-user "$TEST_USER" --auth-password "$TEST_PASS" >"$TEST_TMP/s4.log" 2>&1 & s4=$!
for p in $s1 $s2 $s3 $s4; do wait "$p" || fail "swaks through the proxy failed: $(cat "$TEST_TMP"/s*.log)"; done
wait "$proxy_pid" || fail "record exited $?: $(cat "$TEST_TMP/record.err")"
for n in 1 2 3 4; do assert_contains "$TEST_TMP/record.out" "recorded $TEST_TMP/recordings/session-$n.smtpx"; done
wait_for_mail "$(mail_dir postfix record@example.com)" 20 4 >/dev/null

files=("$TEST_TMP"/recordings/session-*.smtpx)
((${#files[@]} == 4)) || fail "expected 4 recordings, got ${#files[@]}"
for file in "${files[@]}"; do
  assert_contains "$file" '# smtpx transcript 1'
  assert_contains "$file" "@server $server"
  assert_contains "$file" '@recorded '
  assert_contains "$file" 'ms] S: 220 postfix.testbed.local ESMTP Postfix (testbed)'
  assert_contains "$file" 'S: 250 2.0.0 Ok: queued as {{queue_id}}'
  assert_contains "$file" 'C: QUIT'
done
cat "${files[@]}" > "$TEST_TMP/all.smtpx"
assert_contains "$TEST_TMP/all.smtpx" 'C: {{secret:user:base64}}'
assert_contains "$TEST_TMP/all.smtpx" 'C: {{secret:password:base64}}'
assert_contains "$TEST_TMP/all.smtpx" 'C: AUTH PLAIN {{auth-plain:user:password}}'
assert_contains "$TEST_TMP/all.smtpx" 'C: {{cram-md5:user:password}}'
if grep -q "$TEST_PASS\|dGVzdHBhc3M=\|AHRlc3R1c2Vy" "$TEST_TMP/all.smtpx" "$TEST_TMP/record.err"; then fail "a secret was recorded"; fi

# Round trip: each recording replays green against Postfix, as text too (its own server's words).
assert_exit 0 "$SMTPX" replay "$TEST_TMP/recordings" --server "$server" --set "user=$TEST_USER" --set "password=$TEST_PASS"
assert_contains "$LAST_STDOUT" "4 transcripts: 4 passed, 0 failed"
assert_exit 0 "$SMTPX" replay "$TEST_TMP/recordings" --server "$server" --set "user=$TEST_USER" --set "password=$TEST_PASS" --match text
wait_for_mail "$(mail_dir postfix record@example.com)" 20 12 >/dev/null

# STARTTLS, when this Postfix offers it: the handshake is relayed, the transcript says where the
# recording stops, and the replay does the handshake too.
# (Output captured first: with pipefail, grep -q closing the pipe early would fail the test.)
ehlo=$(swaks --server "$server" --quit-after EHLO 2>&1 || true)
if [[ $ehlo == *250-STARTTLS* ]]; then
  record 1 "$TEST_TMP/tls.smtpx"
  assert_exit 0 swaks_through --tls
  wait "$proxy_pid" || fail "record exited $?: $(cat "$TEST_TMP/record.err")"
  assert_contains "$TEST_TMP/tls.smtpx" 'C: STARTTLS'
  assert_contains "$TEST_TMP/tls.smtpx" '! starttls'
  assert_contains "$TEST_TMP/tls.smtpx" '# the recording stops here: the dialogue goes on inside TLS'
  assert_exit 0 "$SMTPX" replay "$TEST_TMP/tls.smtpx" --server "$server" --insecure
  echo "replay_record: STARTTLS relayed"
else
  echo "replay_record: this Postfix offers no STARTTLS; that part is skipped"
fi
echo "replay_record: ok"
