#!/usr/bin/env bash
# smtpx check with TLS: STARTTLS on Postfix and Exim and implicit TLS on Postfix's SMTPS port,
# verified against the test CA; certificate-expiry thresholds in days on the test certificate
# (valid for 30 days); the TLS facts in the Prometheus and JSON reports (compared with openssl);
# an unknown CA and an expired certificate are CRITICAL at the phase of the handshake, and with
# --insecure the expired one is CRITICAL by its days left.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/tls_lib.sh"
. "$(dirname "$0")/../harness/check_lib.sh"

CERT=$TLS_CERT_DIR/server.pem
NOT_AFTER=$(date -d "$(openssl x509 -in "$CERT" -noout -enddate | cut -d= -f2)" +%s)
DAYS_LEFT=$(( (NOT_AFTER - $(date +%s)) / 86400 ))
TIME='[0-9]+\.[0-9]{6}s'

# --- STARTTLS on Postfix and Exim: OK, a starttls phase, the certificate's days as perfdata.
for server in "localhost:$POSTFIX_PORT" "127.0.0.1:$EXIM_PORT"; do
  nagios 0 -H "$server" --starttls --tls-ca-file "$TLS_CA_FILE" --require STARTTLS --cert-warning 10 --cert-critical 5
  assert_eq "time,dns,connect,banner,ehlo,starttls,quit,cert_days" "$(perf_labels)" "perfdata labels ($server)"
  assert_perf starttls "$TIME" - -
  assert_perf cert_days "$DAYS_LEFT\.000000" '10:' '5:'
  assert_text_contains "TLSv1."
  assert_text_contains "certificate valid for $DAYS_LEFT more days"
done

# --- AUTH after STARTTLS, through RCPT.
nagios 0 -H "localhost:$POSTFIX_PORT" --starttls --tls-ca-file "$TLS_CA_FILE" \
  --auth-user "$TEST_USER" --auth-password "$TEST_PASS" --stop-after rcpt --to probe@example.com
assert_eq "time,dns,connect,banner,ehlo,starttls,auth,mail,rcpt,quit,cert_days" "$(perf_labels)" "perfdata labels"

# --- certificate expiry thresholds: fewer days left than asked for.
nagios 1 -H "localhost:$POSTFIX_PORT" --starttls --tls-ca-file "$TLS_CA_FILE" --cert-warning 60 --cert-critical 7
assert_text_contains "the certificate expires in $DAYS_LEFT.0 days (warning below 60)"
assert_perf cert_days "$DAYS_LEFT\.000000" '60:' '7:'
nagios 2 -H "localhost:$POSTFIX_PORT" --starttls --tls-ca-file "$TLS_CA_FILE" --cert-warning 90 --cert-critical 60
assert_text_contains "the certificate expires in $DAYS_LEFT.0 days (critical below 60)"

# --- implicit TLS on Postfix's SMTPS port; the facts in Prometheus and JSON.
nagios 0 -H "localhost:$POSTFIX_SMTPS_PORT" --tls --tls-ca-file "$TLS_CA_FILE"
assert_eq "time,dns,connect,banner,ehlo,quit,cert_days" "$(perf_labels)" "perfdata labels (SMTPS)"
assert_exit 0 "$SMTPX" check -H "localhost:$POSTFIX_SMTPS_PORT" --tls --tls-ca-file "$TLS_CA_FILE" --format prometheus
prom_parse "$LAST_STDOUT"
assert_sample "probe_ssl_earliest_cert_expiry $NOT_AFTER"
grep -qE '^probe_tls_version_info\{version="TLSv1\.[23]"\} 1$' "$PROM" || fail "no probe_tls_version_info: $(cat "$PROM")"
assert_exit 0 "$SMTPX" check -H "localhost:$POSTFIX_SMTPS_PORT" --tls --tls-ca-file "$TLS_CA_FILE" --format json
python3 - "$LAST_STDOUT" "$(openssl_sha256 "$CERT")" "$NOT_AFTER" <<'PY' || fail "TLS facts in JSON: $(cat "$LAST_STDOUT")"
import json, sys
[result] = json.load(open(sys.argv[1]))
tls = result["tls"]
assert tls["verified"] is True and tls["sha256"] == sys.argv[2] and tls["not_after"] == int(sys.argv[3]), tls
assert tls["subject"] == "O=smtpx tests,CN=localhost" and tls["server_name"] == "localhost", tls
PY

# --- without the test CA: CRITICAL at starttls, naming the unknown CA.
nagios 2 -H "localhost:$POSTFIX_PORT" --starttls
assert_text_contains "starttls: TLS: unknown CA"
assert_perf quit U - -
nagios 2 -H "localhost:$POSTFIX_SMTPS_PORT" --tls
assert_text_contains "connect: TLS: unknown CA"

# --- an expired certificate: refused at the handshake, or with --insecure judged by its days.
start_tls_server expired
nagios 2 -H "localhost:$TLS_SERVER_PORT" --starttls --tls-ca-file "$TLS_CA_FILE"
assert_text_contains "starttls: TLS: certificate has expired"
nagios 2 -H "localhost:$TLS_SERVER_PORT" --starttls --tls-ca-file "$TLS_CA_FILE" --insecure --cert-critical 7
assert_text_contains "the certificate expired"
assert_text_contains "days ago (critical below 7)"
assert_exit 2 "$SMTPX" check -H "localhost:$TLS_SERVER_PORT" --starttls --tls-ca-file "$TLS_CA_FILE" --insecure \
  --cert-critical 7 --format prometheus
prom_parse "$LAST_STDOUT"
assert_sample 'probe_success 1'
assert_sample 'probe_smtp_state 2'

# --- a self-signed certificate accepted with --insecure: OK, but the status line says so.
start_tls_server selfsigned
nagios 0 -H "localhost:$TLS_SERVER_PORT" --starttls --insecure
assert_text_contains "certificate not verified (--insecure)"
echo "check_tls: ok"
