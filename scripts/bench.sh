#!/usr/bin/env bash
# Measures the saga engine and prints the figures recorded in BENCHMARKS.md.
#
#   scripts/bench.sh            # 5 runs of each benchmark, medians printed
#   COUNT=10 scripts/bench.sh   # more runs
#
# Benchmarks run with -cpu 1 (one core), as the targets are stated per core.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${COUNT:-5}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3-4)"
echo "cpu:     $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo

go test -run '^$' -bench 'BenchmarkSagaExecution' -benchtime 20000x -count "$count" -cpu 1 ./internal/saga/ | tee -a "$out" | grep -E '^Benchmark' || true
go test -run '^$' -bench 'BenchmarkExecution' -benchtime 20000x -count "$count" -cpu 1 ./internal/asl/ | tee -a "$out" | grep -E '^Benchmark' || true

echo
echo "medians (executions/s, ns/op, B/op, allocs/op):"
awk '
/^Benchmark/ {
	name=$1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++) {
		if ($(i+1) == "executions/s") eps[name] = eps[name] " " $i
		if ($(i+1) == "ns/op") ns[name] = ns[name] " " $i
		if ($(i+1) == "B/op") b[name] = $i
		if ($(i+1) == "allocs/op") a[name] = $i
	}
}
function median(s,   n, arr, i, j, t) {
	n = split(s, arr, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] + 0 < arr[i] + 0) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
	return arr[int((n + 1) / 2)]
}
END {
	for (k in eps) printf "  %-50s %10.0f/s  %8.0f ns  %6s B  %4s allocs\n", k, median(eps[k]), median(ns[k]), b[k], a[k]
	for (k in eps) if (k ~ /language=jsonata/) {
		j = k; sub(/language=jsonata/, "language=jsonpath", j)
		if (j in eps) printf "  %-50s %10.2f (issue 15: at least 0.60)\n", "ratio " k " / jsonpath", median(eps[k]) / median(eps[j])
	}
}' "$out" | sort
