#!/usr/bin/env bash
# Implicit TLS (SMTPS): smtp.connect(target, {tls = true}) completes the handshake before the
# banner, against Postfix (smtpd_tls_wrappermode) and Exim (tls_on_connect_ports); the banner
# itself is read inside TLS and mail sent that way is delivered. A TLS client on a plain-text
# port fails the handshake: exit 8.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/tls_lib.sh"

SCRIPT=$SMTPX_ROOT/tests/lua/tls_session.lua

implicit_to() {
  local name=$1 port=$2 to="smtps-${1}@example.com" mailfile
  clear_mailboxes "$name" "$to"
  assert_exit 0 "$SMTPX" run "$SCRIPT" --server "localhost:$port" --tls-ca-file "$TLS_CA_FILE" \
    --set mode=implicit --set "to=$to"
  grep -qx "verified=true" "$LAST_STDOUT" || fail "$name: not verified: $(cat "$LAST_STDOUT")"
  grep -qx "sha256=$(openssl_sha256 "$TLS_CERT_DIR/server.pem")" "$LAST_STDOUT" || fail "$name: wrong sha256"
  assert_contains "$LAST_STDERR" "=== TLS started: TLSv1."
  assert_contains "$LAST_STDERR" "<~  220 "
  assert_contains "$LAST_STDERR" " ~> RCPT TO:<$to>"
  if grep -q "<-  220 " "$LAST_STDERR"; then fail "$name: the banner came in plain text"; fi
  mailfile=$(wait_for_mail "$(mail_dir "$name" "$to")")
  assert_contains "$mailfile" "Subject: sent over TLS (implicit)"
}

implicit_to postfix "$POSTFIX_SMTPS_PORT"
implicit_to exim "$EXIM_SMTPS_PORT"

assert_exit 8 "$SMTPX" run "$SCRIPT" --server "localhost:$POSTFIX_PORT" --tls-ca-file "$TLS_CA_FILE" --set mode=implicit
assert_contains "$LAST_STDERR" "TLS handshake failed: "

echo "PASS: implicit TLS against Postfix and Exim"
