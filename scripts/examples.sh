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

# Two SIP domains on a DNS server of picert-tests' whose SRV records point at that TLS server.
cargo build -q -p picert-tests --example partners
partners_out=$(mktemp)
exec 3> >("${CARGO_TARGET_DIR:-target}/debug/examples/partners" 2 "$port" >"$partners_out")
for _ in $(seq 100); do [ -s "$partners_out" ] && break; sleep 0.1; done
run picert-probe federation "$(cat "$partners_out")" partner00.com partner01.com
exec 3>&-
rm -f "$partners_out"

# One issuance against Pebble on loopback (which .ci/run installs).
if command -v pebble >/dev/null 2>&1 && command -v pebble-challtestsrv >/dev/null 2>&1; then
  cargo build -q -p picert-tests --example pebble
  pebble_out=$(mktemp)
  issued=$(mktemp -d)
  exec 4> >("${CARGO_TARGET_DIR:-target}/debug/examples/pebble" >"$pebble_out")
  for _ in $(seq 600); do [ -s "$pebble_out" ] && break; sleep 0.1; done
  read -r directory server_ca hook issuer_root <"$pebble_out"
  run picert-acme issue fixtures/contoso.toml "$directory" "$server_ca" "$hook" "$issued" "$issuer_root"
  exec 4>&-
  rm -rf "$pebble_out" "$issued"
elif [ "${CI:-}" = true ]; then
  echo "pebble is missing, and CI=true: the acme example must run" >&2
  exit 1
else
  echo "skipped the acme example: pebble is not installed (apt-get install pebble)"
fi
echo "every example ran"
