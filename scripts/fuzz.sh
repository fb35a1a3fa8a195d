#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 300), seeded from the fixtures and, when
# present, the peer corpora. Crashes land in fuzz/artifacts/<target>/: copy each into
# fuzz/regressions/<target>/ (the stable replay test runs them) and fix the bug.
#
#   scripts/fuzz.sh [SECONDS]
#
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP=1 lets the stable toolchain provide them.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-300}
PEER=${PICERT_PEER_CORPUS:-../shared/peer}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1

seed() { # target, files...
  local dir="fuzz/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/" || true; done
}
seed parse_input fixtures/pki/*.pem fixtures/pki/*.csr fixtures/pki/*.p7b fixtures/bad/* \
  "$PEER"/windows-csr/*.pem "$PEER"/certigo/test-certs/* "$PEER"/zlint/testdata/*.pem "$PEER"/pyca/*.pem
seed audit fixtures/pki/*.pem fixtures/pki/*.csr fixtures/pki/*.p7b fixtures/bad/*
seed topology fixtures/contoso.toml fixtures/bad/*.toml
seed private_key fixtures/pki/keys/* "$PEER"/certigo/test-certs/*.key
seed topology_xml fixtures/topology/*.tbxml fixtures/topology/*.xml fixtures/topology/bad/* "$PEER"/topology/*.tbxml "$PEER"/topology/*.xml

cd fuzz
for target in parse_input audit topology topology_xml private_key; do
  echo "== $target for ${SECONDS_EACH}s"
  cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
    grep -E "^Done|stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY" || true
done
