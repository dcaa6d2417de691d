#!/usr/bin/env bash
# Measures an Express execution of five Pass states in local up's Step
# Functions service, without logging and with a level-ALL
# LoggingConfiguration writing to its CloudWatch Logs store, and prints the
# medians recorded in BENCHMARKS.md.
#
#   scripts/bench-express.sh            # 5 runs of each benchmark
#   COUNT=10 scripts/bench-express.sh   # more runs
set -euo pipefail
cd "$(dirname "$0")/.."
count="${COUNT:-5}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3-4)"
echo "cpu:     $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo

go test -run '^$' -bench 'BenchmarkExpressExecution' -benchtime 20000x -count "$count" ./internal/local/sfnapi/ | tee "$out" | grep -E '^Benchmark' || true

echo
echo "medians (µs per execution, B/op, allocs/op):"
awk '
/^Benchmark/ {
	name=$1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++) {
		if ($(i+1) == "ns/op") ns[name] = ns[name] " " $i
		if ($(i+1) == "B/op") b[name] = $i
		if ($(i+1) == "allocs/op") a[name] = $i
	}
}
function median(list,   n, v, i, j, t) {
	n = split(list, v, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
	return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
END {
	for (name in ns) printf "%-42s %8.1f µs  %8d B/op  %6d allocs/op\n", name, median(ns[name]) / 1000, b[name], a[name]
}' "$out" | sort
