#!/usr/bin/env bash
# Times picert federation against loopback partners that never answer, and prints a Markdown
# table: a run should last about as long as its slowest step, not the sum of its steps.
#
#   scripts/bench-network.sh        # needs hyperfine (apt-get install hyperfine)
#
# Rows: 50 SIP domains, each with one silent endpoint, at --timeout 2 (checked at once, and
# one domain at a time with --parallel 1 for comparison); 10 SIP domains against a DNS server
# that never answers (a port with nothing behind it), at --timeout 2.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
WORK=${WORK:-${CARGO_TARGET_DIR:-$ROOT/target}/bench-network}
mkdir -p "$WORK"
for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "bench-network.sh needs $tool" >&2; exit 2; }
done
cargo build --release -q -p picert
cargo build --release -q -p picert-tests --example partners
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release
PICERT=$BIN/picert

# The partners serve until their standard input closes.
rm -f "$WORK/dns.txt"
exec 3> >("$BIN/examples/partners" 50 >"$WORK/dns.txt")
for _ in $(seq 50); do [ -s "$WORK/dns.txt" ] && break; sleep 0.1; done
DNS=$(cat "$WORK/dns.txt")
DOMAINS=$(python3 -c 'print(" ".join(f"partner{i:02}.com" for i in range(50)))')
DEAD=127.0.0.1:$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TEN=$(python3 -c 'print(" ".join(f"partner{i:02}.com" for i in range(10)))')

median() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['median'])" "$1" "$2"; }

hyperfine -N -i --runs "$RUNS" --export-json "$WORK/parallel.json" \
  -n "50 silent domains" "$PICERT federation $DOMAINS --dns-server $DNS --allow-loopback --timeout 2 -q" \
  -n "10 domains, dead DNS" "$PICERT federation $TEN --dns-server $DEAD --timeout 2 -q" >/dev/null 2>&1
hyperfine -N -i --runs 1 --export-json "$WORK/serial.json" \
  -n "50 silent domains, --parallel 1" "$PICERT federation $DOMAINS --dns-server $DNS --allow-loopback --timeout 2 --parallel 1 -q" >/dev/null 2>&1
exec 3>&-

p=$(median "$WORK/parallel.json" 0); d=$(median "$WORK/parallel.json" 1); s=$(median "$WORK/serial.json" 0)
python3 - "$p" "$d" "$s" <<'PY'
import sys
p, d, s = map(float, sys.argv[1:4])
print("| measurement | time | compared with | ratio |")
print("|---|---|---|---|")
print(f"| federation, 50 domains, one silent endpoint each, --timeout 2 | {p:.2f} s | one step: 2 s | {p/2:.2f} |")
print(f"| the same, one domain at a time (--parallel 1) | {s:.1f} s | the sum: 50 x 2 s = 100 s | {s/100:.2f} |")
print(f"| federation, 10 domains, a DNS server that never answers, --timeout 2 | {d:.2f} s | one step: 2 s | {d/2:.2f} |")
PY
