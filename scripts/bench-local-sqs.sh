#!/usr/bin/env bash
# The SQS endpoint of `yafdp local up` under load, from a second process:
# 100,000 messages sent with SendMessageBatch by 64 concurrent clients, then
# received and deleted (ReceiveMessage + DeleteMessageBatch) by 64 clients,
# with every message accounted for and none delivered while invisible (see
# internal/tools/loadtest). Prints each run and the medians recorded
# in BENCHMARKS.md.
#
#   scripts/bench-local-sqs.sh                         # 3 runs against a fresh endpoint
#   RUNS=5 MESSAGES=200000 scripts/bench-local-sqs.sh
#   ENDPOINT=http://127.0.0.1:4566 scripts/bench-local-sqs.sh   # an endpoint already running
#
# Without ENDPOINT the script starts one (the sqsapi handler over a fresh
# queue broker, `loadtest -serve`) in its own process and stops it after.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-3}"
messages="${MESSAGES:-100000}"
clients="${CLIENTS:-64}"
dir="$(mktemp -d)"
server=""
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$dir"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3-4)"
echo "cpu:     $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"

go build -o "$dir/loadtest" ./internal/tools/loadtest
endpoint="${ENDPOINT:-}"
if [ -z "$endpoint" ]; then
	"$dir/loadtest" -serve 127.0.0.1:0 > "$dir/url" &
	server=$!
	for _ in $(seq 100); do
		endpoint="$(head -n1 "$dir/url" 2>/dev/null || true)"
		[ -n "$endpoint" ] && break
		sleep 0.05
	done
	[ -n "$endpoint" ] || { echo "the endpoint did not start" >&2; exit 1; }
fi
echo "endpoint: $endpoint; $messages messages, $clients clients, $runs runs"
echo

for i in $(seq "$runs"); do
	echo "== run $i"
	"$dir/loadtest" -endpoint "$endpoint" -messages "$messages" -clients "$clients" 2>/dev/null | tee -a "$dir/out"
	echo
done

echo "medians:"
awk '
/^send / { s = s " " $2 }
/^receive\+delete / { r = r " " $2 }
function median(v,   n, a, i, j, t) {
	n = split(v, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((n + 1) / 2)]
}
END {
	printf "  send (SendMessageBatch)                          %8.0f messages/s\n", median(s)
	printf "  receive+delete (ReceiveMessage, DeleteMessageBatch) %5.0f messages/s\n", median(r)
}' "$dir/out"
