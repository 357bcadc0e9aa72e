#!/usr/bin/env bash
# STARTTLS in transcripts, against tests/harness/tls_server.py: the RFC 3207 example replays with
# its "! starttls" step (the handshake verified against the test CA, EHLO again inside TLS), and a
# recording made through `smtpx record` relays the handshake, says where the recording stops, and
# replays.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

fixtures=$SMTPX_ROOT/tests/fixtures/transcripts
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TEST_TMP"' EXIT

bash "$SMTPX_ROOT/tests/harness/make_certs.sh" "$TEST_TMP/certs" >/dev/null 2>&1 || fail "make_certs.sh failed"

# background NAME CMD...: runs CMD, waits for its "listening on HOST:PORT" and sets $port.
background() {
  local name=$1 i
  shift
  "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" &
  pids+=($!)
  last_pid=$!
  for i in $(seq 100); do grep -q '^listening on ' "$TEST_TMP/$name.out" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/^listening on .*://p' "$TEST_TMP/$name.out")
  [[ -n $port ]] || fail "$name did not start: $(cat "$TEST_TMP/$name.err")"
}

background tls /usr/bin/python3 "$SMTPX_ROOT/tests/harness/tls_server.py" --port 0 \
  --cert "$TEST_TMP/certs/server.pem" --key "$TEST_TMP/certs/server.key"
tls_port=$port
ca=(--tls-ca-file "$TEST_TMP/certs/ca.pem")

assert_exit 0 "$SMTPX" replay "$fixtures/rfc3207-starttls.txt" --server "localhost:$tls_port" "${ca[@]}"
assert_contains "$LAST_STDERR" '=== TLS started: TLSv1.'
assert_contains "$LAST_STDERR" ' ~> EHLO mail.example.com'
# an untrusted certificate fails the step: exit 8
assert_exit 8 "$SMTPX" replay "$fixtures/rfc3207-starttls.txt" --server "localhost:$tls_port"

background record "$SMTPX" record --listen 127.0.0.1:0 --server "127.0.0.1:$tls_port" --out "$TEST_TMP/tls.smtpx" --sessions 1
assert_exit 0 swaks --server "127.0.0.1:$port" --tls --from sender@testbed.local --to tls@example.com
wait "$last_pid" || fail "record exited $?: $(cat "$TEST_TMP/record.err")"
assert_contains "$TEST_TMP/tls.smtpx" '@tls starttls'
assert_contains "$TEST_TMP/tls.smtpx" 'C: STARTTLS'
assert_contains "$TEST_TMP/tls.smtpx" 'S: 220 2.0.0 Ready to start TLS'
assert_contains "$TEST_TMP/tls.smtpx" '! starttls'
assert_contains "$TEST_TMP/tls.smtpx" '# the recording stops here: the dialogue goes on inside TLS'
assert_exit 0 "$SMTPX" replay "$TEST_TMP/tls.smtpx" --server "localhost:$tls_port" "${ca[@]}"
echo "replay_tls: ok"
