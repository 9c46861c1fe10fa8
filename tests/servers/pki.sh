#!/usr/bin/env bash
# Makes a throw-away PKI for the TLS test servers with openssl: a test CA, a server certificate
# it signs for the AWS-like host names, and the bad certificates the TLS failure tests need.
#
# Usage: tests/servers/pki.sh DIR
#
# Writes into DIR (created if missing; existing files are replaced):
#   ca.pem, ca.key            the test CA (clients trust it through AWS_CA_BUNDLE)
#   server.pem, server.key    signed by the CA for DNS:s3.localhost, DNS:*.s3.localhost and
#                             IP:127.0.0.1 (what RGW serves; rgw_dns_name = s3.localhost)
#   expired.pem, expired.key  the same names, signed by the same CA, already expired
#   other-ca.pem              a second CA that signed nothing here ("unknown CA" for clients)
# Keys are EC P-256 (fast to make); the certificates are valid for 2 days.
set -euo pipefail

PROG="pki.sh"
die() { echo "$PROG: error: $*" >&2; exit 1; }
(($# == 1)) || { echo "usage: $PROG DIR" >&2; exit 2; }
command -v openssl >/dev/null 2>&1 || die "openssl not found; run scripts/setup.sh"
mkdir -p "$1" || die "cannot create $1"
D=$(cd "$1" && pwd -P)
log="$D/openssl.log"
: >"$log"

ossl() { openssl "$@" >>"$log" 2>&1 || die "openssl $1 failed (see $log)"; }
new_key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
self_signed_ca() { # KEY CERT CN
  ossl req -x509 -new -key "$1" -out "$2" -days 2 -subj "/CN=$3" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}
# KEY CERT DAYS: a server certificate for the AWS-like names, signed by the test CA. DAYS -1
# gives a certificate whose notAfter is already past ("certificate has expired").
server_cert() {
  ossl req -new -key "$1" -out "$D/req.csr" -subj "/CN=s3.localhost"
  ossl x509 -req -in "$D/req.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days "$3" -extfile "$D/server.ext" -out "$2"
  rm -f "$D/req.csr"
}

cat >"$D/server.ext" <<'EXT'
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:s3.localhost, DNS:*.s3.localhost, IP:127.0.0.1
EXT

new_key "$D/ca.key"
self_signed_ca "$D/ca.key" "$D/ca.pem" "s3tar test CA"
new_key "$D/server.key"
server_cert "$D/server.key" "$D/server.pem" 2
new_key "$D/expired.key"
server_cert "$D/expired.key" "$D/expired.pem" -1
new_key "$D/other-ca.key"
self_signed_ca "$D/other-ca.key" "$D/other-ca.pem" "s3tar test CA that signed nothing"
rm -f "$D/other-ca.key"
chmod 600 "$D"/*.key

# The files must say what the tests rely on; a silent openssl change would make them vacuous.
openssl verify -CAfile "$D/ca.pem" "$D/server.pem" >>"$log" 2>&1 || die "server.pem does not verify"
if openssl verify -CAfile "$D/ca.pem" "$D/expired.pem" >>"$log" 2>&1; then
  die "expired.pem verifies: it should have expired"
fi
if openssl verify -CAfile "$D/other-ca.pem" "$D/server.pem" >>"$log" 2>&1; then
  die "server.pem verifies against other-ca.pem"
fi
echo "$D"
