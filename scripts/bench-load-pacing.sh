#!/usr/bin/env bash
# Pacing accuracy of `yafdp load` beside vegeta v12.13.0's, on loopback.
# Both POST orders to a trivial local HTTP target (internal/tools/httpsink)
# at 500/s, 5,000/s and 20,000/s for DURATION, RUNS times each, alternating
# the tools. Both are measured the same way, at the target: the requests'
# arrival times, sorted, the i-th due at t0 + i/rate with t0 such that the
# earliest request is on time; the achieved rate is (n−1) / (last − first)
# and the jitter each arrival's lateness. yafdp load's own figures
# (intended send time known exactly, measured when the call begins) are
# printed beside them, and for --via sqs, which puts the orders on local
# up's SQS endpoint with SendMessageBatch (its sqsapi handler over a fresh
# broker, `loadtest -serve`, without the pipeline's consumer, which would
# run every saga on the same cores), they are the only ones.
#
#   scripts/bench-load-pacing.sh                 # 10 s a run, 3 runs a rate
#   DURATION=30s RUNS=1 RATES="500 5000" scripts/bench-load-pacing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-10s}"
rates="${RATES:-500 5000 20000}"
runs="${RUNS:-3}"
dir="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3-4); load average at the start: $(uptime | sed 's/.*load average: //')"
go build -o "$dir/yafdp" ./cmd/yafdp
go build -o "$dir/httpsink" ./internal/tools/httpsink
go build -o "$dir/loadtest" ./internal/tools/loadtest
GOBIN="$dir" go install github.com/tsenart/vegeta/v12@v12.13.0

"$dir/httpsink" -addr 127.0.0.1:0 >"$dir/sink.url" &
pids+=($!)
"$dir/loadtest" -serve 127.0.0.1:0 >"$dir/sqs.url" &
pids+=($!)
for _ in $(seq 200); do
	[ -s "$dir/sink.url" ] && [ -s "$dir/sqs.url" ] && break
	sleep 0.05
done
base="$(head -n1 "$dir/sink.url")"
sink="$base/orders"
endpoint="$(head -n1 "$dir/sqs.url")"
curl -fsS -X POST "$endpoint/" -H 'X-Amz-Target: AmazonSQS.CreateQueue' -H 'Content-Type: application/x-amz-json-1.0' \
	-d '{"QueueName":"orders"}' >/dev/null
body='{"orderId":"ord_0000000000001","customerId":"cus_0000000000001","restaurantId":"rst_0000000000001","items":[{"sku":"PIZ-MARG","qty":2,"unitPriceCents":1250}],"currency":"EUR","totalCents":2500,"deliveryAddress":{"line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"},"placedAt":"2026-12-06T12:00:00.000Z"}'
echo "$body" >"$dir/body.json"
curl -fsS "$base/arrivals" >/dev/null

# at_target prints the achieved rate and the jitter p50/p99 (ms) of the
# arrivals the target saw since the last call.
at_target() {
	local rate="$1"
	curl -fsS "$base/arrivals" | sort -n >"$dir/ts"
	awk -v rate="$rate" '
		{ t[NR-1] = $1 } END {
			n = NR; step = 1e9 / rate; t0 = t[0]
			for (i = 0; i < n; i++) if (t[i] - i*step < t0) t0 = t[i] - i*step
			for (i = 0; i < n; i++) print (t[i] - t0 - i*step) / 1e6 > "'"$dir"'/jitter"
			printf "%d %.2f\n", n, (n-1) / ((t[n-1] - t[0]) / 1e9)
		}' "$dir/ts" >"$dir/achieved"
	sort -n "$dir/jitter" >"$dir/jitter.sorted"
	local n achieved p50 p99
	read -r n achieved <"$dir/achieved"
	p50="$(sed -n "$(((n * 50 + 99) / 100))p" "$dir/jitter.sorted")"
	p99="$(sed -n "$(((n * 99 + 99) / 100))p" "$dir/jitter.sorted")"
	printf 'at the target: achieved %10.2f/s  jitter p50 %8.3f ms  p99 %9.3f ms  requests %s' "$achieved" "$p50" "$p99" "$n"
}

# own prints yafdp load's figures from its JSON report.
own() {
	read -r achieved p50 p99 n late unsent senders held < <(jq -r '[.pacing.achievedPerS, .latencyMs.jitter.p50, .latencyMs.jitter.p99,
		.orders.submitted, .orders.late, .orders.unsent, .pacing.senders, .pacing.heldForSender] | @tsv' "$1")
	printf 'own: achieved %10.2f/s  jitter p50 %8.3f ms  p99 %9.3f ms  sent %s (late %s, unsent %s)  connections %s (waited %s)' \
		"$achieved" "$p50" "$p99" "$n" "$late" "$unsent" "$senders" "$held"
}

for rate in $rates; do
	for run in $(seq "$runs"); do
		echo "POST $sink" | "$dir/vegeta" attack -rate "$rate" -duration "$duration" -body "$dir/body.json" \
			-header 'Content-Type: application/json' >/dev/null
		printf '%6s/s run %s  %-22s %s\n' "$rate" "$run" "vegeta" "$(at_target "$rate")"
		"$dir/yafdp" load --via api --api-url "$sink" --rate "$rate/s" --duration "$duration" --track none \
			--output json >"$dir/y.json" 2>/dev/null || true
		printf '%6s/s run %s  %-22s %s\n' "$rate" "$run" "yafdp load --via api" "$(at_target "$rate")"
		printf '%6s/s run %s  %-22s %s\n' "$rate" "$run" "" "$(own "$dir/y.json")"
		"$dir/yafdp" --endpoint-url "$endpoint" load --queue orders --rate "$rate/s" --duration "$duration" --track none \
			--output json >"$dir/s.json" 2>/dev/null || true
		printf '%6s/s run %s  %-22s %s\n' "$rate" "$run" "yafdp load --via sqs" "$(own "$dir/s.json")"
	done
done
echo "load average at the end: $(uptime | sed 's/.*load average: //')"
