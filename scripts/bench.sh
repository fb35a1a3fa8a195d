#!/usr/bin/env bash
# Times whole picert commands against OpenSSL on this machine and prints a Markdown table.
#
#   scripts/bench.sh            # everything (needs hyperfine: apt-get install hyperfine)
#   RUNS=60 scripts/bench.sh    # more runs for the request comparison
#
# The single-chain audit uses a real public chain from the peer corpus (PICERT_PEER_CORPUS,
# default ../shared/peer); without it that row is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-40}
WORK=${WORK:-$ROOT/target/bench}
PEER=${PICERT_PEER_CORPUS:-$ROOT/../shared/peer}
mkdir -p "$WORK"

for tool in hyperfine openssl python3; do
  command -v "$tool" >/dev/null || { echo "bench.sh needs $tool" >&2; exit 2; }
done

cargo build --release -q -p picert -p picert-fixtures
RELEASE=${CARGO_TARGET_DIR:-$ROOT/target}/release
PICERT=$RELEASE/picert

median() { # hyperfine JSON -> median seconds of command N
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['median'])" "$1" "$2"
}

# 1. picert request (new RSA-2048 key) against openssl req -newkey rsa:2048 with the same
#    subject and extensions.
mkdir -p "$WORK/req"
hyperfine -N --runs "$RUNS" --warmup 3 --export-json "$WORK/request.json" \
  -n "picert request" \
  "$PICERT request --topology $ROOT/fixtures/contoso.toml --force --csr $WORK/req/p.csr --key-out $WORK/req/p.key" \
  -n "openssl req -newkey rsa:2048" \
  "openssl req -new -newkey rsa:2048 -nodes -keyout $WORK/req/o.key -out $WORK/req/o.csr -subj /C=US/ST=WA/L=Redmond/O=Contoso/CN=sip.contoso.com -addext subjectAltName=DNS:sip.contoso.com,DNS:webcon.contoso.com,DNS:sip.fabrikam.com -addext keyUsage=critical,digitalSignature,keyEncipherment -addext extendedKeyUsage=serverAuth,clientAuth" \
  >/dev/null 2>&1
req_p=$(median "$WORK/request.json" 0); req_o=$(median "$WORK/request.json" 1)

# 2. picert audit of one leaf + intermediate against the built-in Mozilla roots, against
#    openssl verify with the system CA file.
audit_row=""
CASE="$PEER/x509-limbo/online/google.com.limbo.json"
if [ -f "$CASE" ]; then
  python3 - "$CASE" "$WORK" <<'PY'
import json, sys
case = json.load(open(sys.argv[1])); work = sys.argv[2]
open(f"{work}/leaf.pem", "w").write(case["peer_certificate"])
open(f"{work}/int.pem", "w").write("".join(case["untrusted_intermediates"]))
open(f"{work}/bundle.pem", "w").write(case["peer_certificate"] + "".join(case["untrusted_intermediates"]))
open(f"{work}/at.txt", "w").write(case["validation_time"])
PY
  AT=$(cat "$WORK/at.txt")
  EPOCH=$(date -d "$AT" +%s)
  hyperfine -N --runs "$RUNS" --warmup 3 -i --export-json "$WORK/audit1.json" \
    -n "picert audit (leaf+int, Mozilla roots)" "$PICERT audit $WORK/bundle.pem --at $AT" \
    -n "openssl verify -untrusted int.pem leaf.pem" \
    "openssl verify -attime $EPOCH -CAfile /etc/ssl/certs/ca-certificates.crt -untrusted $WORK/int.pem $WORK/leaf.pem" \
    >/dev/null 2>&1
  a_p=$(median "$WORK/audit1.json" 0); a_o=$(median "$WORK/audit1.json" 1)
  audit_row=$(python3 -c "p,o=$a_p,$a_o; print(f'| audit one chain (google.com, Mozilla roots) | {p*1000:.2f} ms | {o*1000:.2f} ms | {p/o:.2f} | at most 1.0 |')")
fi

# 3. Bulk: 10,000 leaves (one intermediate, different keys and names), JSON report.
if [ ! -f "$WORK/bulk/leaf-09999.pem" ]; then
  rm -rf "$WORK/bulk"
  "$RELEASE/gen-fixtures" bench-corpus "$WORK/bulk" 10000
fi
BULK="$PICERT audit $WORK/bulk --format json --trust-store $ROOT/fixtures/pki/public-root.pem --at 2026-06-01"
# 3b. The same with RSA-2048 leaves, each file the leaf alone, the intermediate given with --chain.
if [ ! -f "$WORK/rsa/leaf-09999.pem" ]; then
  rm -rf "$WORK/rsa"
  "$RELEASE/gen-fixtures" bench-corpus-rsa "$WORK/rsa" 10000
fi
RSA="$PICERT audit $WORK/rsa --chain $ROOT/fixtures/pki/public-issuing.pem --format json --trust-store $ROOT/fixtures/pki/public-root.pem --at 2026-06-01"
hyperfine -N --runs 20 --warmup 2 -i --export-json "$WORK/bulk.json" \
  -n "picert audit 10,000 P-256 leaves" "$BULK" -n "picert audit 10,000 RSA-2048 leaves, --chain" "$RSA" >/dev/null 2>&1
bulk=$(median "$WORK/bulk.json" 0)
rsa=$(median "$WORK/bulk.json" 1)
# The machine's RSA-2048 verifications per second on every core, as OpenSSL counts them.
ossl=$(openssl speed -multi "$(nproc)" -seconds 5 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $NF}')
/usr/bin/time -v $BULK 2>"$WORK/bulk-time.txt" >/dev/null || true
peak_kb=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$WORK/bulk-time.txt")

# 4. The yardstick: bare RSA-2048 verifications per second with aws-lc-rs, one core (criterion).
crit=$(cargo bench -q -p picert-verify --bench audit -- --noplot bare_rsa2048_verify 2>/dev/null | grep -A0 "time:" | head -1)
verify_us=$(echo "$crit" | python3 -c "
import re,sys
m=re.search(r'\[\S+ \S+ (\S+) (\S+) \S+ \S+\]', sys.stdin.read())
v,u=float(m.group(1)),m.group(2)
print(v*{'ns':1e-3,'µs':1,'us':1,'ms':1e3}[u])")
cores=$(nproc)

python3 - "$req_p" "$req_o" "$bulk" "$peak_kb" "$verify_us" "$cores" "$audit_row" "$rsa" "$ossl" <<'PY'
import sys
req_p, req_o, bulk, peak_kb, verify_us, cores = map(float, sys.argv[1:7])
audit_row = sys.argv[7]
rsa, ossl = float(sys.argv[8]), float(sys.argv[9])
rate = 10000 / bulk
bare = 1e6 / verify_us * cores
print("| measurement | picert | OpenSSL / yardstick | ratio | target |")
print("|---|---|---|---|---|")
print(f"| request, new RSA-2048 key (median) | {req_p*1000:.1f} ms | {req_o*1000:.1f} ms | {req_p/req_o:.2f} | at most 0.6 |")
if audit_row:
    print(audit_row)
print(f"| audit 10,000 leaves, JSON | {bulk*1000:.0f} ms = {rate:,.0f} certs/s | - | - | at least 40,000/s |")
print(f"| peak memory, 10,000 leaves | {peak_kb/1024:.1f} MB | - | - | under 64 MB |")
print(f"| audit rate / bare RSA-2048 verify rate ({int(cores)} cores) | {rate:,.0f}/s | {bare:,.0f}/s ({verify_us:.1f} us each) | {rate/bare:.2f} | at least 0.4 |")
print(f"| audit 10,000 P-256 leaves / openssl speed -multi {int(cores)} rsa2048 verify | {rate:,.0f}/s | {ossl:,.0f}/s | {rate/ossl:.2f} | at least 0.4 |")
print(f"| audit 10,000 RSA-2048 leaves (--chain) / openssl speed verify | {10000/rsa:,.0f}/s ({rsa*1000:.0f} ms) | {ossl:,.0f}/s | {10000/rsa/ossl:.2f} | at least 0.4 |")
PY
