#!/usr/bin/env bash
# Pacing accuracy of `yafdp load` beside vegeta v12.13.0's, on loopback:
# both POST orders to a trivial local HTTP target (internal/tools/httpsink)
# at 500/s, 5,000/s and 20,000/s, and yafdp load also puts them on an SQS
# queue with SendMessageBatch: local up's SQS endpoint (its sqsapi handler
# over a fresh broker, `loadtest -serve`, without the pipeline's consumer,
# which would run every saga on the same cores). For each it prints the
# achieved rate against the asked one ((n−1) / (last send − first send)),
# the send-time jitter p50/p99 (actual − intended send time) and how many
# requests went out of the rate × duration asked.
#
# yafdp load measures its jitter exactly (each order's intended time is
# known). vegeta does not record intended times, so its jitter is estimated
# from its results (sorted by timestamp, the i-th due at t0 + i/rate, with
# t0 chosen so that the least late request is on time): an estimate in
# vegeta's favour.
#
#   scripts/bench-load-pacing.sh                 # 10 s a rate
#   DURATION=30s RATES="500 5000" scripts/bench-load-pacing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-10s}"
rates="${RATES:-500 5000 20000}"
dir="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3-4); load: $(uptime | sed 's/.*load average: //')"
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
sink="$(head -n1 "$dir/sink.url")/orders"
endpoint="$(head -n1 "$dir/sqs.url")"
curl -fsS -X POST "$endpoint/" -H 'X-Amz-Target: AmazonSQS.CreateQueue' -H 'Content-Type: application/x-amz-json-1.0' \
	-d '{"QueueName":"orders"}' >/dev/null
body='{"orderId":"ord_0000000000001","customerId":"cus_0000000000001","restaurantId":"rst_0000000000001","items":[{"sku":"PIZ-MARG","qty":2,"unitPriceCents":1250}],"currency":"EUR","totalCents":2500,"deliveryAddress":{"line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"},"placedAt":"2026-12-06T12:00:00.000Z"}'
echo "$body" >"$dir/body.json"

# vegeta: achieved rate and estimated jitter (ms) from its CSV results.
vegeta_figures() {
	local rate="$1"
	"$dir/vegeta" encode --to csv <"$dir/v.bin" | cut -d, -f1 | sort -n >"$dir/ts"
	awk -v rate="$rate" '
		{ t[NR-1] = $1 } END {
			n = NR; step = 1e9 / rate; t0 = t[0]
			for (i = 0; i < n; i++) if (t[i] - i*step < t0) t0 = t[i] - i*step
			for (i = 0; i < n; i++) print (t[i] - t0 - i*step) / 1e6 > "'"$dir"'/jitter"
			printf "%.2f", (n-1) / ((t[n-1] - t[0]) / 1e9)
		}' "$dir/ts" >"$dir/achieved"
	sort -n "$dir/jitter" >"$dir/jitter.sorted"
	local n; n="$(wc -l <"$dir/jitter.sorted")"
	local p50 p99
	p50="$(sed -n "$(( (n*50 + 99) / 100 ))p" "$dir/jitter.sorted")"
	p99="$(sed -n "$(( (n*99 + 99) / 100 ))p" "$dir/jitter.sorted")"
	printf '%-26s %8s/s  achieved %10s/s  jitter p50 %8.3f ms  p99 %8.3f ms  requests %s\n' "vegeta (POST)" "$rate" "$(cat "$dir/achieved")" "$p50" "$p99" "$n"
}

yafdp_figures() {
	local name="$1" rate="$2" file="$3"
	read -r achieved p50 p99 n late rejected < <(jq -r '[.pacing.achievedPerS, .latencyMs.jitter.p50, .latencyMs.jitter.p99,
		.orders.submitted, .orders.late, .orders.notAccepted] | @tsv' "$file")
	printf '%-26s %8s/s  achieved %10.2f/s  jitter p50 %8.3f ms  p99 %8.3f ms  requests %s (late %s, not accepted %s)\n' \
		"$name" "$rate" "$achieved" "$p50" "$p99" "$n" "$late" "$rejected"
}

for rate in $rates; do
	echo "POST $sink" | "$dir/vegeta" attack -rate "$rate" -duration "$duration" -body "$dir/body.json" \
		-header 'Content-Type: application/json' >"$dir/v.bin"
	vegeta_figures "$rate"
	"$dir/yafdp" load --via api --api-url "$sink" --rate "$rate/s" --duration "$duration" --track none \
		--output json >"$dir/y.json" 2>/dev/null || true
	yafdp_figures "yafdp load --via api" "$rate" "$dir/y.json"
	"$dir/yafdp" --endpoint-url "$endpoint" load --queue orders --rate "$rate/s" --duration "$duration" --track none \
		--output json >"$dir/s.json" 2>/dev/null || true
	yafdp_figures "yafdp load --via sqs" "$rate" "$dir/s.json"
done
