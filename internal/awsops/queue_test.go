package awsops

import (
	"strings"
	"testing"
)

// A queue reference is parsed once, without AWS: a URL, an SQS ARN or a
// name; FIFO is in the name.
func TestQueueRefsAreCheckedWithoutAWS(t *testing.T) {
	good := map[string]Queue{
		"orders":      {Name: "orders"},
		"orders.fifo": {Name: "orders.fifo", FIFO: true},
		"https://sqs.eu-west-1.amazonaws.com/123456789012/orders": {URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders", Name: "orders"},
		"arn:aws:sqs:eu-west-1:123456789012:orders-dlq":           {Name: "orders-dlq"},
	}
	for ref, want := range good {
		r, err := ParseQueueRef("queue", ref)
		if err != nil || r.Queue() != want || r.String() != ref {
			t.Errorf("ParseQueueRef(%q) = %+v, %v; want %+v", ref, r.Queue(), err, want)
		}
	}
	for _, ref := range []string{"", "orders queue", "ftp://x/orders", "https://sqs.amazonaws.com/", "arn:aws:sns:eu-west-1:1:topic", strings.Repeat("q", 81)} {
		if _, err := ParseQueueRef("queue", ref); err == nil {
			t.Errorf("ParseQueueRef(%q) accepted", ref)
		}
	}
	if q := QueueAt("http://127.0.0.1:4566/000000000000/orders-dlq.fifo"); q.Name != "orders-dlq.fifo" || !q.FIFO {
		t.Errorf("QueueAt = %+v", q)
	}
}
