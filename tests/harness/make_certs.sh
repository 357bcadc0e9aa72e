#!/usr/bin/env bash
# Makes, with openssl, the certificates the TLS tests need, in DIR (default
# $SMTPX_TEST_STATE/certs, i.e. /tmp/smtpx-test/certs):
#
#   ca.pem                       the test CA (pass it with --tls-ca-file)
#   server.pem   server.key      signed by the CA, valid now, for localhost and 127.0.0.1
#   expired.pem  expired.key     signed by the CA, for localhost and 127.0.0.1, expired in 2020
#   wrongname.pem wrongname.key  signed by the CA, valid now, for wrong.example only
#   selfsigned.pem selfsigned.key self-signed, valid now, for localhost and 127.0.0.1
#   client.pem   client.key      signed by the CA, a client certificate (--tls-cert/--tls-key)
#
#   make_certs.sh [DIR]
#
# Re-running keeps the set while server.pem stays valid for another day, so servers and tests that
# already use the files never see them change under them. Keys are EC P-256 (quick to make) and
# world-readable: they are throw-away test keys, and Exim runs as an unprivileged user.
# openssl 3.0's `x509` cannot backdate a certificate, so every certificate is issued by
# `openssl ca`, whose -startdate/-enddate can.
set -euo pipefail

DIR=${1:-${SMTPX_TEST_STATE:-/tmp/smtpx-test}/certs}
DAYS=30
LOCAL_NAMES=DNS:localhost,IP:127.0.0.1

say() { printf '[certs] %s\n' "$*" >&2; }

up_to_date() {
  [[ -e $DIR/.complete && -s $DIR/server.pem ]] &&
    openssl x509 -in "$DIR/server.pem" -noout -checkend 86400 >/dev/null
}

new_key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DIR/$1.key" 2>/dev/null
}

# The CA's configuration: a database in $DIR/ca, names copied from the request's subject, and
# the extensions that each certificate gets from the `-extfile` written by issue().
write_ca_config() {
  mkdir -p "$DIR/ca/new"
  : >"$DIR/ca/index.txt"
  echo 1000 >"$DIR/ca/serial"
  cat >"$DIR/ca/ca.cnf" <<EOF
[ca]
default_ca = test_ca

[test_ca]
dir = $DIR/ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir/new
certificate = $DIR/ca.pem
private_key = $DIR/ca.key
default_md = sha256
policy = any_name
unique_subject = no
email_in_dn = no

[any_name]
organizationName = optional
commonName = supplied
EOF
}

make_ca() {
  new_key ca
  openssl req -x509 -new -key "$DIR/ca.key" -sha256 -days 3650 -subj "/O=smtpx tests/CN=smtpx test CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -out "$DIR/ca.pem"
}

# issue NAME CN SANS START END [USAGE]: a key and a certificate signed by the CA, valid from START
# to END (YYYYMMDDHHMMSSZ).
issue() {
  local name=$1 cn=$2 sans=$3 start=$4 end=$5 usage=${6:-serverAuth}
  new_key "$name"
  openssl req -new -key "$DIR/$name.key" -subj "/O=smtpx tests/CN=$cn" -out "$DIR/$name.csr"
  printf 'basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = %s\nsubjectAltName = %s\n' \
    "$usage" "$sans" >"$DIR/$name.ext"
  openssl ca -batch -notext -config "$DIR/ca/ca.cnf" -startdate "$start" -enddate "$end" \
    -extfile "$DIR/$name.ext" -in "$DIR/$name.csr" -out "$DIR/$name.pem" 2>/dev/null
  rm -f "$DIR/$name.csr" "$DIR/$name.ext"
}

make_self_signed() {
  new_key selfsigned
  openssl req -x509 -new -key "$DIR/selfsigned.key" -sha256 -days "$DAYS" \
    -subj "/O=smtpx tests/CN=localhost" -addext "subjectAltName=$LOCAL_NAMES" \
    -out "$DIR/selfsigned.pem"
}

utc() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

main() {
  if up_to_date; then
    say "$DIR is up to date"
    return 0
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  write_ca_config
  make_ca
  local now_minus_hour in_days
  now_minus_hour=$(utc '-1 hour')
  in_days=$(utc "+$DAYS days")
  issue server localhost "$LOCAL_NAMES" "$now_minus_hour" "$in_days"
  issue expired localhost "$LOCAL_NAMES" 20200101000000Z 20200201000000Z
  issue wrongname wrong.example DNS:wrong.example "$now_minus_hour" "$in_days"
  issue client "smtpx test client" "DNS:client.testbed.local" "$now_minus_hour" "$in_days" clientAuth
  make_self_signed
  chmod 0755 "$DIR"
  chmod 0644 "$DIR"/*.pem "$DIR"/*.key
  touch "$DIR/.complete"
  say "made test certificates in $DIR"
}

main "$@"
