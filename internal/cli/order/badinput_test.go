package order_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/yafdp/yafdp/internal/cli"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
)

// awsThatMustNotBeCalled is an AWS endpoint on 127.0.0.1 for the bad-input
// table: it answers the read-only look-ups that find a name missing, and
// fails the test on any other call, so a bad input provably sends nothing.
func awsThatMustNotBeCalled(t *testing.T) (string, func() []string) {
	var mu sync.Mutex
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		mu.Lock()
		calls = append(calls, target)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		switch target {
		case "AmazonSQS.GetQueueUrl":
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`)
		case "AWSStepFunctions.ListStateMachines":
			io.WriteString(w, `{"stateMachines":[]}`)
		case "AWSStepFunctions.DescribeStateMachine":
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"StateMachineDoesNotExist","message":"State Machine Does Not Exist"}`)
		default:
			t.Errorf("bad input reached AWS: %s", target)
			w.WriteHeader(500)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), calls...)
	}
}

func isolate(t *testing.T) string {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_REGION": "eu-west-1", "AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "creds"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "", "XDG_CONFIG_HOME": dir, "XDG_STATE_HOME": dir, "YAFDP_CONFIG": "",
		"YAFDP_ENV": "", "YAFDP_QUEUE": "", "YAFDP_DLQ": "", "YAFDP_STATE_MACHINE": "",
	} {
		t.Setenv(k, v)
	}
	os.MkdirAll(filepath.Join(dir, "yafdp"), 0o755)
	os.WriteFile(filepath.Join(dir, "yafdp", "config.yaml"), []byte("environments:\n  staging:\n    region: eu-west-1\n"), 0o644)
	return dir
}

const good = `{"orderId":"ord_1","customerId":"cus_1","restaurantId":"rst_1","items":[{"sku":"PIZ-1","qty":2,"unitPriceCents":1250}],"currency":"EUR","totalCents":2500,"deliveryAddress":{"line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"},"placedAt":"2026-01-01T12:00:00Z"}`

// Every bad input exits 2 with one line that names the field or flag and
// the fix, writes nothing to standard output, and sends nothing to AWS.
func TestBadInputExitsTwoAndSendsNothing(t *testing.T) {
	dir := isolate(t)
	endpoint, calls := awsThatMustNotBeCalled(t)
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	with := func(old, repl string) string { return strings.Replace(good, old, repl, 1) }
	cases := []struct {
		args []string
		want string
	}{
		// order submit: where orders come from
		{[]string{"order", "submit", "--queue", "orders"}, "no orders: give --file"},
		{[]string{"order", "submit", "--queue", "orders", "--generate", "2", "--order-id", "ord_1"}, "give orders one way only"},
		{[]string{"order", "submit", "--queue", "orders", "--file", filepath.Join(dir, "none.ndjson")}, "none.ndjson: no such file"},
		{[]string{"order", "submit", "--queue", "orders", "--file", file("empty.ndjson", "\n\n")}, "is empty"},
		// order submit: the orders themselves, with line and field
		{[]string{"order", "submit", "--queue", "orders", "--file", file("malformed.ndjson", good+"\n{\"orderId\": nope}\n")}, "line 2: order: invalid JSON"},
		{[]string{"order", "submit", "--queue", "orders", "--file", file("type.ndjson", with(`"qty":2`, `"qty":"two"`))}, "line 1: items.qty: want int"},
		{[]string{"order", "submit", "--queue", "orders", "--file", file("neg.ndjson", good+"\n"+with(`"qty":2`, `"qty":-2`))}, "line 2: items[0].qty: must be >= 1"},
		{[]string{"order", "submit", "--queue", "orders", "--file", file("total.ndjson", with(`"totalCents":2500`, `"totalCents":2600`))}, "totalCents: 2600 does not match the items (2500)"},
		{[]string{"order", "submit", "--queue", "orders", "--file", file("cur.ndjson", with(`"EUR"`, `"XBT"`))}, `currency: "XBT" is not accepted`},
		{[]string{"order", "submit", "--queue", "orders", "--file", file("unknown.ndjson", with(`"currency"`, `"coupon":"X","currency"`))}, "coupon: is not a field of an order message"},
		{[]string{"order", "submit", "--queue", "orders", "--file", file("big.ndjson", with(`"Berlin"`, `"`+strings.Repeat("x", 1<<20)+`"`))}, "1 MiB"},
		{[]string{"order", "submit", "--queue", "orders", "--file", file("dup.ndjson", good+"\n"+good+"\n")}, `line 2: orderId: "ord_1" is also order 1`},
		{[]string{"order", "submit", "--queue", "orders", "--file", file("arr.json", "[\n"+good+",\n"+with(`"ord_1"`, `"order-2"`)+"\n]")}, "line 3: orderId"},
		{[]string{"order", "submit", "--queue", "orders", "--file", file("placed.ndjson", with(`"2026-01-01T12:00:00Z"`, `"yesterday"`))}, "placedAt"},
		// order submit: flags
		{[]string{"order", "submit", "--queue", "orders", "--generate", "0"}, "--generate: must be 1 to 1,000,000"},
		{[]string{"order", "submit", "--queue", "orders", "--generate", "2", "--rate", "fast"}, `invalid argument "fast" for "--rate"`},
		{[]string{"order", "submit", "--queue", "orders", "--generate", "2", "--rate", "-5/s"}, "a rate must be more than 0"},
		{[]string{"order", "submit", "--queue", "orders", "--generate", "2", "--rate", "5/d"}, "the unit after / must be s, m or h"},
		{[]string{"order", "submit", "--queue", "orders", "--generate", "2", "--concurrency", "0"}, "--concurrency: must be 1 to 100"},
		{[]string{"order", "submit", "--queue", "orders", "--generate", "2", "--start", "noon"}, "--start"},
		{[]string{"order", "submit", "--queue", "orders", "--generate", "2", "--via", "smtp"}, `--via: "smtp" is not sqs or api`},
		{[]string{"order", "submit", "--generate", "2", "--via", "api"}, "--api-url: is required with --via api"},
		{[]string{"order", "submit", "--generate", "2", "--via", "api", "--api-url", "ftp://example.com/orders"}, "is not an http(s) URL"},
		{[]string{"order", "submit", "--queue", "orders", "--order-id", "ord_1", "--item", "PIZ-1x2"}, "--item \"PIZ-1x2\": write SKU:QTY:UNIT_PRICE_CENTS"},
		{[]string{"order", "submit", "--queue", "orders", "--order-id", "ord_1", "--customer-id", "cus_1", "--restaurant-id", "rst_1", "--item", "P:-1:100", "--line1", "x", "--city", "y", "--postal-code", "1", "--country", "DE"}, "--item (items[0].qty): must be >= 1"},
		{[]string{"order", "submit", "--queue", "orders queue", "--generate", "2"}, `--queue: "orders queue" is not a queue name`},
		{[]string{"order", "submit", "--queue", "ftp://sqs/orders", "--generate", "2"}, "is not a queue URL"},
		{[]string{"order", "submit", "--generate", "2"}, "--queue: no queue given"},
		{[]string{"order", "submit", "--queue", "missing-queue", "--generate", "2"}, `--queue: queue "missing-queue" does not exist`},
		{[]string{"--env", "nope", "order", "submit", "--queue", "orders", "--generate", "2"}, `environment "nope"`},
		{[]string{"--output", "xml", "order", "submit", "--queue", "orders", "--generate", "2"}, "--output"},
		// saga watch / list / describe
		{[]string{"saga", "watch"}, "accepts 1 arg(s)"},
		{[]string{"saga", "watch", "ord_1"}, "--state-machine: \"ord_1\" is an order id"},
		{[]string{"saga", "watch", "arn:aws:states:eu-west-1:123456789012:stateMachine:saga"}, "is not an execution ARN"},
		{[]string{"saga", "watch", "ord 1", "--state-machine", "saga"}, "is neither an execution ARN nor an order id"},
		{[]string{"saga", "watch", "ord_1", "--state-machine", "arn:aws:sqs:eu-west-1:1:q"}, "is not a state machine ARN"},
		{[]string{"saga", "watch", "ord_1", "--state-machine", "saga", "--interval", "0s"}, "--interval: must be 100ms to 5m"},
		{[]string{"saga", "watch", "ord_1", "--state-machine", "no-such-saga"}, `no state machine named "no-such-saga"`},
		{[]string{"saga", "list", "--state-machine", "saga", "--status", "DONE"}, `--status: "DONE" is not one of`},
		{[]string{"saga", "list", "--state-machine", "saga", "--since", "yesterday"}, "--since: \"yesterday\" is neither a duration"},
		{[]string{"saga", "list", "--state-machine", "saga", "--limit", "-1"}, "--limit: must be 0 (all) or more"},
		{[]string{"saga", "list"}, "--state-machine: no state machine given"},
		{[]string{"saga", "describe", "ord_1", "ord_2", "--state-machine", "saga"}, "accepts 1 arg(s)"},
		{[]string{"saga", "describe", "ord_1", "--state-machine", "arn:aws:states:eu-west-1:1:stateMachine:gone"}, "state machine arn:aws:states:eu-west-1:1:stateMachine:gone does not exist"},
		// dlq list / peek / redrive
		{[]string{"dlq", "list", "--queue", "bad name!"}, "is not a queue name"},
		{[]string{"dlq", "list", "--queue", "gone-dlq"}, `queue "gone-dlq" does not exist`},
		{[]string{"dlq", "peek", "0", "--queue", "orders-dlq"}, `N: "0" must be a whole number from 1 to 100`},
		{[]string{"dlq", "peek", "lots", "--queue", "orders-dlq"}, `N: "lots" must be`},
		{[]string{"dlq", "peek", "5"}, "--queue: no dead-letter queue given"},
		{[]string{"dlq", "redrive", "--queue", "orders-dlq", "--strategy", "fast"}, `--strategy: "fast" is not auto, native or copy`},
		{[]string{"dlq", "redrive", "--queue", "orders-dlq", "--strategy", "native", "--filter", "body.a == 1"}, "native (StartMessageMoveTask) cannot do --filter"},
		{[]string{"dlq", "redrive", "--queue", "orders-dlq", "--strategy", "native", "--rate", "600/s"}, "at most 500 messages/s"},
		{[]string{"dlq", "redrive", "--queue", "orders-dlq", "--filter", "body.currency = \"EUR\""}, "--filter: at column 15: '=' alone is not an operator"},
		{[]string{"dlq", "redrive", "--queue", "orders-dlq", "--max", "-1"}, "--max: must be 0 (all) or more"},
		{[]string{"dlq", "redrive", "--queue", "orders-dlq", "--to", "orders-dlq"}, "--to is the dead-letter queue itself"},
		{[]string{"dlq", "redrive", "--queue", "orders-dlq", "--wait", "30s"}, "--wait: must be 0 to 20s"},
		{[]string{"dlq", "redrive", "--queue", "gone-dlq"}, `queue "gone-dlq" does not exist`},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			args := append([]string{"--endpoint-url", endpoint}, c.args...)
			code := cli.Run(context.Background(), args, ios)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, errOut)
			}
			if out.Len() != 0 {
				t.Fatalf("bad input wrote to standard output: %q", out)
			}
			lines := strings.Split(strings.TrimRight(errOut.String(), "\n"), "\n")
			if !strings.HasPrefix(lines[0], "yafdp: ") || !strings.Contains(lines[0], c.want) {
				t.Fatalf("stderr %q, want one line containing %q", errOut, c.want)
			}
			if len(lines) > 2 || (len(lines) == 2 && !strings.HasPrefix(lines[1], "Run '")) {
				t.Fatalf("more than one line of error: %q", errOut)
			}
		})
	}
	for _, call := range calls() {
		switch call {
		case "AmazonSQS.GetQueueUrl", "AWSStepFunctions.ListStateMachines", "AWSStepFunctions.DescribeStateMachine":
		default:
			t.Errorf("a bad input made the call %s", call)
		}
	}
}
