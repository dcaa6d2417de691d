package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/queue"
)

func ptr[T any](v T) *T { return &v }

func open(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func broker(t *testing.T, clk clock.Clock, db *DB) *queue.Broker {
	t.Helper()
	opts := queue.Options{Clock: clk, Source: rand.NewPCG(1, 2)}
	if db != nil {
		opts.Store = db.Queues()
		st, err := db.Queues().LoadQueues()
		if err != nil {
			t.Fatal(err)
		}
		b := queue.New(opts)
		if err := b.Restore(st); err != nil {
			t.Fatal(err)
		}
		return b
	}
	return queue.New(opts)
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// populate leaves queues in every state a message can be in: visible,
// delayed, in flight after one or two receives, with a changed visibility,
// deleted, moved to the dead-letter queue, FIFO groups blocked by a message
// in flight, deduplication ids in their window, tags and attributes.
func populate(t *testing.T, b *queue.Broker, clk *clock.Virtual) (handles []string) {
	dlq := must[*queue.Queue](t)(b.CreateQueue("dlq", map[string]string{queue.AttrMessageRetentionPeriod: "1209600"}, map[string]string{"team": "orders"}))
	src := must[*queue.Queue](t)(b.CreateQueue("src", map[string]string{
		queue.AttrVisibilityTimeout: "30",
		queue.AttrRedrivePolicy:     fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":2}`, dlq.ARN()),
	}, nil))
	fifo := must[*queue.Queue](t)(b.CreateQueue("f.fifo", map[string]string{queue.AttrFifoQueue: "true", queue.AttrContentBasedDeduplication: "true"}, nil))
	if err := src.Tag(map[string]string{"env": "local"}); err != nil {
		t.Fatal(err)
	}
	if err := dlq.SetAttributes(map[string]string{queue.AttrDelaySeconds: "0", queue.AttrPolicy: `{"Version":"2012-10-17"}`}); err != nil {
		t.Fatal(err)
	}
	attrs := map[string]queue.MessageAttributeValue{
		"s": {DataType: "String", StringValue: "é"},
		"n": {DataType: "Number.int", StringValue: "42"},
		"b": {DataType: "Binary", BinaryValue: []byte{0, 1, 2}},
	}
	for i := range 12 {
		in := queue.SendInput{Body: fmt.Sprintf(`{"orderId":"ord_%d"}`, i), MessageGroupID: "g"}
		if i%3 == 0 {
			in.MessageAttributes = attrs
			in.MessageSystemAttributes = map[string]queue.MessageAttributeValue{"AWSTraceHeader": {DataType: "String", StringValue: "Root=1-abc"}}
		}
		if i == 11 {
			in.DelaySeconds = ptr(600)
		}
		must[queue.SendOutput](t)(src.Send(in))
	}
	all := queue.ReceiveInput{MaxNumberOfMessages: 3, AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}}
	r1 := must[[]queue.Message](t)(src.Receive(all)) // 0,1,2 in flight
	if err := src.Delete(r1[1].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if err := src.ChangeVisibility(r1[2].ReceiptHandle, 300); err != nil {
		t.Fatal(err)
	}
	clk.Advance(31 * time.Second)                                                           // 0 is visible again
	r2 := must[[]queue.Message](t)(src.Receive(queue.ReceiveInput{MaxNumberOfMessages: 2})) // 0 (second receive), 3
	clk.Advance(31 * time.Second)
	// 0 has been received twice: this receive moves it to the DLQ.
	must[[]queue.Message](t)(src.Receive(queue.ReceiveInput{MaxNumberOfMessages: 1, VisibilityTimeout: ptr(600)}))
	handles = append(handles, r2[1].ReceiptHandle)

	must[queue.SendOutput](t)(fifo.Send(queue.SendInput{Body: "a1", MessageGroupID: "a"}))
	must[queue.SendOutput](t)(fifo.Send(queue.SendInput{Body: "a2", MessageGroupID: "a"}))
	must[queue.SendOutput](t)(fifo.Send(queue.SendInput{Body: "b1", MessageGroupID: "b", MessageDeduplicationID: "dup-b1"}))
	rf := must[[]queue.Message](t)(fifo.Receive(queue.ReceiveInput{MaxNumberOfMessages: 1}))
	handles = append(handles, rf[0].ReceiptHandle)

	// A queue deleted and created again: nothing of the first remains.
	old := must[*queue.Queue](t)(b.CreateQueue("again", nil, nil))
	must[queue.SendOutput](t)(old.Send(queue.SendInput{Body: "gone"}))
	if err := b.DeleteQueue("again"); err != nil {
		t.Fatal(err)
	}
	again := must[*queue.Queue](t)(b.CreateQueue("again", map[string]string{queue.AttrVisibilityTimeout: "5"}, nil))
	must[queue.SendOutput](t)(again.Send(queue.SendInput{Body: "kept"}))
	purged := must[*queue.Queue](t)(b.CreateQueue("purged", nil, nil))
	must[queue.SendOutput](t)(purged.Send(queue.SendInput{Body: "purged"}))
	if err := purged.Purge(); err != nil {
		t.Fatal(err)
	}
	return handles
}

// snapshot is what a client can see of a broker.
type snapshot struct {
	Queues []string
	Attrs  map[string]map[string]string
	Tags   map[string]map[string]string
	Dups   map[string]queue.SendOutput
	Msgs   map[string][]queue.Message
}

// observe reads everything a client can, in an order that changes both
// brokers alike: attributes first, then a duplicate FIFO send, then every
// message once all visibility timeouts and delays have passed.
func observe(t *testing.T, b *queue.Broker, clk *clock.Virtual, handles []string) snapshot {
	s := snapshot{Attrs: map[string]map[string]string{}, Tags: map[string]map[string]string{},
		Dups: map[string]queue.SendOutput{}, Msgs: map[string][]queue.Message{}}
	s.Queues, _, _ = b.ListQueues("", 0, "")
	for _, q := range b.Queues() {
		s.Attrs[q.Name()] = must[map[string]string](t)(q.Attributes("All"))
		s.Tags[q.Name()] = q.Tags()
	}
	fifo := must[*queue.Queue](t)(b.Queue("f.fifo"))
	d := must[queue.SendOutput](t)(fifo.Send(queue.SendInput{Body: "again", MessageGroupID: "b", MessageDeduplicationID: "dup-b1"}))
	if !d.Duplicate {
		t.Errorf("the deduplication id was forgotten")
	}
	s.Dups["f.fifo"] = d
	// Handles given out before a restart still work after it.
	src := must[*queue.Queue](t)(b.Queue("src"))
	if err := src.Delete(handles[0]); err != nil {
		t.Errorf("delete with an old handle: %v", err)
	}
	if err := fifo.Delete(handles[1]); err != nil {
		t.Errorf("FIFO delete with an old handle: %v", err)
	}
	clk.Advance(time.Hour)
	for _, q := range b.Queues() {
		for {
			ms := must[[]queue.Message](t)(q.Receive(queue.ReceiveInput{MaxNumberOfMessages: 10, VisibilityTimeout: ptr(43200),
				AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}}))
			if len(ms) == 0 {
				break
			}
			s.Msgs[q.Name()] = append(s.Msgs[q.Name()], ms...)
		}
	}
	return s
}

// TestQueuesSurviveReopen runs the same operations on a broker in memory
// and on one kept in a data directory; the second is closed, reopened and
// restored. A client must not see a difference.
func TestQueuesSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	memClk := clock.NewVirtual(clock.Epoch)
	mem := broker(t, memClk, nil)
	memHandles := populate(t, mem, memClk)

	diskClk := clock.NewVirtual(clock.Epoch)
	db := open(t, dir)
	disk := broker(t, diskClk, db)
	diskHandles := populate(t, disk, diskClk)
	disk.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = open(t, dir)
	defer db.Close()
	restored := broker(t, diskClk, db)
	if diff := cmp.Diff(memHandles, diskHandles); diff != "" {
		t.Fatalf("handles differ (-memory +disk):\n%s", diff)
	}
	want := observe(t, mem, memClk, memHandles)
	got := observe(t, restored, diskClk, diskHandles)
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(queue.SendOutput{})); diff != "" {
		t.Fatalf("after a restart (-memory +restored):\n%s", diff)
	}
	if n := len(want.Msgs["src"]); n != 9 {
		t.Errorf("src has %d messages, want 9 (12 sent, 1 deleted, 1 dead-lettered, 1 deleted after the restart)", n)
	}
	if n := len(want.Msgs["dlq"]); n != 1 {
		t.Errorf("dlq has %d messages, want 1", n)
	}
	if ms := want.Msgs["again"]; len(ms) != 1 || ms[0].Body != "kept" {
		t.Errorf("again: %v", ms)
	}
}

func TestMessageCodecRoundTrip(t *testing.T) {
	m := queue.MessageRecord{
		Seq: 7, ID: "id", Body: "body ✓", TraceHeader: "t", GroupID: "g", DeduplicationID: "d", SenderID: "s",
		DeadLetterSourceARN: "arn:aws:sqs:us-east-1:000000000000:src", SentAt: 1, Origin: -2,
		Attributes: map[string]queue.MessageAttributeValue{"a": {DataType: "Binary", BinaryValue: []byte{9}}, "b": {DataType: "String", StringValue: "x"}},
		Receives:   3, FirstReceive: 4, ReceivedAt: 5, VisibleAt: 6,
	}
	got, err := decodeMessage(encodeMessage(&m))
	if err != nil {
		t.Fatal(err)
	}
	got.Seq = m.Seq
	if err := decodeReceive(encodeReceive(&m), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Fatal(diff)
	}
	for i := range len(encodeMessage(&m)) {
		if _, err := decodeMessage(encodeMessage(&m)[:i]); err == nil {
			t.Fatalf("a record cut at %d bytes decoded", i)
		}
	}
}

func TestOpenRefusesAFileAndALockedDirectory(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(file, 0); err == nil {
		t.Fatal("opened a file as a data directory")
	}
	db := open(t, dir)
	defer db.Close()
	// bbolt's lock is per open file description, so a second open in the
	// same process is refused as another process would be.
	if _, err := Open(dir, 50*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}

// TestMoveTasksSurviveReopen: a finished move task is listed again as it
// was; one running at the restart is FAILED (MoveTaskRestarted), what it
// moved stays moved and the rest stays in the dead-letter queue.
func TestMoveTasksSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewVirtual(clock.Epoch)
	db := open(t, dir)
	b := broker(t, clk, db)
	dlq := must[*queue.Queue](t)(b.CreateQueue("dlq", nil, nil))
	src := must[*queue.Queue](t)(b.CreateQueue("src", map[string]string{
		queue.AttrRedrivePolicy: fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":1}`, dlq.ARN())}, nil))
	for i := range 10 {
		must[queue.SendOutput](t)(src.Send(queue.SendInput{Body: fmt.Sprint(i)}))
	}
	for range 2 { // received once, then moved on the next receive
		must[[]queue.Message](t)(src.Receive(queue.ReceiveInput{MaxNumberOfMessages: 10, VisibilityTimeout: ptr(0)}))
	}
	if st := dlq.Stats(); st.Visible != 10 {
		t.Fatalf("dlq holds %d, want 10", st.Visible)
	}
	start := func(rate int) {
		t.Helper()
		if _, err := b.StartMessageMoveTask(queue.MoveTaskInput{SourceARN: dlq.ARN(), MaxNumberOfMessagesPerSecond: rate}); err != nil {
			t.Fatal(err)
		}
	}
	start(500)
	clk.Advance(time.Second) // moves all ten: COMPLETED
	for range 2 {
		must[[]queue.Message](t)(src.Receive(queue.ReceiveInput{MaxNumberOfMessages: 10, VisibilityTimeout: ptr(0)}))
	}
	start(1)
	clk.Advance(3500 * time.Millisecond) // three moved, seven to go
	before := must[[]queue.MoveTask](t)(b.ListMessageMoveTasks(dlq.ARN(), 10))
	if len(before) != 2 || before[0].Status != queue.MoveTaskRunning || before[0].ApproximateNumberOfMessagesMoved != 3 || before[1].Status != queue.MoveTaskCompleted {
		t.Fatalf("before the restart: %+v", before)
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	db.Close() // no broker Close: as after kill -9

	db = open(t, dir)
	defer db.Close()
	clk2 := clock.NewVirtual(clk.Now())
	b2 := broker(t, clk2, db)
	after := must[[]queue.MoveTask](t)(b2.ListMessageMoveTasks(dlq.ARN(), 10))
	want := before
	want[0].Status, want[0].FailureReason, want[0].TaskHandle = queue.MoveTaskFailed, queue.MoveTaskRestarted, ""
	if diff := cmp.Diff(want, after); diff != "" {
		t.Fatalf("move tasks after the restart (-want +got):\n%s", diff)
	}
	src2, dlq2 := must[*queue.Queue](t)(b2.Queue("src")), must[*queue.Queue](t)(b2.Queue("dlq"))
	if s, d := src2.Stats(), dlq2.Stats(); s.Visible != 3 || d.Visible != 7 {
		t.Fatalf("src %d, dlq %d; want 3 and 7", s.Visible, d.Visible)
	}
	// Nothing runs any more, so a new task may start.
	if _, err := b2.StartMessageMoveTask(queue.MoveTaskInput{SourceARN: dlq2.ARN()}); err != nil {
		t.Fatal(err)
	}
}
