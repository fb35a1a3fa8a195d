#!/usr/bin/env bash
# Runs every library example on the fixtures, as .ci/run does: each must exit 0. The live one
# talks to an `openssl s_server` started here on loopback with the fixture chain, and stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "+ cargo run -q -p $1 --example $2 -- ${*:3}"; cargo run -q -p "$1" --example "$2" -- "${@:3}" >/dev/null; }

run picert-core request fixtures/contoso.toml
run picert-verify audit_file fixtures/pki/good.pem fixtures/contoso.toml fixtures/pki/public-root.pem 2026-06-01
run picert-verify audit_dir fixtures/pki fixtures/pki/public-root.pem 2026-06-01
run picert-verify renewal fixtures/pki/wrong-san-order.pem fixtures/contoso.toml
run picert-verify bundle fixtures/pki/good.pem fixtures/pki/keys/leaf.key fixtures/pki/public-root.pem 2026-06-01
run picert-verify expiry 2026-06-01 fixtures/pki

# A free loopback port, a TLS server presenting the fixture chain on it, then the example.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
openssl s_server -quiet -accept "127.0.0.1:$port" -cert fixtures/pki/good.pem \
  -cert_chain fixtures/pki/public-issuing.pem -key fixtures/pki/keys/leaf.key </dev/null >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
run picert-probe audit_live "127.0.0.1:$port" sip.contoso.com fixtures/pki/public-root.pem 2026-06-01
echo "every example ran"
