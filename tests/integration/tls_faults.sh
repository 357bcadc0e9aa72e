#!/usr/bin/env bash
# Certificates smtpx must not accept, and STARTTLS injection, each against
# tests/harness/tls_server.py (real servers do not offer these faults on demand): an expired
# certificate, one for another host name, a self-signed one, and a server that sends plain text
# right after its 220 to STARTTLS (CVE-2011-0411). Each exits 8 with a message naming the cause;
# --insecure goes on past a bad certificate and warns in the transcript. A client certificate
# (--tls-cert/--tls-key) reaches the server.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/tls_lib.sh"

SCRIPT=$SMTPX_ROOT/tests/lua/tls_session.lua

# refused CERT CAUSE [tls_server.py options]: STARTTLS to a server showing CERT exits 8 and the
# error names CAUSE; nothing is sent inside TLS.
refused() {
  local cert=$1 cause=$2
  shift 2
  start_tls_server "$cert" "$@"
  assert_exit 8 "$SMTPX" run "$SCRIPT" --server "localhost:$TLS_SERVER_PORT" --tls-ca-file "$TLS_CA_FILE"
  assert_contains "$LAST_STDERR" "tls_session.lua:"
  assert_contains "$LAST_STDERR" "$cause"
  if grep -q " ~> " "$LAST_STDERR"; then fail "$cert: smtpx sent data over a TLS session it should refuse"; fi
}

refused expired "TLS: certificate has expired: O=smtpx tests,CN=localhost was valid until 2020-02-01 00:00:00 UTC"
refused wrongname "TLS: host name mismatch: the certificate is for wrong.example, not for localhost"
refused selfsigned "TLS: self-signed certificate: O=smtpx tests,CN=localhost is signed by itself"
refused server "STARTTLS injection: the server sent 1 more reply (\"250 injected before TLS\")" --inject
assert_contains "$LAST_STDERR" "CVE-2011-0411"

# Implicit TLS meets the same checks.
start_tls_server expired --implicit
assert_exit 8 "$SMTPX" run "$SCRIPT" --server "127.0.0.1:$TLS_SERVER_PORT" --tls-ca-file "$TLS_CA_FILE" --set mode=implicit
assert_contains "$LAST_STDERR" "TLS: certificate has expired"

# --insecure: the session goes on, the transcript warns and tls_info() still tells what is wrong.
start_tls_server selfsigned
assert_exit 0 "$SMTPX" run "$SCRIPT" --server "localhost:$TLS_SERVER_PORT" --insecure
assert_contains "$LAST_STDERR" "=== WARNING: TLS certificate not checked (insecure); it would have failed: self-signed certificate"
assert_contains "$LAST_STDERR" " ~> QUIT"
assert_contains "$LAST_STDOUT" "verified=false"
assert_contains "$LAST_STDOUT" "verify_error=self-signed certificate: O=smtpx tests,CN=localhost is signed by itself"

# A client certificate, from the command line.
start_tls_server server --client-ca "$TLS_CA_FILE"
assert_exit 0 "$SMTPX" run "$SCRIPT" --server "localhost:$TLS_SERVER_PORT" --tls-ca-file "$TLS_CA_FILE" \
  --tls-cert "$TLS_CERT_DIR/client.pem" --tls-key "$TLS_CERT_DIR/client.key"
assert_contains "$LAST_STDERR" "<~  250-tls.testbed.local greets you (client certificate CN=smtpx test client)"

# Options from the script override the command line: a script that trusts the CA itself.
cat >"$TEST_TMP/own_ca.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
s:send("EHLO client.testbed.local")
s:expect(250)
s:send("STARTTLS")
s:expect(220)
local info = s:starttls({ ca_file = params.ca, server_name = "localhost", min_version = "1.2" })
assert(info.verified and info.server_name == "localhost" and s:tls_info().sha256 == info.sha256)
s:send("QUIT")
s:expect(221)
LUA
assert_exit 0 "$SMTPX" run "$TEST_TMP/own_ca.lua" --server "127.0.0.1:$TLS_SERVER_PORT" --set "ca=$TLS_CA_FILE"

echo "PASS: TLS faults"
