#!/usr/bin/env bash
# Measures mocked Task states (issue 16's speed targets) on the five-Task
# machine of internal/saga/testdata (lambda:invoke, dynamodb:putItem, a
# Lambda ARN, sns:publish, sqs:sendMessage), every Task answered by its
# mock config:
#
#  1. BenchmarkMockedBatch with -cpu 1: what `saga run --definition
#     five-tasks.asl.json --mock-config five-tasks.mock.json --virtual
#     --orders 2000` does after parsing its flags, in executions per second
#     of wall time and per second of CPU time (target: 40,000 on one core);
#  2. one simulated hour at 500 orders/s of the same machine with the
#     mock config's Busy test case (lognormal latencies, 5% throttles that
#     the machine retries): wall time, CPU time, peak RSS (target: 20 s).
#
#   scripts/bench-mock.sh
#   DURATION=10m scripts/bench-mock.sh    # a shorter simulation
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-1h}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3-4), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "go test ./internal/saga -run '^\$' -bench BenchmarkMockedBatch -cpu 1 -count 5"
go test ./internal/saga -run '^$' -bench BenchmarkMockedBatch -cpu 1 -count 5 | grep '^Benchmark' | tee "$tmp/bench" >&2
median() { # median UNIT: the median of the figures before UNIT
	awk -v u="$1" '{ for (i = 2; i <= NF; i++) if ($i == u) print $(i-1) }' "$tmp/bench" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR+1)/2)] }'
}
echo "median of 5: $(median exec/s) exec/s, $(median exec/cpu-s) exec/cpu-s"
echo
bindir="$tmp"
go build -o "$bindir/yafdp" ./cmd/yafdp
args=(simulate --rate 500/s --duration "$duration" --definition internal/saga/testdata/five-tasks.asl.json
	--mock-config internal/saga/testdata/five-tasks.mock.json --test-case Busy --output json)
echo "yafdp ${args[*]}"
/usr/bin/time -f '%e %M %U %S' -o "$bindir/time" "$bindir/yafdp" "${args[@]}" > "$bindir/report.json"
read -r wall rss user sys < "$bindir/time"
orders="$(python3 -c 'import json,sys; o=json.load(open(sys.argv[1]))["orders"]; print(o["succeeded"]+o["failed"])' "$bindir/report.json")"
python3 - "$wall" "$rss" "$user" "$sys" "$orders" <<'PY'
import sys
wall, rss_kb, user, sys_, orders = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
print(f"executions:            {orders:,}")
print(f"wall time:             {wall:.1f} s")
print(f"CPU time (user + sys): {user + sys_:.1f} s")
print(f"peak RSS:              {rss_kb/1024:,.0f} MiB")
PY
