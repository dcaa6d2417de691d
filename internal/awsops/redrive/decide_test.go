package redrive

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/batch"
	"github.com/yafdp/yafdp/internal/awsops/dlq"
	"github.com/yafdp/yafdp/internal/awsops/filter"
	"github.com/yafdp/yafdp/internal/input"
)

// decide is the whole of a copy run's judgement on one message: what the
// run knows goes in, a decision comes out, and nothing else happens but
// the two calls it is allowed (claim a place under Max, find the target),
// only when it gets that far.
func TestDecide(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	standard := &target{queue: awsops.Queue{URL: "http://q/orders", Name: "orders"}}
	fifo := &target{queue: awsops.Queue{URL: "http://q/orders.fifo", Name: "orders.fifo", FIFO: true}}
	fifoByContent := &target{queue: fifo.queue, contentDedup: true}
	eur, _ := filter.Parse(`body.currency == "EUR"`)

	msg := func(sentAt time.Time, body string, sys ...string) dlq.Message {
		m := dlq.Message{MessageID: "m-1", Body: body, System: map[string]string{"SentTimestamp": strconv.FormatInt(sentAt.UnixMilli(), 10)},
			Attributes: map[string]types.MessageAttributeValue{"traceId": {DataType: aws.String("String"), StringValue: aws.String("1-abc")}}}
		for i := 0; i+1 < len(sys); i += 2 {
			m.System[sys[i]] = sys[i+1]
		}
		return m
	}
	order := `{"orderId":"ord_1","customerId":"cus_1","currency":"EUR"}`
	old := msg(start.Add(-time.Hour), order)
	body := func(s string) batch.Message {
		return batch.Message{Body: s, Attributes: old.Attributes}
	}

	type want struct {
		action  action
		target  *target
		copy    batch.Message
		resend  bool
		reason  string // contains
		claimed bool   // claim was called
		looked  bool   // target was called
	}
	cases := []struct {
		name  string
		m     dlq.Message
		k     known
		full  bool // claim answers false: Max is reached
		found *target
		err   error
		want  want
	}{
		{name: "held by this run already", m: old, k: known{held: true, sent: true}, want: want{action: hideAgain}},
		{name: "sent by an earlier run", m: old, k: known{sent: true, uncertain: true}, want: want{action: deleteOnly}},
		{name: "sent after the run began", m: msg(start.Add(time.Millisecond), order), want: want{action: leave}},
		{name: "sent when the run began", m: msg(start, order), found: standard,
			want: want{action: send, target: standard, copy: body(order), claimed: true, looked: true}},
		{name: "filtered out", m: msg(start.Add(-time.Hour), `{"currency":"USD"}`), k: known{filter: eur}, want: want{action: skip}},
		{name: "beyond max", m: old, k: known{filter: eur}, full: true, want: want{action: release, claimed: true}},
		{name: "no target", m: old, err: input.Errorf("", "no source").WithFix("rerun with %s", input.Field("target")),
			want: want{action: fail, reason: "no source; rerun with target", claimed: true, looked: true}},
		{name: "target missing", m: old, err: errors.New("reading orders.fifo: boom"),
			want: want{action: fail, reason: "reading orders.fifo: boom", claimed: true, looked: true}},
		{name: "dry run", m: old, k: known{dryRun: true}, found: standard,
			want: want{action: plan, target: standard, copy: body(order), claimed: true, looked: true}},
		{name: "possibly sent by a stopped run", m: old, k: known{uncertain: true}, found: standard,
			want: want{action: send, target: standard, copy: body(order), resend: true, claimed: true, looked: true}},
		{name: "FIFO ids from the order", m: old, found: fifo,
			want: want{action: send, target: fifo, copy: batch.Message{Body: order, Attributes: old.Attributes, GroupID: "cus_1", DedupID: "ord_1"}, claimed: true, looked: true}},
		{name: "FIFO ids kept", m: msg(start.Add(-time.Hour), order, "MessageGroupId", "g", "MessageDeduplicationId", "d"), found: fifo,
			want: want{action: send, target: fifo, copy: batch.Message{Body: order, Attributes: old.Attributes, GroupID: "g", DedupID: "d"}, claimed: true, looked: true}},
		{name: "FIFO deduplicating by content", m: old, found: fifoByContent,
			want: want{action: send, target: fifoByContent, copy: batch.Message{Body: order, Attributes: old.Attributes, GroupID: "cus_1"}, claimed: true, looked: true}},
		{name: "FIFO without a group", m: msg(start.Add(-time.Hour), `{}`), found: fifo,
			want: want{action: fail, reason: "orders.fifo is a FIFO queue and the message has no MessageGroupId", claimed: true, looked: true}},
		{name: "FIFO inside the deduplication window", m: msg(start.Add(-time.Minute), order, "MessageDeduplicationId", "d"), found: fifo,
			want: want{action: fail, reason: "would drop it as a duplicate until 12:04:10 UTC", claimed: true, looked: true}},
		{name: "trace header kept", m: msg(start.Add(-time.Hour), order, "AWSTraceHeader", "Root=1-x"), found: standard,
			want: want{action: send, target: standard, claimed: true, looked: true, copy: batch.Message{Body: order, Attributes: old.Attributes,
				System: map[string]types.MessageSystemAttributeValue{"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-x")}}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got want
			k := c.k
			k.start, k.now = start, start
			k.claim = func() bool { got.claimed = true; return !c.full }
			k.target = func() (*target, error) { got.looked = true; return c.found, c.err }
			d := decide(c.m, k)
			got.action, got.target, got.copy, got.resend = d.action, d.target, d.copy, d.resend
			if !strings.Contains(d.reason.String(), c.want.reason) || (c.want.reason == "") != d.reason.IsZero() {
				t.Errorf("reason %q, want one containing %q", d.reason, c.want.reason)
			}
			got.reason = c.want.reason
			if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(want{}, target{}), cmp.AllowUnexported(types.MessageAttributeValue{}, types.MessageSystemAttributeValue{})); diff != "" {
				t.Errorf("decide (-want +got):\n%s", diff)
			}
		})
	}
}
