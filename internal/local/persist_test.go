package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/cli"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/queue"
)

// envServe makes the test binary run `yafdp local up --data-dir` instead of
// the tests: the crash test starts it as a real process and kills it.
const envServe = "YAFDP_TEST_LOCAL_UP_DATA_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(envServe); dir != "" {
		os.Args = []string{"yafdp", "--output", "json", "local", "up", "--addr", "127.0.0.1:0", "--data-dir", dir}
		os.Exit(cli.Main())
	}
	os.Exit(m.Run())
}

func startDataDir(t *testing.T, dir string) *local.Server {
	t.Helper()
	srv, err := local.Start(context.Background(), local.Options{Addr: "127.0.0.1:0", DataDir: dir,
		Consumer: local.ConsumerOptions{WaitTime: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func shutdown(t *testing.T, srv *local.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

const sleeper = `{"StartAt":"Nap","States":{"Nap":{"Type":"Wait","Seconds":3600,"End":true}}}`

// TestRestartKeepsState: queues, messages in every state, executions and
// histories survive a clean restart on the same --data-dir, and nothing is
// created twice.
func TestRestartKeepsState(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	srv := startDataDir(t, dir)
	sq, sf := awstest.SQS(srv.URL, nil), awstest.SFN(srv.URL, nil)

	work, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("work"), Tags: map[string]string{"team": "orders"}})
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	for b := range 2 {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for i := range 10 {
			body := fmt.Sprintf("msg-%02d", b*10+i)
			sent = append(sent, body)
			entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(body),
				MessageAttributes: map[string]sqstypes.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(i))}}})
		}
		out, err := sq.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: work.QueueUrl, Entries: entries})
		if err != nil || len(out.Failed) > 0 {
			t.Fatalf("SendMessageBatch: %v %v", err, out)
		}
	}
	rcv, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: work.QueueUrl, MaxNumberOfMessages: 5, VisibilityTimeout: 600})
	if err != nil || len(rcv.Messages) != 5 {
		t.Fatalf("ReceiveMessage: %v %v", err, rcv)
	}
	deleted := map[string]bool{}
	for _, m := range rcv.Messages[:3] {
		if _, err := sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: work.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
		deleted[aws.ToString(m.Body)] = true
	}
	inflight := rcv.Messages[3:]

	// Orders through the pipeline: the consumer starts one saga each.
	const orders = 5
	for i := range orders {
		body := fmt.Sprintf(`{"orderId":"ord_r%d","customerId":"cus_1","restaurantId":"rst_1","items":[{"sku":"a","qty":1,"unitPriceCents":100}],"currency":"EUR","totalCents":100,"placedAt":"2026-01-01T00:00:00Z"}`, i)
		if _, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(srv.OrdersURL), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the sagas", time.Minute, func() bool {
		st := srv.Status()
		return st.SagasSucceeded+st.SagasFailed == orders && st.OrdersVisible+st.OrdersInFlight == 0
	})
	// One execution still running at shutdown: it is aborted and saved.
	nap, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("nap"), Definition: aws.String(sleeper),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/r")})
	if err != nil {
		t.Fatal(err)
	}
	napX, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: nap.StateMachineArn, Name: aws.String("long")})
	if err != nil {
		t.Fatal(err)
	}
	shutdown(t, srv)

	srv = startDataDir(t, dir)
	defer shutdown(t, srv)
	sq, sf = awstest.SQS(srv.URL, nil), awstest.SFN(srv.URL, nil)
	if r := srv.Restored; r.Queues != 3 || r.Messages != 17 || r.StateMachines != 2 || r.Executions != orders+1 || r.Aborted != 0 {
		t.Errorf("restored %+v", r)
	}
	lq, err := sq.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{srv.URL + "/000000000000/orders", srv.URL + "/000000000000/orders-dlq", srv.URL + "/000000000000/work"}
	if !slices.Equal(lq.QueueUrls, want) {
		t.Errorf("ListQueues = %v, want %v", lq.QueueUrls, want)
	}
	workURL := aws.String(srv.URL + "/000000000000/work")
	tags, err := sq.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: workURL})
	if err != nil || tags.Tags["team"] != "orders" {
		t.Errorf("tags %v %v", tags, err)
	}
	attrs, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: workURL, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if a := attrs.Attributes; a["ApproximateNumberOfMessages"] != "15" || a["ApproximateNumberOfMessagesNotVisible"] != "2" {
		t.Errorf("attributes after the restart: %v", a)
	}
	// The in-flight messages' receipt handles from before the restart work.
	for _, m := range inflight {
		if _, err := sq.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: workURL, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			t.Fatalf("ChangeMessageVisibility with a handle from before the restart: %v", err)
		}
	}
	counts := map[string]string{}
	for {
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: workURL, MaxNumberOfMessages: 10, VisibilityTimeout: 600,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}, MessageAttributeNames: []string{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			if m.MessageAttributes["n"].StringValue == nil {
				t.Errorf("%s lost its attributes", aws.ToString(m.Body))
			}
			counts[aws.ToString(m.Body)] = m.Attributes["ApproximateReceiveCount"]
		}
	}
	for _, body := range sent {
		_, ok := counts[body]
		switch {
		case deleted[body] && ok:
			t.Errorf("%s was deleted before the restart and came back", body)
		case !deleted[body] && !ok:
			t.Errorf("%s was lost", body)
		}
	}
	for _, m := range inflight {
		if c := counts[aws.ToString(m.Body)]; c != "2" {
			t.Errorf("%s: receive count %s, want 2 (once before the restart, once after)", aws.ToString(m.Body), c)
		}
	}

	// Executions: each once, with a readable history.
	ls, err := sf.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(srv.StateMachineARN)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.Executions) != orders {
		t.Errorf("%d saga executions after the restart, want %d", len(ls.Executions), orders)
	}
	for _, e := range ls.Executions {
		h, err := sf.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: e.ExecutionArn})
		if err != nil || len(h.Events) < 3 || h.Events[0].Type != "ExecutionStarted" {
			t.Errorf("history of %s: %v %v", aws.ToString(e.Name), err, h)
		}
	}
	d, err := sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: napX.ExecutionArn})
	if err != nil || d.Status != "ABORTED" || aws.ToString(d.Error) != local.ShutdownError {
		t.Fatalf("the execution running at shutdown: %v %+v", err, d)
	}
	h, err := sf.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: napX.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range h.Events {
		types = append(types, string(e.Type))
	}
	if !slices.Contains(types, "WaitStateEntered") || types[len(types)-1] != "ExecutionAborted" {
		t.Errorf("its history: %v", types)
	}
	// Sending an order again that already ran: the consumer deletes it
	// (ExecutionAlreadyExists is success), and no saga is duplicated.
	if _, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(srv.OrdersURL),
		MessageBody: aws.String(`{"orderId":"ord_r0"}`)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the consumer", time.Minute, func() bool {
		st := srv.Status()
		return st.OrdersVisible+st.OrdersInFlight == 0
	})
	if srv.Status().OrdersStarted != 0 {
		t.Errorf("the consumer started a saga for an order that already ran")
	}
}

// TestCrashLosesNoAcknowledgedMessage kills `local up --data-dir` (SIGKILL)
// while clients send, and checks after a restart that every message whose
// send was answered is there, and every message whose delete was answered
// is not.
func TestCrashLosesNoAcknowledgedMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	ctx := testContext(t)
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envServe+"="+dir, "XDG_CONFIG_HOME="+t.TempDir(), "NO_COLOR=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	var ep struct {
		Endpoint string `json:"endpoint"`
	}
	if err := json.NewDecoder(stdout).Decode(&ep); err != nil || ep.Endpoint == "" {
		t.Fatalf("the server printed no endpoint: %v", err)
	}
	sq := awstest.SQS(ep.Endpoint, nil)
	cq, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("crash"),
		Attributes: map[string]string{"VisibilityTimeout": "0"}})
	if err != nil {
		t.Fatal(err)
	}

	// Acknowledged deletes first: receive and delete some messages.
	var mu sync.Mutex
	acked := map[string]bool{}
	deleted := map[string]bool{}
	deleting := map[string]bool{} // asked, answered or not: maybe deleted
	send := func(worker, batch int) error {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for i := range 10 {
			entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)),
				MessageBody: aws.String(fmt.Sprintf("w%d-b%d-m%d", worker, batch, i))})
		}
		out, err := sq.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: cq.QueueUrl, Entries: entries})
		if err != nil {
			return err
		}
		mu.Lock()
		for _, ok := range out.Successful {
			i, _ := strconv.Atoi(aws.ToString(ok.Id))
			acked[aws.ToString(entries[i].MessageBody)] = true
		}
		mu.Unlock()
		return nil
	}
	for b := range 20 {
		if err := send(99, b); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 {
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			if _, err := sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: cq.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
			deleted[aws.ToString(m.Body)] = true
		}
	}

	// Then concurrent senders, and a kill while they send.
	var wg sync.WaitGroup
	var batches atomic.Int64
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; b < 10_000; b++ {
				if send(w, b) != nil {
					return // the server is gone
				}
				batches.Add(1)
			}
		}()
	}
	// And a consumer that deletes what it receives while they send. The
	// queue has no visibility timeout, so that after the restart every
	// message not deleted is visible.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl, MaxNumberOfMessages: 10})
			if err != nil {
				return
			}
			var entries []sqstypes.DeleteMessageBatchRequestEntry
			mu.Lock()
			for i, m := range out.Messages {
				entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
				deleting[aws.ToString(m.Body)] = true
			}
			mu.Unlock()
			if len(entries) == 0 {
				continue
			}
			del, err := sq.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: cq.QueueUrl, Entries: entries})
			if err != nil {
				return
			}
			mu.Lock()
			for _, ok := range del.Successful {
				i, _ := strconv.Atoi(aws.ToString(ok.Id))
				deleted[aws.ToString(out.Messages[i].Body)] = true
			}
			mu.Unlock()
		}
	}()
	waitFor(t, "acknowledged sends", time.Minute, func() bool { return batches.Load() >= 200 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed = true
	cmd.Wait()
	wg.Wait()
	if strings.Contains(stderr.String(), "DATA RACE") {
		t.Errorf("the server reported a data race:\n%s", stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 2000 {
		t.Fatalf("only %d sends were acknowledged", len(acked))
	}

	srv := startDataDir(t, dir)
	defer shutdown(t, srv)
	q, err := srv.Broker.Queue("crash")
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	for {
		ms, err := q.Receive(queueReceiveAll())
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 {
			break
		}
		for _, m := range ms {
			present[m.Body] = true
		}
	}
	var lost, back []string
	for body := range acked {
		if !deleted[body] && !deleting[body] && !present[body] {
			lost = append(lost, body)
		}
	}
	for body := range deleted {
		if present[body] {
			back = append(back, body)
		}
	}
	sort.Strings(lost)
	sort.Strings(back)
	if len(lost) > 0 || len(back) > 0 {
		t.Fatalf("after kill -9: %d acknowledged sends lost (%v…), %d acknowledged deletes undone (%v…)", len(lost), head(lost), len(back), head(back))
	}
	t.Logf("%d sends acknowledged before the kill, %d deleted; %d messages after the restart", len(acked), len(deleted), len(present))
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// syncBuffer is a bytes.Buffer that a process's output can be copied into
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// testContext bounds a test's calls.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func queueReceiveAll() queue.ReceiveInput {
	vt := 600
	return queue.ReceiveInput{MaxNumberOfMessages: 10, VisibilityTimeout: &vt}
}

// TestShutdownDrains: a clean shutdown lets a running execution finish
// within --drain-timeout, so it is saved SUCCEEDED rather than ABORTED.
func TestShutdownDrains(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	srv, err := local.Start(ctx, local.Options{Addr: "127.0.0.1:0", DataDir: dir, DrainTimeout: time.Minute,
		Consumer: local.ConsumerOptions{WaitTime: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	sf := awstest.SFN(srv.URL, nil)
	m, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("short"), RoleArn: aws.String("arn:aws:iam::000000000000:role/r"),
		Definition: aws.String(`{"StartAt":"Nap","States":{"Nap":{"Type":"Wait","Seconds":1,"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	x, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: m.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Draining(); n != 1 {
		t.Fatalf("%d executions running, want 1", n)
	}
	shutdown(t, srv)
	srv = startDataDir(t, dir)
	defer shutdown(t, srv)
	d, err := srv.SFN.DescribeExecution(aws.ToString(x.ExecutionArn))
	if err != nil || d.Status != "SUCCEEDED" {
		t.Fatalf("after a drained shutdown: %v %+v", err, d)
	}
}

// TestRestartWithOtherFlags: the pipeline's queues are found again and
// take this start's --visibility-timeout and --max-receive-count.
func TestRestartWithOtherFlags(t *testing.T) {
	dir := t.TempDir()
	shutdown(t, startDataDir(t, dir))
	srv, err := local.Start(context.Background(), local.Options{Addr: "127.0.0.1:0", DataDir: dir,
		VisibilityTimeout: 5 * time.Second, MaxReceiveCount: 7, Consumer: local.ConsumerOptions{WaitTime: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, srv)
	q, err := srv.Broker.Queue(local.OrdersQueue)
	if err != nil {
		t.Fatal(err)
	}
	a, err := q.Attributes(queue.AttrVisibilityTimeout, queue.AttrRedrivePolicy)
	if err != nil {
		t.Fatal(err)
	}
	if a[queue.AttrVisibilityTimeout] != "5" || !strings.Contains(a[queue.AttrRedrivePolicy], `"maxReceiveCount":7`) {
		t.Fatalf("orders after a restart with other flags: %v", a)
	}
	if n := len(srv.Broker.Queues()); n != 2 {
		t.Fatalf("%d queues, want 2", n)
	}
}
