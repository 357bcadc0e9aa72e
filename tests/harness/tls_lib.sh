# shellcheck shell=bash
# Helpers for the TLS integration tests (tls_*.sh); source after lib.sh. Needs the TLS settings
# servers.sh writes to servers.env (TLS_CERT_DIR, TLS_CA_FILE, POSTFIX_SMTPS_PORT, EXIM_SMTPS_PORT).

[[ -n ${TLS_CA_FILE:-} && -r ${TLS_CA_FILE:-} ]] ||
  fail "servers.env names no readable TLS_CA_FILE: restart the servers (tests/harness/servers.sh start all)"

# The SHA-256 fingerprint of a PEM certificate as session:tls_info() gives it: lower-case hex.
openssl_sha256() {
  openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
}

# start_tls_server CERT [tls_server.py options...]: runs tests/harness/tls_server.py with
# $TLS_CERT_DIR/CERT.pem on a free port and sets TLS_SERVER_PORT. It is stopped on exit.
TLS_SERVER_PIDS=()
start_tls_server() {
  local cert=$1 log i
  shift
  log=$TEST_TMP/tls-server-$cert-${#TLS_SERVER_PIDS[@]}.log
  # Made here: the background job opens it asynchronously, maybe after the first sed below.
  : >"$log"
  /usr/bin/python3 "$SMTPX_ROOT/tests/harness/tls_server.py" --port 0 \
    --cert "$TLS_CERT_DIR/$cert.pem" --key "$TLS_CERT_DIR/$cert.key" "$@" >"$log" 2>&1 &
  TLS_SERVER_PIDS+=($!)
  for ((i = 0; i < 200; i++)); do
    TLS_SERVER_PORT=$(sed -n 's/^listening on .*://p' "$log")
    [[ -n $TLS_SERVER_PORT ]] && return 0
    sleep 0.05
  done
  fail "tls_server.py ($cert) did not start: $(cat "$log")"
}

stop_tls_servers() {
  local pid
  for pid in "${TLS_SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$TEST_TMP"
}
trap stop_tls_servers EXIT
