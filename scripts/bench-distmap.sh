#!/usr/bin/env bash
# Measures a Distributed Map of 10,000 items on the virtual clock and prints
# the medians recorded in BENCHMARKS.md.
#
#   scripts/bench-distmap.sh            # 5 runs of each benchmark
#   COUNT=10 scripts/bench-distmap.sh   # more runs
set -euo pipefail
cd "$(dirname "$0")/.."
count="${COUNT:-5}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3-4)"
echo "cpu:     $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo

go test -run '^$' -bench 'BenchmarkDistributedMap10k' -benchtime 5x -count "$count" -cpu 1 ./internal/asl/ | tee "$out" | grep -E '^Benchmark' || true

echo
echo "medians (seconds per 10,000-item map, items/s, B/op, allocs/op):"
awk '
/^Benchmark/ {
	name=$1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++) {
		if ($(i+1) == "s/map") s[name] = s[name] " " $i
		if ($(i+1) == "items/s") ips[name] = ips[name] " " $i
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
	for (name in s) printf "%-40s %8.3f s  %8.0f items/s  %12d B/op  %9d allocs/op\n", name, median(s[name]), median(ips[name]), b[name], a[name]
}' "$out" | sort
