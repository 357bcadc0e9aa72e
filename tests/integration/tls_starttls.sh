#!/usr/bin/env bash
# STARTTLS against Postfix and Exim: the connection is upgraded in place, the certificate is
# verified against the test CA (--tls-ca-file), the transcript marks lines inside TLS with ~> / <~,
# mail sent inside TLS is delivered, and session:tls_info() tells the truth about the certificate
# (compared with what openssl says). Without --tls-ca-file the system CAs do not know the test CA:
# exit 8, naming an unknown CA.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/tls_lib.sh"

SCRIPT=$SMTPX_ROOT/tests/lua/tls_session.lua

# fact NAME: the value of NAME=... in the script's output.
fact() {
  sed -n "s/^$1=//p" "$LAST_STDOUT"
}

check_facts() {
  local cert=$TLS_CERT_DIR/server.pem server_name=$1 not_after
  assert_eq true "$(fact verified)" "verified"
  assert_eq "" "$(fact verify_error)" "verify_error"
  [[ $(fact version) == TLSv1.[23] ]] || fail "version: $(fact version)"
  [[ -n $(fact cipher) ]] || fail "no cipher"
  assert_eq "$server_name" "$(fact server_name)" "server_name"
  assert_eq "$(openssl_sha256 "$cert")" "$(fact sha256)" "sha256"
  assert_eq "O=smtpx tests,CN=localhost" "$(fact subject)" "subject"
  assert_eq "O=smtpx tests,CN=smtpx test CA" "$(fact issuer)" "issuer"
  assert_eq "localhost,127.0.0.1" "$(fact sans)" "sans"
  not_after=$(date -d "$(openssl x509 -in "$cert" -noout -enddate | cut -d= -f2)" +%s)
  assert_eq "$not_after" "$(fact not_after)" "not_after"
  assert_eq "$(( (not_after - $(date +%s)) / 86400 ))" "$(fact days_left)" "days_left"
}

starttls_to() {
  local name=$1 port=$2 host=$3 to="tls-${1}@example.com" mailfile
  clear_mailboxes "$name" "$to"
  assert_exit 0 "$SMTPX" run "$SCRIPT" --server "$host:$port" --tls-ca-file "$TLS_CA_FILE" --set "to=$to"
  check_facts "$host"
  # Plain before STARTTLS, marked as TLS after it.
  assert_contains "$LAST_STDERR" " -> STARTTLS"
  assert_contains "$LAST_STDERR" "<-  220 "
  assert_contains "$LAST_STDERR" "=== TLS started: TLSv1."
  assert_contains "$LAST_STDERR" "=== TLS certificate verified for $host"
  assert_contains "$LAST_STDERR" " ~> EHLO client.testbed.local"
  assert_contains "$LAST_STDERR" " ~> MAIL FROM:<sender@testbed.local>"
  assert_contains "$LAST_STDERR" "<~  221 "
  if grep -q -- "^\[[ 0-9.]*ms\]  -> MAIL FROM" "$LAST_STDERR"; then fail "$name: MAIL FROM went out in plain text"; fi
  mailfile=$(wait_for_mail "$(mail_dir "$name" "$to")")
  assert_contains "$mailfile" "Subject: sent over TLS (starttls)"
}

starttls_to postfix "$POSTFIX_PORT" localhost
starttls_to exim "$EXIM_PORT" 127.0.0.1

# The server's log agrees that the session was encrypted.
assert_contains "$POSTFIX_LOG" "TLS connection established from"

# Default trust: the system's CAs, which do not include the test CA.
assert_exit 8 "$SMTPX" run "$SCRIPT" --server "localhost:$POSTFIX_PORT"
assert_contains "$LAST_STDERR" "TLS: unknown CA: no trusted CA vouches for O=smtpx tests,CN=localhost"
# The same CA as a hashed directory.
mkdir "$TEST_TMP/cadir"
cp "$TLS_CA_FILE" "$TEST_TMP/cadir/$(openssl x509 -in "$TLS_CA_FILE" -noout -hash).0"
assert_exit 0 "$SMTPX" run "$SCRIPT" --server "localhost:$POSTFIX_PORT" --tls-ca-dir "$TEST_TMP/cadir"
assert_eq true "$(fact verified)" "verified with --tls-ca-dir"
# --tls-min-version 1.3: both servers speak it.
assert_exit 0 "$SMTPX" run "$SCRIPT" --server "localhost:$EXIM_PORT" --tls-ca-file "$TLS_CA_FILE" --tls-min-version 1.3
assert_eq TLSv1.3 "$(fact version)" "version with --tls-min-version 1.3"

echo "PASS: STARTTLS against Postfix and Exim"
