#!/usr/bin/env bash
# Measures the simulator: one simulated hour at 500 orders/s (1.8 million
# orders through the full saga), and prints simulated orders per second of
# wall time and the peak resident memory. Issue 3's target: at most 20 s and
# 1 GiB on a 2-core machine.
#
#   scripts/bench-sim.sh                 # the hour
#   DURATION=10m scripts/bench-sim.sh    # shorter
#   DEFINITION=internal/saga/saga.jsonata.asl.json scripts/bench-sim.sh
#                                        # the saga written in JSONata
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-1h}"
definition=()
if [ -n "${DEFINITION:-}" ]; then definition=(--definition "$DEFINITION"); fi
bin="$(mktemp -d)/yafdp"
go build -o "$bin" ./cmd/yafdp
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3-4)"
echo "run:     yafdp simulate --rate 500/s --duration $duration --start-rate 800/s --payment-tps 600 ${definition[*]} --output json"
out="$(mktemp)"
/usr/bin/time -f '%e %M' -o "$out.time" "$bin" simulate --rate 500/s --duration "$duration" --start-rate 800/s --payment-tps 600 "${definition[@]}" --output json > "$out"
read -r wall rss < "$out.time"
orders="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); o=r["orders"]; print(o["succeeded"]+o["failed"])' "$out")"
python3 - "$wall" "$rss" "$orders" <<'PY'
import sys
wall, rss_kb, orders = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print(f"orders through the saga: {orders:,}")
print(f"wall time:               {wall:.1f} s")
print(f"simulated orders/s:      {orders/wall:,.0f}")
print(f"peak RSS:                {rss_kb/1024:,.0f} MiB")
PY
rm -f "$out" "$out.time" "$bin"
