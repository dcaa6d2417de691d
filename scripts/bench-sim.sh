#!/usr/bin/env bash
# Measures the simulator: one simulated hour at 500 orders/s (1.8 million
# orders through the full saga), and prints simulated orders per second of
# wall time, CPU time and the peak resident memory. Issue 3's target: at most
# 20 s and 1 GiB on a 2-core machine; issue 19's: a simulated day (DURATION=24h)
# in at most 1 GiB with either quotas, memory flat in the duration.
#
#   scripts/bench-sim.sh                 # the hour
#   DURATION=10m scripts/bench-sim.sh    # shorter
#   DEFINITION=internal/saga/saga.jsonata.asl.json scripts/bench-sim.sh
#                                        # the saga written in JSONata
#   QUOTAS=default DURATION=24h scripts/bench-sim.sh
#                                        # AWS's default StartExecution quota
#                                        # (300/s) and no payment quota: 39% of
#                                        # the orders end in the DLQ
#   BIN=/path/to/yafdp scripts/bench-sim.sh   # a binary built elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-1h}"
definition=()
if [ -n "${DEFINITION:-}" ]; then definition=(--definition "$DEFINITION"); fi
case "${QUOTAS:-keepup}" in
keepup) quotas=(--start-rate 800/s --payment-tps 600) ;;
default) quotas=() ;;
*)
	echo "QUOTAS must be keepup or default" >&2
	exit 2
	;;
esac
bin="${BIN:-}"
if [ -z "$bin" ]; then
	bindir="$(mktemp -d)"
	bin="$bindir/yafdp"
	trap 'rm -rf "$bindir"' EXIT
	go build -o "$bin" ./cmd/yafdp
fi
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3-4)"
echo "run:     yafdp simulate --rate 500/s --duration $duration ${quotas[*]} ${definition[*]} --output json"
out="$(mktemp)"
/usr/bin/time -f '%e %M %U %S' -o "$out.time" "$bin" simulate --rate 500/s --duration "$duration" "${quotas[@]}" "${definition[@]}" --output json > "$out"
read -r wall rss user sys < "$out.time"
counts="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); o=r["orders"]; print(o["accepted"], o["succeeded"]+o["failed"], o["inDlq"])' "$out")"
python3 - "$wall" "$rss" "$user" "$sys" $counts <<'PY'
import sys
wall, rss_kb, user, sys_ = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
accepted, orders, dlq = (int(x) for x in sys.argv[5:8])
print(f"orders accepted:         {accepted:,}")
print(f"orders through the saga: {orders:,}")
print(f"orders in the DLQ:       {dlq:,}")
print(f"wall time:               {wall:.1f} s")
print(f"CPU time (user + sys):   {user + sys_:.1f} s")
print(f"simulated orders/s:      {orders/wall:,.0f}")
print(f"peak RSS:                {rss_kb/1024:,.0f} MiB")
PY
rm -f "$out" "$out.time"
