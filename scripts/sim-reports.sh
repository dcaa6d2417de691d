#!/usr/bin/env bash
# Checks that the simulator's reports are byte-identical between git
# revision REV (main by default) and this checkout: the two-minute run at
# 500/s, a longer run with the default quotas (its dead-letter queue fills
# for half an hour), the same on a FIFO queue, and every scenario in
# scenarios/. Prints one line a case and exits 1 when any report differs
# (the diff's first lines are shown).
#
#   scripts/sim-reports.sh            # against main
#   scripts/sim-reports.sh REV
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:-main}"
tmp="$(mktemp -d)"
wt="$tmp/wt"
git worktree add -q --detach "$wt" "$rev"
trap 'git worktree remove --force "$wt"; rm -rf "$tmp"' EXIT
(cd "$wt" && go build -o "$tmp/old" ./cmd/yafdp)
go build -o "$tmp/new" ./cmd/yafdp
cat >"$tmp/fifo.yaml" <<'EOF'
name: fifo-default-quotas
question: A FIFO queue with the default StartExecution quota (dead letters on a FIFO DLQ).
arrivals: {process: poisson, rate: 500/s, duration: 5m}
queue: {fifo: true}
EOF
cases=(
	"2m at 500/s|--rate 500/s --duration 2m"
	"30m at 500/s, default quotas|--rate 500/s --duration 30m"
	"5m at 500/s, keep-up quotas|--rate 500/s --duration 5m --start-rate 800/s --payment-tps 600"
	"FIFO, default quotas|--scenario $tmp/fifo.yaml"
)
for f in scenarios/*.yaml; do
	cases+=("$f|--scenario $f")
done
status=0
for c in "${cases[@]}"; do
	name="${c%%|*}"
	read -r -a args <<<"${c#*|}"
	"$tmp/old" simulate "${args[@]}" --output json >"$tmp/a.json" || true
	"$tmp/new" simulate "${args[@]}" --output json >"$tmp/b.json" || true
	if cmp -s "$tmp/a.json" "$tmp/b.json"; then
		echo "same:    $name ($(wc -c <"$tmp/b.json") bytes)"
	else
		echo "DIFFERS: $name"
		diff "$tmp/a.json" "$tmp/b.json" | head -20
		status=1
	fi
done
exit $status
