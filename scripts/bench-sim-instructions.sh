#!/usr/bin/env bash
# Counts the instructions one simulated minute at 500 orders/s takes
# (BenchmarkSimulatedSliceOnePartition: one partition, so one goroutine
# does all the work), under valgrind with the collector off and one P
# (GOMAXPROCS=1: with two, the idle P's search for work made counts swing
# by 20%). Unlike wall or CPU time on a shared machine, the count is the
# same run after run (to about a part in a thousand), so two builds can be
# compared with one run each: it does not see cache misses or the cost of
# atomic instructions, so confirm a gain with scripts/bench-sim.sh.
# GODEBUG=cpu.rdtscp=off: valgrind 3.19 does not know RDTSCP, which the
# runtime's cputicks uses when a lock is contended, and the run dies of
# SIGILL now and then without it.
#
#   scripts/bench-sim-instructions.sh          # this checkout
#   scripts/bench-sim-instructions.sh REV      # and git revision REV, for comparison
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
count() { # count DIR LABEL
	local dir out
	dir="$(mktemp -d)"
	(cd "$1" && go test -c -o "$dir/sim.test" ./internal/sim)
	if ! GODEBUG=cpu.rdtscp=off GOMAXPROCS=1 GOGC=off valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
		"$dir/sim.test" -test.run '^$' -test.bench 'SimulatedSliceOnePartition$' -test.benchtime 1x \
		>"$dir/out" 2>"$dir/err"; then
		echo "$2: the benchmark failed under valgrind:" >&2
		tail -20 "$dir/err" >&2
		rm -rf "$dir"
		return 1
	fi
	awk -v l="$2" '
		FNR == NR { if ($0 ~ /orders\/op/) for (i = 1; i < NF; i++) if ($(i+1) == "orders/op") orders = $i; next }
		/I *refs/ && !orders { printf "%-14s has no BenchmarkSimulatedSliceOnePartition (older than 2026-11-26)\n", l; exit }
		/I *refs/ { gsub(",", "", $4); printf "%-14s %14.0f instructions, %d orders, %.0f an order\n", l, $4, orders, $4 / orders }
	' "$dir/out" "$dir/err"
	rm -rf "$dir"
}
if [ $# -gt 0 ]; then
	wt="$(mktemp -d)"
	git worktree add -q --detach "$wt" "$1"
	trap 'git worktree remove --force "$wt"' EXIT
	count "$wt" "$1"
fi
count . "this checkout"
