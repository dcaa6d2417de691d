package awsops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/rate"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
)

func TestRefsAreCheckedWithoutAWS(t *testing.T) {
	good := []string{"orders", "orders.fifo", "https://sqs.eu-west-1.amazonaws.com/123456789012/orders", "arn:aws:sqs:eu-west-1:123456789012:orders-dlq"}
	for _, q := range good {
		if err := QueueRef("queue", q); err != nil {
			t.Errorf("QueueRef(%q): %v", q, err)
		}
	}
	for _, q := range []string{"", "orders queue", "ftp://x/orders", "https://sqs.amazonaws.com/", "arn:aws:sns:eu-west-1:1:topic", strings.Repeat("q", 81)} {
		if err := QueueRef("queue", q); err == nil {
			t.Errorf("QueueRef(%q) accepted", q)
		}
	}
	for _, s := range []string{"order-saga", "arn:aws:states:eu-west-1:123456789012:stateMachine:order-saga"} {
		if err := CheckStateMachineRef(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "arn:aws:states:eu-west-1:1:execution:a:b", "has space", "arn:aws:lambda:eu-west-1:1:function:f"} {
		if err := CheckStateMachineRef(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	for _, s := range []string{"ord_1", "arn:aws:states:eu-west-1:123456789012:execution:order-saga:ord_1"} {
		if err := CheckExecutionRef(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "ord 1", "arn:aws:states:eu-west-1:1:stateMachine:x", "a/b"} {
		if err := CheckExecutionRef(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

// stubSFN answers from functions; a nil function fails the test.
type stubSFN struct {
	t        *testing.T
	describe func(*sfn.DescribeExecutionInput) (*sfn.DescribeExecutionOutput, error)
	machine  func(*sfn.DescribeStateMachineInput) (*sfn.DescribeStateMachineOutput, error)
	history  func(*sfn.GetExecutionHistoryInput) (*sfn.GetExecutionHistoryOutput, error)
	calls    atomic.Int32
}

func (s *stubSFN) DescribeStateMachine(_ context.Context, in *sfn.DescribeStateMachineInput, _ ...func(*sfn.Options)) (*sfn.DescribeStateMachineOutput, error) {
	s.calls.Add(1)
	return s.machine(in)
}
func (s *stubSFN) ListStateMachines(context.Context, *sfn.ListStateMachinesInput, ...func(*sfn.Options)) (*sfn.ListStateMachinesOutput, error) {
	s.t.Fatal("unexpected ListStateMachines")
	return nil, nil
}
func (s *stubSFN) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	s.calls.Add(1)
	return s.describe(in)
}
func (s *stubSFN) ListExecutions(context.Context, *sfn.ListExecutionsInput, ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error) {
	s.t.Fatal("unexpected ListExecutions")
	return nil, nil
}
func (s *stubSFN) GetExecutionHistory(_ context.Context, in *sfn.GetExecutionHistoryInput, _ ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error) {
	s.calls.Add(1)
	return s.history(in)
}

func TestExpressStateMachineIsExplained(t *testing.T) {
	s := &stubSFN{t: t, machine: func(*sfn.DescribeStateMachineInput) (*sfn.DescribeStateMachineOutput, error) {
		return &sfn.DescribeStateMachineOutput{Name: aws.String("fast"), Type: types.StateMachineTypeExpress}, nil
	}}
	_, err := ResolveExecution(context.Background(), s, "ord_1", "arn:aws:states:eu-west-1:123456789012:stateMachine:fast")
	if !isInputError(err, "Express state machine") || !strings.Contains(err.Error(), "CloudWatch Logs") {
		t.Fatalf("%v", err)
	}
	if _, err := ResolveExecution(context.Background(), s, "arn:aws:states:eu-west-1:123456789012:express:fast:ord_1:abc", ""); !isInputError(err, "Express") {
		t.Fatalf("%v", err)
	}
}

// Watch reads the newest events first and stops paging at the first one
// it has seen: a poll of a long history costs one call. Pages come in
// reverse, three events at a time.
func TestWatchPagesNewestFirst(t *testing.T) {
	var events []types.HistoryEvent
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(typ types.HistoryEventType, name string) {
		id := int64(len(events) + 1)
		ts := t0.Add(time.Duration(id) * time.Second)
		e := types.HistoryEvent{Id: id, PreviousEventId: id - 1, Timestamp: &ts, Type: typ}
		if name != "" {
			if strings.HasSuffix(string(typ), "Entered") {
				e.StateEnteredEventDetails = &types.StateEnteredEventDetails{Name: aws.String(name), Input: aws.String("{}")}
			} else {
				e.StateExitedEventDetails = &types.StateExitedEventDetails{Name: aws.String(name), Output: aws.String("{}")}
			}
		}
		events = append(events, e)
	}
	add(types.HistoryEventTypeExecutionStarted, "")
	for i := 0; i < 10; i++ {
		add(types.HistoryEventTypePassStateEntered, fmt.Sprint("S", i))
		add(types.HistoryEventTypePassStateExited, fmt.Sprint("S", i))
	}
	status := types.ExecutionStatusRunning
	polls := 0
	var perPoll []int32
	s := &stubSFN{t: t}
	s.describe = func(*sfn.DescribeExecutionInput) (*sfn.DescribeExecutionOutput, error) {
		return &sfn.DescribeExecutionOutput{Status: status, Name: aws.String("ord_1"), StartDate: &t0}, nil
	}
	s.history = func(in *sfn.GetExecutionHistoryInput) (*sfn.GetExecutionHistoryOutput, error) {
		if !in.ReverseOrder || in.MaxResults != 3 {
			t.Fatalf("request %+v", in)
		}
		start := 0
		if in.NextToken != nil {
			fmt.Sscan(*in.NextToken, &start)
		}
		var page []types.HistoryEvent
		for i := len(events) - 1 - start; i >= 0 && len(page) < 3; i-- {
			page = append(page, events[i])
		}
		out := &sfn.GetExecutionHistoryOutput{Events: page}
		if start+3 < len(events) {
			out.NextToken = aws.String(fmt.Sprint(start + 3))
		}
		return out, nil
	}
	before := int32(0)
	sleep := func(ctx context.Context, _ time.Duration) error {
		polls++
		perPoll = append(perPoll, s.calls.Load()-before)
		before = s.calls.Load()
		add(types.HistoryEventTypePassStateEntered, fmt.Sprint("T", polls))
		add(types.HistoryEventTypePassStateExited, fmt.Sprint("T", polls))
		if polls == 3 {
			add(types.HistoryEventTypeExecutionSucceeded, "")
			status = types.ExecutionStatusSucceeded
		}
		return nil
	}
	var got []int64
	res, err := Watch(context.Background(), s, WatchOptions{ExecutionARN: "arn:aws:states:eu-west-1:1:execution:m:ord_1", PageSize: 3, Follow: true, Sleep: sleep,
		OnEvents: func(added, _ []asl.HistoryEvent) {
			for _, e := range added {
				got = append(got, e.ID)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range got {
		if id != int64(i+1) {
			t.Fatalf("events out of order or repeated: %v", got)
		}
	}
	if len(got) != len(events) || res.Execution.Status != "SUCCEEDED" {
		t.Fatalf("%d events of %d, status %s", len(got), len(events), res.Execution.Status)
	}
	// The first poll pages through the history (7 calls) and describes;
	// later polls need one history call (two new events fit a page) and
	// one describe.
	if perPoll[0] != 8 || perPoll[1] != 2 || perPoll[2] != 2 {
		t.Fatalf("calls per poll %v", perPoll)
	}
}

func TestSubmitViaAPIRetries429And5xx(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("x-api-key") != "k" {
			w.WriteHeader(400)
			return
		}
		switch {
		case n%3 == 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case n%3 == 2:
			w.WriteHeader(http.StatusBadGateway)
		default:
			fmt.Fprintf(w, `{"SendMessageResponse":{"SendMessageResult":{"MessageId":"m-%d"}}}`, n)
		}
	}))
	defer srv.Close()
	res, err := SubmitViaAPI(context.Background(), APISubmitOptions{URL: srv.URL + "/prod/orders", APIKey: "k", Orders: orders(5), Concurrency: 1, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 5 || res.Retries != 10 {
		t.Fatalf("sent %d, retries %d: %+v", res.Sent, res.Retries, res.Orders)
	}
	for _, o := range res.Orders {
		if !strings.HasPrefix(o.MessageID, "m-") || o.Attempts != 3 {
			t.Fatalf("%+v", o)
		}
	}

	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Forbidden"}`)
	}))
	defer bad.Close()
	res, err = SubmitViaAPI(context.Background(), APISubmitOptions{URL: bad.URL, Orders: orders(2), Sleep: noSleep})
	if err != nil || res.Failed != 2 || !strings.Contains(res.Orders[0].Error, "HTTP 403") || res.Orders[0].Attempts != 1 {
		t.Fatalf("403 must fail at once: %+v %v", res, err)
	}
}

func TestJournalSurvivesATornLine(t *testing.T) {
	path := journalPath(t)
	j, st, err := OpenJournal(path, "http://q/dlq")
	if err != nil || st.Runs != 0 {
		t.Fatal(err, st)
	}
	j.Intend([]string{"a", "b", "c"})
	j.Sent([]string{"a", "b"}, []string{"A", "B"})
	j.Deleted([]string{"a"})
	j.f.WriteString(`{"k":"sent","ids":["c"],"to":[`) // killed mid-write
	j.f.Close()

	j, st, err = OpenJournal(path, "http://q/dlq")
	if err != nil {
		t.Fatal(err)
	}
	if st.Runs != 1 || st.Sent != 2 || st.Uncertain != 1 || !st.Unfinished {
		t.Fatalf("%+v", st)
	}
	if to, sent, _ := j.Lookup("b"); !sent || to != "B" {
		t.Fatal("b is not known sent")
	}
	if _, sent, unsure := j.Lookup("c"); sent || !unsure {
		t.Fatal("c must be uncertain: its sent record was torn")
	}
	j.Close(true)
	if _, _, err := OpenJournal(path, "http://q/other"); !isInputError(err, "records a redrive of http://q/dlq") {
		t.Fatalf("another queue's journal: %v", err)
	}
	os.WriteFile(path, []byte("garbage\n"), 0o600)
	if _, _, err := OpenJournal(path, "http://q/dlq"); !isInputError(err, "is not a journal record") {
		t.Fatalf("garbage: %v", err)
	}
}

func TestNativeRedriveOnLocalSQS(t *testing.T) {
	ctx := testCtx(t)
	local := startSQS(t)
	c := awstest.SQS(local.URL, nil)
	src, dlq := createPipelineQueues(t, ctx, c, "orders", false)
	seedDeadLetters(t, ctx, c, src, dlq, deadLetters(30, false))
	rr, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyAuto, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if rr.Strategy != StrategyNative || rr.Native == nil || rr.Native.Status != "COMPLETED" || rr.Moved != 30 {
		t.Fatalf("%+v %+v", rr, rr.Native)
	}
	if !strings.Contains(fmt.Sprint(rr.Notes), "does not undo") {
		t.Fatalf("notes %v", rr.Notes)
	}
	if n := local.Count(src.Name); n != 30 {
		t.Fatalf("source holds %d", n)
	}
	// --filter makes auto choose copy; native refuses it.
	f, _ := ParseFilter(`body.currency == "EUR"`)
	if _, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyNative, Filter: f}); !isInputError(err, "cannot do filter") {
		t.Fatalf("%v", err)
	}
}

func TestCopyRedriveFilterMaxAndDryRun(t *testing.T) {
	ctx := testCtx(t)
	local := startSQS(t)
	c := awstest.SQS(local.URL, nil)
	src, dlq := createPipelineQueues(t, ctx, c, "orders", false)
	msgs := deadLetters(30, false)
	seed(t, ctx, c, dlq, msgs)
	eur := 0
	for _, m := range msgs {
		if strings.Contains(m.body, `"currency":"EUR"`) {
			eur++
		}
	}
	f, err := ParseFilter(`body.currency == "EUR" && attr.amount >= 0 && attr.signature`)
	if err != nil {
		t.Fatal(err)
	}
	// A dry run moves nothing and leaves every message visible.
	dry, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyAuto, Filter: f, DryRun: true, Wait: -1, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Strategy != StrategyCopy || len(dry.Planned) != eur || dry.Skipped != 30-eur || dry.Moved != 0 {
		t.Fatalf("dry run: %+v", dry)
	}
	if st, _ := Stats(ctx, c, dlq.URL); st.Visible != 30 {
		t.Fatalf("after the dry run %d visible", st.Visible)
	}
	j, _, _ := OpenJournal(journalPath(t), dlq.URL)
	res, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyAuto, Filter: f, Max: 3, Journal: j, Wait: -1, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved != 3 || local.Count(src.Name) != 3 {
		t.Fatalf("--max 3: %+v", res)
	}
	res, err = Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyCopy, Filter: f, Journal: j, Wait: -1, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	j.Close(true)
	if res.Moved != eur-3 || res.Skipped != 30-eur {
		t.Fatalf("filtered: %+v", res)
	}
	if st, _ := Stats(ctx, c, dlq.URL); st.Visible != int64(30-eur) || st.InFlight != 0 {
		t.Fatalf("skipped messages are not all back: %+v", st)
	}
}

// A target that refuses every send (no permission, say) stops the run at
// once instead of failing the whole DLQ message by message; the messages
// stay in the DLQ.
func TestCopyRedriveStopsOnPermanentErrors(t *testing.T) {
	ctx := testCtx(t)
	local := startSQS(t)
	setup := awstest.SQS(local.URL, nil)
	_, dlq := createPipelineQueues(t, ctx, setup, "orders", false)
	seed(t, ctx, setup, dlq, deadLetters(30, false))
	deny := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("X-Amz-Target") == "AmazonSQS.SendMessageBatch" {
			body := `{"__type":"com.amazonaws.sqs#AccessDenied","message":"not authorized to sqs:SendMessage"}`
			return &http.Response{StatusCode: 403, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c := awstest.SQS(local.URL, deny)
	j, _, _ := OpenJournal(journalPath(t), dlq.URL)
	res, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, Workers: 1, Sleep: noSleep})
	j.Close(false)
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") || res.Moved != 0 || res.Failed > 10 {
		t.Fatalf("err %v, %+v", err, res)
	}
	if st, _ := Stats(ctx, setup, dlq.URL); st.Visible != 30 {
		t.Fatalf("%d visible, want all 30 back", st.Visible)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A native move task that takes a while (10 messages/s): progress is read
// while it runs, and Ctrl-C cancels the task, keeps what it moved and loses
// nothing.
func TestNativeRedriveProgressAndCancel(t *testing.T) {
	ctx := testCtx(t)
	local := startSQS(t)
	c := awstest.SQS(local.URL, nil)
	src, dlq := createPipelineQueues(t, ctx, c, "orders", false)
	seedDeadLetters(t, ctx, c, src, dlq, deadLetters(30, false))

	// Watched to the end: progress rises while the task runs.
	var seen []int
	rr, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyNative, Rate: rate.PerSecond(20), PollInterval: 100 * time.Millisecond,
		Progress: func(p RedriveProgress) { seen = append(seen, p.Moved) }})
	if err != nil {
		t.Fatal(err)
	}
	if rr.Moved != 30 || rr.Native.Status != "COMPLETED" || local.Count(src.Name) != 30 {
		t.Fatalf("moved %d, status %s, source holds %d", rr.Moved, rr.Native.Status, local.Count(src.Name))
	}
	partial := false
	for _, n := range seen {
		partial = partial || (n > 0 && n < 30)
	}
	if !partial {
		t.Fatalf("progress %v never showed a task part-way through", seen)
	}

	// Back to the DLQ, then a run interrupted part-way.
	drain(t, ctx, c, src)
	seedDeadLetters(t, ctx, c, src, dlq, deadLetters(30, false))
	rctx, cancel := context.WithCancel(ctx)
	rr, err = Redrive(rctx, c, RedriveOptions{Source: dlq, Strategy: StrategyNative, Rate: rate.PerSecond(5), PollInterval: 100 * time.Millisecond,
		Progress: func(p RedriveProgress) {
			if p.Moved > 0 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) || !rr.Interrupted || rr.Native == nil || !rr.Native.Cancelled {
		t.Fatalf("interrupted run: err %v, %+v", err, rr.Native)
	}
	// The task stops; what it moved stays moved, the rest stays in the DLQ.
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN(t, ctx, c, dlq))})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Results) > 0 && aws.ToString(list.Results[0].Status) == "CANCELLED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the move task did not end cancelled: %+v", list.Results)
		}
		time.Sleep(50 * time.Millisecond)
	}
	moved, left := local.Count(src.Name), local.Count(dlq.Name)
	if moved+left != 30 || moved == 0 || left == 0 {
		t.Fatalf("after cancel: %d moved, %d left in the DLQ; want 30 in all, some of each", moved, left)
	}
}

func dlqARN(t *testing.T, ctx context.Context, c *sqs.Client, q Queue) string {
	t.Helper()
	st, err := Stats(ctx, c, q.URL)
	if err != nil {
		t.Fatal(err)
	}
	return st.ARN
}
