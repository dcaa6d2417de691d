#!/usr/bin/env bash
# Measures order submission and copy redrive throughput against the SQS
# endpoint of yafdp local up (internal/local/sqsapi over the queue model, in
# process over real HTTP on 127.0.0.1) and prints the figures recorded in
# BENCHMARKS.md.
#
#   scripts/bench-awsops.sh            # 5 runs of each benchmark, medians printed
#   COUNT=10 scripts/bench-awsops.sh
#
# Each run submits or redrives 2,000 messages; the redrive writes and fsyncs
# its journal as in production.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${COUNT:-5}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3-4)"
echo "cpu:     $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo

go test -run '^$' -bench 'BenchmarkSubmit|BenchmarkRedriveCopy' -benchtime 3x -count "$count" ./internal/awsops/... | tee -a "$out" | grep -E '^Benchmark' || true

echo
echo "medians:"
awk '
/^Benchmark/ {
	name=$1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++) {
		if ($(i+1) == "orders/s" || $(i+1) == "messages/s") { v[name] = v[name] " " $i; unit[name] = $(i+1) }
	}
}
function median(s,   n, arr, i, j, t) {
	n = split(s, arr, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] + 0 < arr[i] + 0) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
	return arr[int((n + 1) / 2)]
}
END { for (k in v) printf "  %-45s %10.0f %s\n", k, median(v[k]), unit[k] }' "$out" | sort
