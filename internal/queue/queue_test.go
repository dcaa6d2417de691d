package queue

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVisibilityTimeoutAndRedelivery(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "orders", nil)
	sent := mustSend(t, q, SendInput{Body: "hello"})

	m1 := mustReceive(t, q, ReceiveInput{AttributeNames: []string{"All"}})
	if len(m1) != 1 || m1[0].MessageID != sent.MessageID || m1[0].ReceiveCount != 1 || m1[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive: %+v", m1)
	}
	if s := q.Stats(); s.Visible != 0 || s.InFlight != 1 {
		t.Fatalf("stats after receive: %+v", s)
	}
	if ms := mustReceive(t, q, ReceiveInput{}); len(ms) != 0 {
		t.Fatalf("received while invisible: %v", bodies(ms))
	}
	after(clk, 29*time.Second)
	if ms := mustReceive(t, q, ReceiveInput{}); len(ms) != 0 {
		t.Fatalf("received 1 s before the default 30 s timeout: %v", bodies(ms))
	}
	after(clk, time.Second)
	m2 := mustReceive(t, q, ReceiveInput{AttributeNames: []string{"ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"}})
	if len(m2) != 1 || m2[0].ReceiveCount != 2 || m2[0].ReceiptHandle == m1[0].ReceiptHandle {
		t.Fatalf("second receive: %+v", m2)
	}
	if got, want := m2[0].Attributes["ApproximateFirstReceiveTimestamp"], strconv.FormatInt(clock0()/1e6, 10); got != want {
		t.Fatalf("first receive timestamp %s, want %s", got, want)
	}
	// The receive's VisibilityTimeout overrides the queue's.
	after(clk, 30*time.Second)
	mustReceive(t, q, ReceiveInput{VisibilityTimeout: ptr(5)})
	after(clk, 5*time.Second)
	if ms := mustReceive(t, q, ReceiveInput{}); len(ms) != 1 || ms[0].ReceiveCount != 4 {
		t.Fatalf("after a 5 s override: %+v", ms)
	}
	s := q.Stats()
	if s.Sent != 1 || s.Received != 4 || s.InFlight != 1 {
		t.Fatalf("stats: %+v", s)
	}
}

func clock0() int64 { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano() }

func TestDeadLetterAfterExactlyMaxReceiveCount(t *testing.T) {
	b, clk := newVirtualBroker()
	dlq := mustCreate(t, b, "orders-dlq", nil)
	q := mustCreate(t, b, "orders", map[string]string{
		"VisibilityTimeout": "10",
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + dlq.ARN() + `","maxReceiveCount":3}`,
	})
	sent := mustSend(t, q, SendInput{Body: "poison", MessageAttributes: map[string]MessageAttributeValue{"k": str("v")}})
	deliveries := 0
	for range 10 {
		deliveries += len(mustReceive(t, q, ReceiveInput{}))
		after(clk, 10*time.Second)
	}
	if deliveries != 3 {
		t.Fatalf("delivered %d times, want exactly maxReceiveCount = 3", deliveries)
	}
	if s := q.Stats(); s.Visible+s.InFlight+s.Delayed != 0 || s.MovedToDLQ != 1 {
		t.Fatalf("source stats: %+v", s)
	}
	ms := mustReceive(t, dlq, ReceiveInput{AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}})
	if len(ms) != 1 {
		t.Fatalf("dead-letter queue has %d messages", len(ms))
	}
	m := ms[0]
	if m.MessageID != sent.MessageID || m.Body != "poison" || m.MessageAttributes["k"].StringValue != "v" {
		t.Fatalf("dead letter lost its id, body or attributes: %+v", m)
	}
	if m.Attributes["DeadLetterQueueSourceArn"] != q.ARN() || m.ReceiveCount != 1 {
		t.Fatalf("dead letter attributes: %+v", m.Attributes)
	}
	if m.Attributes["SentTimestamp"] != strconv.FormatInt(clock0()/1e6, 10) {
		t.Fatalf("dead letter SentTimestamp %s, want the original send", m.Attributes["SentTimestamp"])
	}
}

func TestDeleteSemantics(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "std", map[string]string{"VisibilityTimeout": "5"})
	mustSend(t, q, SendInput{Body: "a"})
	first := mustReceive(t, q, ReceiveInput{})[0]
	after(clk, 5*time.Second)
	second := mustReceive(t, q, ReceiveInput{})[0]
	// A standard queue deletes with a stale handle too.
	if err := q.Delete(first.ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if s := q.Stats(); s.InFlight != 0 || s.Deleted != 1 {
		t.Fatalf("stale handle did not delete: %+v", s)
	}
	// Deleting what is gone succeeds.
	if err := q.Delete(second.ReceiptHandle); err != nil {
		t.Fatalf("delete of a deleted message: %v", err)
	}
	after(clk, time.Minute)
	if ms := mustReceive(t, q, ReceiveInput{}); len(ms) != 0 {
		t.Fatalf("deleted message came back: %v", bodies(ms))
	}
	wantErr(t, q.Delete("garbage"), ErrReceiptHandleIsInvalid, "malformed handle")
	other := mustCreate(t, b, "other", nil)
	mustSend(t, other, SendInput{Body: "x"})
	h := mustReceive(t, other, ReceiveInput{})[0].ReceiptHandle
	wantErr(t, q.Delete(h), ErrReceiptHandleIsInvalid, "another queue's handle")

	// A FIFO queue rejects a handle whose visibility timeout ended.
	f := mustCreate(t, b, "f.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "5"})
	mustSend(t, f, SendInput{Body: "g1-m1", MessageGroupID: "g1", MessageDeduplicationID: "1"})
	fh := mustReceive(t, f, ReceiveInput{})[0].ReceiptHandle
	after(clk, 5*time.Second)
	err := f.Delete(fh)
	wantErr(t, err, ErrInvalidParameterValue, "expired FIFO handle")
	if want := "Value " + fh + " for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."; err.(*Error).Message != want {
		t.Fatalf("message %q, want %q", err.(*Error).Message, want)
	}
	fh2 := mustReceive(t, f, ReceiveInput{})[0].ReceiptHandle
	if err := f.Delete(fh2); err != nil {
		t.Fatal(err)
	}
}

func TestChangeVisibility(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "cv", nil)
	mustSend(t, q, SendInput{Body: "a"})
	m := mustReceive(t, q, ReceiveInput{})[0]
	if err := q.ChangeVisibility(m.ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	m2 := mustReceive(t, q, ReceiveInput{})
	if len(m2) != 1 {
		t.Fatal("timeout 0 did not make the message visible at once")
	}
	// The old handle is stale now.
	wantErr(t, q.ChangeVisibility(m.ReceiptHandle, 10), ErrInvalidParameterValue, "stale handle")
	if err := q.ChangeVisibility(m2[0].ReceiptHandle, 100); err != nil {
		t.Fatal(err)
	}
	after(clk, 99*time.Second)
	if len(mustReceive(t, q, ReceiveInput{})) != 0 {
		t.Fatal("visible before the extended timeout")
	}
	after(clk, time.Second)
	m3 := mustReceive(t, q, ReceiveInput{})[0]
	// Up to 12 hours from the receive, not more.
	after(clk, time.Hour)
	if err := q.ChangeVisibility(m3.ReceiptHandle, 11*3600); err != nil {
		t.Fatal(err)
	}
	wantErr(t, q.ChangeVisibility(m3.ReceiptHandle, 11*3600+1), ErrInvalidParameterValue, "past 12 h total")
	wantErr(t, q.ChangeVisibility(m3.ReceiptHandle, 43201), ErrInvalidParameterValue, "out of range")
	if err := q.Delete(m3.ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	// On a standard queue, a handle still the latest works after the timeout
	// ended: the message is hidden again.
	mustSend(t, q, SendInput{Body: "b"})
	mb := mustReceive(t, q, ReceiveInput{VisibilityTimeout: ptr(10)})[0]
	after(clk, 10*time.Second)
	if err := q.ChangeVisibility(mb.ReceiptHandle, 30); err != nil {
		t.Fatalf("latest handle after expiry: %v", err)
	}
	if len(mustReceive(t, q, ReceiveInput{})) != 0 {
		t.Fatal("message visible after being hidden again")
	}
	after(clk, 30*time.Second)
	if ms := mustReceive(t, q, ReceiveInput{}); len(ms) != 1 || ms[0].ReceiveCount != 2 {
		t.Fatalf("hidden message did not come back: %+v", ms)
	}
	wantErr(t, q.ChangeVisibility(m3.ReceiptHandle, 30), ErrInvalidParameterValue, "deleted message")
}

func TestFIFOGroupsOrderAndBlock(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "orders.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, s := range []string{"a1", "b1", "a2", "a3", "b2"} {
		mustSend(t, q, SendInput{Body: s, MessageGroupID: s[:1]})
	}
	first := mustReceive(t, q, ReceiveInput{MaxNumberOfMessages: 2})
	if got := bodies(first); !slices.Equal(got, []string{"a1", "a2"}) {
		t.Fatalf("first receive %v, want a group's messages in order", got)
	}
	// Group a is blocked while a1, a2 are in flight; b interleaves.
	second := mustReceive(t, q, ReceiveInput{MaxNumberOfMessages: 10})
	if got := bodies(second); !slices.Equal(got, []string{"b1", "b2"}) {
		t.Fatalf("second receive %v", got)
	}
	if len(mustReceive(t, q, ReceiveInput{MaxNumberOfMessages: 10})) != 0 {
		t.Fatal("received from blocked groups")
	}
	if s := q.Stats(); s.Visible != 1 || q.Receivable() {
		t.Fatalf("a3 is visible (%+v) but its group is blocked: not receivable", s)
	}
	// Deleting one of two in-flight messages does not unblock the group.
	if err := q.Delete(first[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if len(mustReceive(t, q, ReceiveInput{})) != 0 {
		t.Fatal("group unblocked with a message still in flight")
	}
	// a2's timeout ends: it comes back before a3.
	after(clk, 30*time.Second)
	third := mustReceive(t, q, ReceiveInput{MaxNumberOfMessages: 10, AttributeNames: []string{"All"}})
	if got := bodies(third); !slices.Equal(got, []string{"a2", "a3", "b1", "b2"}) {
		t.Fatalf("after timeouts %v", got)
	}
	a := third[0].Attributes
	if a["MessageGroupId"] != "a" || a["MessageDeduplicationId"] != contentDedupID("a2") || a["SequenceNumber"] == "" || a["ApproximateReceiveCount"] != "2" {
		t.Fatalf("FIFO attributes %v", a)
	}
	seq := func(m Message) string { return m.Attributes["SequenceNumber"] }
	if !(seq(third[0]) < seq(third[1])) || len(seq(third[0])) != 20 {
		t.Fatalf("sequence numbers %s %s", seq(third[0]), seq(third[1]))
	}
}

func TestFIFODeduplicationWindow(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "d.fifo", map[string]string{"FifoQueue": "true"})
	one := mustSend(t, q, SendInput{Body: "x", MessageGroupID: "g", MessageDeduplicationID: "order-1"})
	after(clk, 5*time.Minute-time.Nanosecond)
	dup := mustSend(t, q, SendInput{Body: "x", MessageGroupID: "g", MessageDeduplicationID: "order-1"})
	if !dup.Duplicate || dup.MessageID != one.MessageID || dup.SequenceNumber != one.SequenceNumber {
		t.Fatalf("duplicate within 5 min: %+v, original %+v", dup, one)
	}
	// Deleting the original does not end the window.
	h := mustReceive(t, q, ReceiveInput{})[0].ReceiptHandle
	if err := q.Delete(h); err != nil {
		t.Fatal(err)
	}
	if s := q.Stats(); s.Sent != 1 || s.Duplicates != 1 || s.Visible+s.InFlight != 0 {
		t.Fatalf("stats %+v", s)
	}
	after(clk, time.Nanosecond)
	again := mustSend(t, q, SendInput{Body: "x", MessageGroupID: "g", MessageDeduplicationID: "order-1"})
	if again.Duplicate || again.MessageID == one.MessageID {
		t.Fatal("a send 5 min later was dropped")
	}
	// Content-based deduplication hashes the body; scope messageGroup keys
	// by group too.
	c := mustCreate(t, b, "c.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup"})
	c1 := mustSend(t, c, SendInput{Body: "same", MessageGroupID: "g1"})
	c2 := mustSend(t, c, SendInput{Body: "same", MessageGroupID: "g1"})
	c3 := mustSend(t, c, SendInput{Body: "same", MessageGroupID: "g2"})
	if !c2.Duplicate || c2.MessageID != c1.MessageID || c3.Duplicate {
		t.Fatalf("content dedup: %+v %+v %+v", c1, c2, c3)
	}
}

func TestDelays(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "delayed", map[string]string{"DelaySeconds": "10"})
	mustSend(t, q, SendInput{Body: "queue-delay"})
	mustSend(t, q, SendInput{Body: "no-delay", DelaySeconds: ptr(0)})
	mustSend(t, q, SendInput{Body: "long", DelaySeconds: ptr(900)})
	if s := q.Stats(); s.Delayed != 2 || s.Visible != 1 {
		t.Fatalf("stats %+v", s)
	}
	in := ReceiveInput{MaxNumberOfMessages: 10, VisibilityTimeout: ptr(43200)}
	if got := bodies(mustReceive(t, q, in)); !slices.Equal(got, []string{"no-delay"}) {
		t.Fatalf("at 0 s: %v", got)
	}
	after(clk, 10*time.Second-time.Nanosecond)
	if got := bodies(mustReceive(t, q, in)); len(got) != 0 {
		t.Fatalf("before 10 s: %v", got)
	}
	after(clk, time.Nanosecond)
	if got := bodies(mustReceive(t, q, in)); !slices.Equal(got, []string{"queue-delay"}) {
		t.Fatalf("at 10 s: %v", got)
	}
	after(clk, 890*time.Second)
	if got := bodies(mustReceive(t, q, in)); !slices.Equal(got, []string{"long"}) {
		t.Fatalf("at 900 s: %v", got)
	}
	attrs, _ := q.Attributes(AttrApproximateNumberOfMessagesDelayed, AttrApproximateNumberOfMessagesNotVisible)
	if attrs[AttrApproximateNumberOfMessagesDelayed] != "0" || attrs[AttrApproximateNumberOfMessagesNotVisible] != "3" {
		t.Fatalf("attributes %v", attrs)
	}
}

func TestRetention(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "short", map[string]string{"MessageRetentionPeriod": "60"})
	mustSend(t, q, SendInput{Body: "visible"})
	mustSend(t, q, SendInput{Body: "inflight"})
	m := mustReceive(t, q, ReceiveInput{})
	m = append(m, mustReceive(t, q, ReceiveInput{VisibilityTimeout: ptr(3600)})...)
	if err := q.ChangeVisibility(m[0].ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	after(clk, 30*time.Second)
	mustSend(t, q, SendInput{Body: "later", DelaySeconds: ptr(40)})
	after(clk, 29*time.Second)
	if s := q.Stats(); s.Visible+s.InFlight+s.Delayed != 3 || s.OldestAge != 59*time.Second {
		t.Fatalf("at 59 s: %+v", s)
	}
	after(clk, time.Second)
	s := q.Stats()
	if s.Visible+s.InFlight+s.Delayed != 1 || s.Delayed != 1 || s.Expired != 2 || s.OldestAge != 30*time.Second {
		t.Fatalf("at 60 s: %+v", s)
	}
	after(clk, 30*time.Second)
	if s := q.Stats(); s.Visible+s.InFlight+s.Delayed != 0 || s.Expired != 3 {
		t.Fatalf("at 90 s, the delayed message's retention counts from its send: %+v", s)
	}
	// An expired message's handle deletes nothing, silently.
	if err := q.Delete(m[1].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
}

func TestDeadLetterRetention(t *testing.T) {
	// A standard queue's dead letter keeps its send time for retention; a
	// FIFO queue's starts again.
	for _, fifo := range []bool{false, true} {
		b, clk := newVirtualBroker()
		suffix, attrs := "", map[string]string{}
		if fifo {
			suffix, attrs = ".fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"}
		}
		dattrs := map[string]string{"MessageRetentionPeriod": "120"}
		for k, v := range attrs {
			dattrs[k] = v
		}
		dlq := mustCreate(t, b, "dlq"+suffix, dattrs)
		attrs["RedrivePolicy"] = `{"deadLetterTargetArn":"` + dlq.ARN() + `","maxReceiveCount":"1"}`
		attrs["VisibilityTimeout"] = "90"
		q := mustCreate(t, b, "src"+suffix, attrs)
		mustSend(t, q, SendInput{Body: "m", MessageGroupID: "g"})
		mustReceive(t, q, ReceiveInput{})
		after(clk, 90*time.Second)
		mustReceive(t, q, ReceiveInput{}) // moves it
		after(clk, 31*time.Second)        // 121 s after the send, 31 s after the move
		s := dlq.Stats()
		if left := s.Visible; fifo && left != 1 || !fifo && left != 0 {
			t.Fatalf("fifo=%v: %d left in the DLQ, %+v", fifo, left, s)
		}
	}
}

func TestPurge(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "p", nil)
	for i := range 5 {
		mustSend(t, q, SendInput{Body: fmt.Sprint(i)})
	}
	h := mustReceive(t, q, ReceiveInput{})[0].ReceiptHandle
	if err := q.Purge(); err != nil {
		t.Fatal(err)
	}
	if s := q.Stats(); s.Visible+s.InFlight != 0 || s.Purged != 5 {
		t.Fatalf("after purge %+v", s)
	}
	if err := q.Delete(h); err != nil {
		t.Fatal(err)
	}
	err := q.Purge()
	wantErr(t, err, ErrPurgeQueueInProgress, "second purge")
	if err.(*Error).Status != 403 || err.(*Error).Message != "Only one PurgeQueue operation on p is allowed every 60 seconds." {
		t.Fatalf("%+v", err)
	}
	after(clk, 60*time.Second)
	if err := q.Purge(); err != nil {
		t.Fatal(err)
	}
}

func TestReceiveAttributeFilters(t *testing.T) {
	b, _ := newVirtualBroker()
	q := mustCreate(t, b, "attrs", nil)
	mustSend(t, q, SendInput{Body: "msg", SenderID: "AIDAEXAMPLE", MessageAttributes: map[string]MessageAttributeValue{
		"General": str("Kenobi"), "Hello": str("There"), "Help.Me": str("Me"),
	}, MessageSystemAttributes: map[string]MessageAttributeValue{"AWSTraceHeader": str("Root=1")}})
	get := func(in ReceiveInput) Message {
		in.VisibilityTimeout = ptr(0)
		return mustReceive(t, q, in)[0]
	}
	names := func(m map[string]MessageAttributeValue) []string {
		var s []string
		for k := range m {
			s = append(s, k)
		}
		slices.Sort(s)
		return s
	}
	for _, tt := range []struct {
		filter []string
		want   []string
	}{
		{nil, nil},
		{[]string{"All"}, []string{"General", "Hello", "Help.Me"}},
		{[]string{".*"}, []string{"General", "Hello", "Help.Me"}},
		{[]string{"Nope"}, nil},
		{[]string{"General", "Hello"}, []string{"General", "Hello"}},
		{[]string{"Hello", "Nope"}, []string{"Hello"}},
		{[]string{"He.*"}, []string{"Hello", "Help.Me"}},
	} {
		if got := names(get(ReceiveInput{MessageAttributeNames: tt.filter}).MessageAttributes); !slices.Equal(got, tt.want) {
			t.Errorf("filter %v: %v, want %v", tt.filter, got, tt.want)
		}
	}
	m := get(ReceiveInput{AttributeNames: []string{"All"}})
	keys := make([]string, 0)
	for k := range m.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"AWSTraceHeader", "ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"}; !slices.Equal(keys, want) {
		t.Fatalf("All system attributes of a standard message: %v, want %v", keys, want)
	}
	if m.Attributes["SenderId"] != "AIDAEXAMPLE" || m.Attributes["AWSTraceHeader"] != "Root=1" {
		t.Fatalf("%v", m.Attributes)
	}
	if m := get(ReceiveInput{AttributeNames: []string{"SenderId", "Bogus"}}); len(m.Attributes) != 1 || m.Attributes["SenderId"] == "" {
		t.Fatalf("single attribute: %v", m.Attributes)
	}
}

func TestSendBatch(t *testing.T) {
	b, _ := newVirtualBroker()
	q := mustCreate(t, b, "batch", map[string]string{"MaximumMessageSize": "1024"})
	out, err := q.SendBatch([]SendBatchEntry{
		{ID: "ok-1", SendInput: SendInput{Body: "one"}},
		{ID: "too_big", SendInput: SendInput{Body: strings.Repeat("x", 1025)}},
		{ID: "ok-2", SendInput: SendInput{Body: "two", DelaySeconds: ptr(5)}},
		{ID: "bad", SendInput: SendInput{Body: "\x00"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 2 || out.Successful[0].ID != "ok-1" || out.Successful[1].ID != "ok-2" || out.Successful[0].MessageID == "" {
		t.Fatalf("successful %+v", out.Successful)
	}
	if len(out.Failed) != 2 || out.Failed[0].ID != "too_big" || out.Failed[0].Code != "InvalidParameterValue" || !out.Failed[0].SenderFault ||
		out.Failed[1].Code != "InvalidMessageContents" {
		t.Fatalf("failed %+v", out.Failed)
	}
	if s := q.Stats(); s.Visible != 1 || s.Delayed != 1 {
		t.Fatalf("%+v", s)
	}
	msgs := mustReceive(t, q, ReceiveInput{MaxNumberOfMessages: 10})
	del, err := q.DeleteBatch([]DeleteBatchEntry{{ID: "a", ReceiptHandle: msgs[0].ReceiptHandle}, {ID: "b", ReceiptHandle: "nope"}})
	if err != nil || !slices.Equal(del.Successful, []string{"a"}) || len(del.Failed) != 1 || del.Failed[0].Code != "ReceiptHandleIsInvalid" {
		t.Fatalf("delete batch %+v %v", del, err)
	}
	cv, err := q.ChangeVisibilityBatch([]VisibilityBatchEntry{{ID: "a", ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 10}, {ID: "b", ReceiptHandle: "nope", VisibilityTimeout: -1}})
	if err != nil || len(cv.Successful) != 0 || len(cv.Failed) != 2 || cv.Failed[0].Code != "InvalidParameterValue" {
		t.Fatalf("visibility batch %+v %v", cv, err)
	}
}

func TestMessageIDsAreUUIDv4AndReproducible(t *testing.T) {
	ids := func() []string {
		b, _ := newVirtualBroker()
		q := mustCreate(t, b, "ids", nil)
		var s []string
		for range 3 {
			s = append(s, mustSend(t, q, SendInput{Body: "x"}).MessageID)
		}
		return s
	}
	a, c := ids(), ids()
	if !slices.Equal(a, c) {
		t.Fatalf("same seed, different ids: %v %v", a, c)
	}
	for _, id := range a {
		if len(id) != 36 || id[14] != '4' || !strings.ContainsAny(id[19:20], "89ab") {
			t.Fatalf("not a UUID v4: %s", id)
		}
	}
}

func TestCreateQueueAndAttributes(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "orders", nil)
	all, err := q.Attributes("All")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0", "ApproximateNumberOfMessagesDelayed": "0",
		"CreatedTimestamp": strconv.FormatInt(clock0()/1e9, 10), "LastModifiedTimestamp": strconv.FormatInt(clock0()/1e9, 10),
		"DelaySeconds": "0", "MaximumMessageSize": "1048576", "MessageRetentionPeriod": "345600",
		"QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders", "ReceiveMessageWaitTimeSeconds": "0",
		"SqsManagedSseEnabled": "true", "VisibilityTimeout": "30",
	}
	if fmt.Sprint(all) != fmt.Sprint(want) {
		t.Fatalf("defaults:\n got %v\nwant %v", all, want)
	}
	if q.URL() != "https://sqs.us-east-1.amazonaws.com/000000000000/orders" {
		t.Fatal(q.URL())
	}
	// Same name and attributes: the same queue. Different: an error.
	same, err := b.CreateQueue("orders", map[string]string{"VisibilityTimeout": "30"}, nil)
	if err != nil || same != q {
		t.Fatalf("idempotent create: %v", err)
	}
	_, err = b.CreateQueue("orders", map[string]string{"DelaySeconds": "1"}, nil)
	wantErr(t, err, ErrQueueAlreadyExists, "different attributes")
	if err.(*Error).Message != "A queue already exists with the same name and a different value for attribute DelaySeconds" || err.(*Error).Type != "QueueNameExists" || err.(*Error).Code != "QueueAlreadyExists" {
		t.Fatalf("%+v", err)
	}
	after(clk, time.Hour)
	if err := q.SetAttributes(map[string]string{"VisibilityTimeout": "60", "RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`}); err != nil {
		t.Fatal(err)
	}
	got, _ := q.Attributes("VisibilityTimeout", "LastModifiedTimestamp", "RedriveAllowPolicy", "RedrivePolicy")
	if got["VisibilityTimeout"] != "60" || got["LastModifiedTimestamp"] != strconv.FormatInt(clock0()/1e9+3600, 10) ||
		got["RedriveAllowPolicy"] != `{"redrivePermission":"denyAll"}` || len(got) != 3 {
		t.Fatalf("after set: %v", got)
	}
	// A FIFO queue shows its own attributes.
	f := mustCreate(t, b, "o.fifo", map[string]string{"FifoQueue": "true"})
	fa, _ := f.Attributes("All")
	if fa["FifoQueue"] != "true" || fa["ContentBasedDeduplication"] != "false" || fa["DeduplicationScope"] != "queue" || fa["FifoThroughputLimit"] != "perQueue" {
		t.Fatalf("FIFO attributes %v", fa)
	}
}

func TestRedrivePolicyRendering(t *testing.T) {
	b, _ := newVirtualBroker()
	dlq := mustCreate(t, b, "dlq", nil)
	q := mustCreate(t, b, "src", map[string]string{"RedrivePolicy": `{"maxReceiveCount":"5", "deadLetterTargetArn":"` + dlq.ARN() + `"}`})
	got, _ := q.Attributes("RedrivePolicy")
	if want := `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":5}`; got["RedrivePolicy"] != want {
		t.Fatalf("%s, want %s", got["RedrivePolicy"], want)
	}
	// Removing it.
	if err := q.SetAttributes(map[string]string{"RedrivePolicy": ""}); err != nil {
		t.Fatal(err)
	}
	if got, _ := q.Attributes("RedrivePolicy"); len(got) != 0 {
		t.Fatal(got)
	}
}

func TestListQueues(t *testing.T) {
	b, _ := newVirtualBroker()
	for _, n := range []string{"orders", "orders-dlq", "payments", "orders-2"} {
		mustCreate(t, b, n, nil)
	}
	urls, next, err := b.ListQueues("orders", 0, "")
	if err != nil || len(urls) != 3 || next != "" || urls[0] != b.QueueURL("orders") {
		t.Fatalf("%v %q %v", urls, next, err)
	}
	var pages [][]string
	tok := ""
	for {
		urls, next, err := b.ListQueues("", 3, tok)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, urls)
		if next == "" {
			break
		}
		tok = next
	}
	if len(pages) != 2 || len(pages[0]) != 3 || len(pages[1]) != 1 || pages[1][0] != b.QueueURL("payments") {
		t.Fatalf("pages %v", pages)
	}
	dlqARN := b.QueueARN("orders-dlq")
	q, _ := b.Queue("orders")
	if err := q.SetAttributes(map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":3}`}); err != nil {
		t.Fatal(err)
	}
	src, _, err := b.ListDeadLetterSourceQueues("orders-dlq", 0, "")
	if err != nil || !slices.Equal(src, []string{b.QueueURL("orders")}) {
		t.Fatalf("sources %v %v", src, err)
	}
	if _, err := b.QueueByURL("http://127.0.0.1:4566/000000000000/payments"); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteQueue("payments"); err != nil {
		t.Fatal(err)
	}
	_, err = b.Queue("payments")
	wantErr(t, err, ErrQueueDoesNotExist, "deleted queue")
	wantErr(t, b.DeleteQueue("payments"), ErrQueueDoesNotExist, "delete twice")
}

func TestDeletedQueue(t *testing.T) {
	clk := newVirtualClock()
	b := New(Options{Clock: clk, DeletedQueueCooldown: time.Minute})
	q := mustCreate(t, b, "gone", nil)
	var got error
	q.ReceiveAsync(ReceiveInput{WaitTimeSeconds: ptr(20)}, func(_ []Message, err error) { got = err })
	if err := b.DeleteQueue("gone"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, got, ErrQueueDoesNotExist, "long poll on a deleted queue")
	_, err := q.Send(SendInput{Body: "x"})
	wantErr(t, err, ErrQueueDoesNotExist, "send to a deleted queue")
	_, err = b.CreateQueue("gone", nil, nil)
	wantErr(t, err, ErrQueueDeletedRecently, "recreate at once")
	clk.Advance(time.Minute)
	if _, err := b.CreateQueue("gone", nil, nil); err != nil {
		t.Fatal(err)
	}
	if clk.Pending() != 0 {
		t.Fatalf("%d timers left behind", clk.Pending())
	}
}

// A standard dead-letter queue gets messages whose retention started before
// that of messages already there; expiry still takes the oldest first.
func TestDeadLettersOutOfRetentionOrder(t *testing.T) {
	b, clk := newVirtualBroker()
	dlq := mustCreate(t, b, "dlq", map[string]string{"MessageRetentionPeriod": "100"})
	src := mustCreate(t, b, "src", map[string]string{"VisibilityTimeout": "60",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlq.ARN() + `","maxReceiveCount":1}`})
	mustSend(t, src, SendInput{Body: "old"}) // t=0
	mustReceive(t, src, ReceiveInput{})
	after(clk, 30*time.Second)
	mustSend(t, dlq, SendInput{Body: "direct"}) // t=30, straight into the DLQ
	after(clk, 30*time.Second)
	mustReceive(t, src, ReceiveInput{}) // t=60: "old" moves, retention from t=0
	if err := checkInvariants(dlq); err != nil {
		t.Fatal(err)
	}
	if s := dlq.Stats(); s.Visible != 2 || s.OldestAge != 60*time.Second {
		t.Fatalf("%+v", s)
	}
	after(clk, 40*time.Second) // t=100: "old" expires, "direct" stays
	ms := mustReceive(t, dlq, ReceiveInput{MaxNumberOfMessages: 10})
	if got := bodies(ms); !slices.Equal(got, []string{"direct"}) || dlq.Stats().Expired != 1 {
		t.Fatalf("%v %+v", got, dlq.Stats())
	}
}

func TestTagsAndQueues(t *testing.T) {
	b, _ := newVirtualBroker()
	q, err := b.CreateQueue("tagged", nil, map[string]string{"team": "orders"})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Tag(map[string]string{"env": "dev"}); err != nil {
		t.Fatal(err)
	}
	if err := q.Untag([]string{"team"}); err != nil {
		t.Fatal(err)
	}
	if tags := q.Tags(); len(tags) != 1 || tags["env"] != "dev" {
		t.Fatal(tags)
	}
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprint("k", i)] = "v"
	}
	checkErr(t, q.Tag(many), ErrInvalidParameterValue, "Too many tags")
	mustCreate(t, b, "a", nil)
	if qs := b.Queues(); len(qs) != 2 || qs[0].Name() != "a" || qs[1].FIFO() {
		t.Fatal(qs)
	}
}

func TestInflightLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 120,001 messages")
	}
	b, _ := newVirtualBroker()
	q := mustCreate(t, b, "busy", nil)
	for range MaxInflight/10 + 1 {
		es := make([]SendBatchEntry, 10)
		for j := range es {
			es[j] = SendBatchEntry{ID: fmt.Sprint(j), SendInput: SendInput{Body: "x"}}
		}
		if _, err := q.SendBatch(es); err != nil {
			t.Fatal(err)
		}
	}
	for range MaxInflight / 10 {
		if ms := mustReceive(t, q, ReceiveInput{MaxNumberOfMessages: 10}); len(ms) != 10 {
			t.Fatal(len(ms))
		}
	}
	_, err := q.Receive(ReceiveInput{})
	checkErr(t, err, ErrOverLimit, "in flight")
}
