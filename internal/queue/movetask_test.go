package queue

import (
	"fmt"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// deadLetters makes n dead letters: a source queue with maxReceiveCount 1
// and its DLQ, each message received once and moved on the next receive.
func deadLetters(t *testing.T, n int) (*Broker, *clock.Virtual, *Queue, *Queue) {
	t.Helper()
	b, clk := newVirtualBroker()
	dlq := mustCreate(t, b, "orders-dlq", nil)
	src := mustCreate(t, b, "orders", map[string]string{
		"VisibilityTimeout": "1",
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + dlq.ARN() + `","maxReceiveCount":1}`,
	})
	for i := range n {
		mustSend(t, src, SendInput{Body: fmt.Sprint(i)})
	}
	for len(mustReceive(t, src, ReceiveInput{MaxNumberOfMessages: 10})) > 0 {
	}
	after(clk, time.Second)
	for len(mustReceive(t, src, ReceiveInput{MaxNumberOfMessages: 10})) > 0 {
	}
	if s := dlq.Stats(); s.Visible != n {
		t.Fatalf("%d dead letters, want %d", s.Visible, n)
	}
	return b, clk, src, dlq
}

func TestMoveTaskAtItsRate(t *testing.T) {
	b, clk, src, dlq := deadLetters(t, 100)
	start := clk.Now()
	ids := map[string]bool{}
	for _, m := range mustReceive(t, dlq, ReceiveInput{MaxNumberOfMessages: 10, VisibilityTimeout: ptr(0)}) {
		ids[m.MessageID] = true
	}
	h, err := b.StartMessageMoveTask(MoveTaskInput{SourceARN: dlq.ARN(), MaxNumberOfMessagesPerSecond: 10})
	if err != nil {
		t.Fatal(err)
	}
	after(clk, 5*time.Second)
	tasks, _ := b.ListMessageMoveTasks(dlq.ARN(), 0)
	if len(tasks) != 1 || tasks[0].Status != MoveTaskRunning || tasks[0].ApproximateNumberOfMessagesMoved != 50 ||
		tasks[0].ApproximateNumberOfMessagesToMove != 100 || tasks[0].TaskHandle != h || tasks[0].MaxNumberOfMessagesPerSecond != 10 || tasks[0].DestinationARN != "" {
		t.Fatalf("after 5 s: %+v", tasks)
	}
	_, err = b.StartMessageMoveTask(MoveTaskInput{SourceARN: dlq.ARN()})
	checkErr(t, err, ErrInvalidParameterValue, "There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
	clk.Run()
	if took := clk.Now().Sub(start); took != 10*time.Second {
		t.Fatalf("100 messages at 10/s took %v, want 10s", took)
	}
	tasks, _ = b.ListMessageMoveTasks(dlq.ARN(), 10)
	if tasks[0].Status != MoveTaskCompleted || tasks[0].ApproximateNumberOfMessagesMoved != 100 || tasks[0].TaskHandle != "" {
		t.Fatalf("at the end: %+v", tasks)
	}
	if s := dlq.Stats(); s.Visible != 0 || s.MovedOut != 100 {
		t.Fatalf("dlq %+v", s)
	}
	// Back in the source with new ids, never received.
	back := mustReceive(t, src, ReceiveInput{MaxNumberOfMessages: 10, AttributeNames: []string{"All"}})
	if len(back) != 10 || src.Stats().Visible != 90 || src.Stats().MovedIn != 100 {
		t.Fatalf("source has %d + %d", len(back), src.Stats().Visible)
	}
	for _, m := range back {
		if ids[m.MessageID] || m.ReceiveCount != 1 || m.Attributes["DeadLetterQueueSourceArn"] != "" {
			t.Fatalf("moved message kept its id or history: %+v", m)
		}
	}
	if clk.Pending() != 0 {
		t.Fatalf("%d timers left", clk.Pending())
	}
}

func TestMoveTaskDefaultRateAndDestination(t *testing.T) {
	b, clk, _, dlq := deadLetters(t, 1000)
	other := mustCreate(t, b, "elsewhere", nil)
	start := clk.Now()
	if _, err := b.StartMessageMoveTask(MoveTaskInput{SourceARN: dlq.ARN(), DestinationARN: other.ARN()}); err != nil {
		t.Fatal(err)
	}
	clk.Run()
	if took := clk.Now().Sub(start); took != 2*time.Second {
		t.Fatalf("1000 messages at the default 500/s took %v", took)
	}
	tasks, _ := b.ListMessageMoveTasks(dlq.ARN(), 1)
	if tasks[0].DestinationARN != other.ARN() || tasks[0].MaxNumberOfMessagesPerSecond != 0 || other.Stats().Visible != 1000 {
		t.Fatalf("%+v", tasks[0])
	}
}

func TestMoveTaskCancel(t *testing.T) {
	b, clk, src, dlq := deadLetters(t, 10)
	h, err := b.StartMessageMoveTask(MoveTaskInput{SourceARN: dlq.ARN(), MaxNumberOfMessagesPerSecond: 1})
	if err != nil {
		t.Fatal(err)
	}
	after(clk, 2500*time.Millisecond)
	moved, err := b.CancelMessageMoveTask(h)
	if err != nil || moved != 2 {
		t.Fatalf("cancel: %d %v", moved, err)
	}
	tasks, _ := b.ListMessageMoveTasks(dlq.ARN(), 1)
	if tasks[0].Status != MoveTaskCancelling {
		t.Fatalf("%+v", tasks[0])
	}
	clk.Run()
	tasks, _ = b.ListMessageMoveTasks(dlq.ARN(), 1)
	if tasks[0].Status != MoveTaskCancelled || tasks[0].ApproximateNumberOfMessagesMoved != 2 {
		t.Fatalf("%+v", tasks[0])
	}
	// Cancelling does not undo the moves.
	if src.Stats().Visible != 2 || dlq.Stats().Visible != 8 {
		t.Fatalf("src %+v dlq %+v", src.Stats(), dlq.Stats())
	}
	_, err = b.CancelMessageMoveTask(h)
	checkErr(t, err, ErrResourceNotFoundException, "")
	// A new task may start now.
	if _, err := b.StartMessageMoveTask(MoveTaskInput{SourceARN: dlq.ARN()}); err != nil {
		t.Fatal(err)
	}
}

func TestMoveTaskErrors(t *testing.T) {
	b, clk, src, dlq := deadLetters(t, 3)
	_, err := b.StartMessageMoveTask(MoveTaskInput{SourceARN: b.QueueARN("nope")})
	checkErr(t, err, ErrResourceNotFoundException, "The resource that you specified for the SourceArn parameter doesn't exist.")
	_, err = b.StartMessageMoveTask(MoveTaskInput{SourceARN: src.ARN()})
	checkErr(t, err, ErrInvalidParameterValue, "Source queue must be configured as a Dead Letter Queue.")
	_, err = b.StartMessageMoveTask(MoveTaskInput{SourceARN: dlq.ARN(), DestinationARN: b.QueueARN("nope")})
	checkErr(t, err, ErrResourceNotFoundException, "The resource that you specified for the DestinationArn parameter doesn't exist.")
	_, err = b.StartMessageMoveTask(MoveTaskInput{SourceARN: dlq.ARN(), MaxNumberOfMessagesPerSecond: 501})
	checkErr(t, err, ErrInvalidParameterValue, "MaxNumberOfMessagesPerSecond")
	_, err = b.CancelMessageMoveTask("not base64!")
	checkErr(t, err, ErrInvalidParameterValue, "Value for parameter TaskHandle is invalid.")
	_, err = b.ListMessageMoveTasks(dlq.ARN(), 11)
	checkErr(t, err, ErrInvalidParameterValue, "")
	_, err = b.ListMessageMoveTasks(b.QueueARN("nope"), 1)
	checkErr(t, err, ErrResourceNotFoundException, "")

	// The destination disappears while the task runs: FAILED.
	h, err := b.StartMessageMoveTask(MoveTaskInput{SourceARN: dlq.ARN(), MaxNumberOfMessagesPerSecond: 1})
	if err != nil {
		t.Fatal(err)
	}
	after(clk, 1500*time.Millisecond)
	if err := b.DeleteQueue("orders"); err != nil {
		t.Fatal(err)
	}
	clk.Run()
	tasks, _ := b.ListMessageMoveTasks(dlq.ARN(), 1)
	if tasks[0].Status != MoveTaskFailed || tasks[0].FailureReason != "AWS.SimpleQueueService.NonExistentQueue" || tasks[0].ApproximateNumberOfMessagesMoved != 1 {
		t.Fatalf("%+v", tasks[0])
	}
	if dlq.Stats().Visible != 2 {
		t.Fatal("a message was lost when the task failed")
	}
	_, err = b.CancelMessageMoveTask(h)
	checkErr(t, err, ErrResourceNotFoundException, "Task does not exist.")
}

func TestFIFOMoveTask(t *testing.T) {
	b, clk := newVirtualBroker()
	dlq := mustCreate(t, b, "d.fifo", map[string]string{"FifoQueue": "true"})
	src := mustCreate(t, b, "s.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "1",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlq.ARN() + `","maxReceiveCount":1}`})
	for i := range 4 {
		mustSend(t, src, SendInput{Body: fmt.Sprint(i), MessageGroupID: fmt.Sprint("g", i%2)})
	}
	for range 4 {
		mustReceive(t, src, ReceiveInput{MaxNumberOfMessages: 10})
		after(clk, time.Second)
	}
	if dlq.Stats().Visible != 4 {
		t.Fatalf("%+v", dlq.Stats())
	}
	if _, err := b.StartMessageMoveTask(MoveTaskInput{SourceARN: dlq.ARN()}); err != nil {
		t.Fatal(err)
	}
	clk.Run()
	got := bodies(mustReceive(t, src, ReceiveInput{MaxNumberOfMessages: 10}))
	if len(got) != 4 {
		t.Fatalf("moved back %v", got)
	}
}

// A long poll that a move task's step answers (a message of the
// dead-letter queue became visible again at that step) is called back
// once.
func TestMoveTaskStepAnswersALongPollOnce(t *testing.T) {
	b, clk, _, dlq := deadLetters(t, 2)
	if _, err := b.StartMessageMoveTask(MoveTaskInput{SourceARN: dlq.ARN(), MaxNumberOfMessagesPerSecond: 1}); err != nil {
		t.Fatal(err)
	}
	// Both dead letters in flight until the task's first step, then a
	// long poll waits for them.
	if ms := mustReceive(t, dlq, ReceiveInput{MaxNumberOfMessages: 10, VisibilityTimeout: ptr(1)}); len(ms) != 2 {
		t.Fatalf("received %d, want 2", len(ms))
	}
	calls := 0
	dlq.ReceiveAsync(ReceiveInput{MaxNumberOfMessages: 10, WaitTimeSeconds: ptr(20)}, func(ms []Message, err error) { calls++ })
	after(clk, 2*time.Second)
	if calls != 1 {
		t.Fatalf("the long poll was called back %d times, want once", calls)
	}
}
