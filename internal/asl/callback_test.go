package asl

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/clock"
)

// A .waitForTaskToken Task whose message carries its token, with a
// heartbeat of 10 s and a timeout of 60 s; Catch sends every error to
// Caught, which records it.
const callbackDoc = `{"StartAt":"Wait","States":{
 "Wait":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","TimeoutSeconds":60,"HeartbeatSeconds":10,
  "Parameters":{"QueueUrl":"q","MessageBody":{"Token.$":"$$.Task.Token"}},
  "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},
 "Caught":{"Type":"Pass","End":true}}}`

// startCallback starts doc on a virtual clock with callbacks on, and
// returns the execution, the clock and the token the waiting Task was
// given (read from its TaskScheduled parameters).
func startCallback(t *testing.T, doc string) (*Engine, *Execution, *clock.Virtual, string) {
	t.Helper()
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	e := &Engine{Clock: vc, Callbacks: true}
	x, err := e.Start(context.Background(), m, StartOptions{Name: "cb", Input: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	return e, x, vc, scheduledToken(t, x)
}

// scheduledToken reads the token of the last TaskScheduled event.
func scheduledToken(t *testing.T, x *Execution) string {
	t.Helper()
	var token string
	for _, ev := range x.Events() {
		if ev.Type == types.HistoryEventTypeTaskScheduled {
			body, _ := ev.Payload.(map[string]any)["MessageBody"].(map[string]any)
			token, _ = body["Token"].(string)
		}
	}
	if token == "" {
		t.Fatalf("no token in TaskScheduled; events %s", eventTypes(x))
	}
	return token
}

func TestCallbackSuccess(t *testing.T) {
	e, x, vc, token := startCallback(t, callbackDoc)
	if got := eventTypes(x); got != "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSubmitted" {
		t.Fatalf("while waiting: %s", got)
	}
	vc.Advance(5 * time.Second)
	if err := e.SendTaskSuccess(token, map[string]any{"paid": true}); err != nil {
		t.Fatal(err)
	}
	vc.Run()
	wantOutput(t, x, `{"paid":true}`)
	// The token is spent: its task has ended.
	if err := e.SendTaskSuccess(token, "again"); !errors.Is(err, ErrTaskTimedOut) {
		t.Fatalf("second SendTaskSuccess: %v, want ErrTaskTimedOut", err)
	}
}

func TestCallbackFailure(t *testing.T) {
	e, x, vc, token := startCallback(t, callbackDoc)
	if err := e.SendTaskFailure(token, "Payment.Declined", "card expired"); err != nil {
		t.Fatal(err)
	}
	vc.Run()
	wantOutput(t, x, `{"Error":"Payment.Declined","Cause":"card expired"}`)
	if got := eventTypes(x); got != "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSubmitted TaskFailed TaskStateExited PassStateEntered PassStateExited ExecutionSucceeded" {
		t.Fatalf("events %s", got)
	}
}

// Heartbeats keep the task alive past HeartbeatSeconds; once they stop,
// the task times out with States.HeartbeatTimeout, and its token answers
// TaskTimedOut.
func TestCallbackHeartbeat(t *testing.T) {
	e, x, vc, token := startCallback(t, callbackDoc)
	for range 4 {
		vc.Advance(8 * time.Second)
		if err := e.SendTaskHeartbeat(token); err != nil {
			t.Fatalf("heartbeat at %v: %v", vc.Elapsed(), err)
		}
	}
	if x.Done() {
		t.Fatalf("ended at %v despite heartbeats", vc.Elapsed())
	}
	vc.Run()
	if got := vc.Elapsed(); got != 42*time.Second {
		t.Fatalf("timed out at %v, want 42s (the last heartbeat at 32s + 10s)", got)
	}
	wantOutput(t, x, `{"Error":"States.HeartbeatTimeout","Cause":""}`)
	for name, send := range map[string]func() error{
		"SendTaskSuccess":   func() error { return e.SendTaskSuccess(token, 1) },
		"SendTaskFailure":   func() error { return e.SendTaskFailure(token, "E", "") },
		"SendTaskHeartbeat": func() error { return e.SendTaskHeartbeat(token) },
	} {
		if err := send(); !errors.Is(err, ErrTaskTimedOut) {
			t.Errorf("%s after the timeout: %v, want ErrTaskTimedOut", name, err)
		}
	}
}

// Without heartbeats, TimeoutSeconds still bounds the wait.
func TestCallbackTimeout(t *testing.T) {
	doc := `{"StartAt":"Wait","States":{"Wait":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","TimeoutSeconds":60,
	 "Parameters":{"MessageBody":{"Token.$":"$$.Task.Token"}},"End":true}}}`
	_, x, vc, _ := startCallback(t, doc)
	vc.Run()
	if got := vc.Elapsed(); got != time.Minute {
		t.Fatalf("ended at %v, want 1m", got)
	}
	wantFailure(t, x, "States.Timeout")
}

func TestCallbackTokens(t *testing.T) {
	e, _, _, token := startCallback(t, callbackDoc)
	for _, bad := range []string{"NoSuchTaskToken", "", token[:len(token)-1], token[:10] + "!" + token[11:]} {
		if err := e.SendTaskSuccess(bad, 1); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("SendTaskSuccess(%q): %v, want ErrInvalidToken", bad, err)
		}
	}
	// A well-formed token no task waits for (one from before a restart,
	// or another server's) is a task that has ended, as AWS answers.
	m, err := Parse([]byte(callbackDoc))
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	other, err := (&Engine{Clock: vc, Callbacks: true}).Start(context.Background(), m, StartOptions{Name: "other", Input: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SendTaskSuccess(scheduledToken(t, other), 1); !errors.Is(err, ErrTaskTimedOut) {
		t.Errorf("another engine's token: %v, want ErrTaskTimedOut", err)
	}
}

// Stopping an execution lets go of its waiting task: the token answers
// TaskTimedOut and the execution settles (no call is left outstanding).
func TestCallbackStop(t *testing.T) {
	m, err := Parse([]byte(callbackDoc))
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	e := &Engine{Clock: vc, Callbacks: true}
	settled := false
	x, err := e.Start(context.Background(), m, StartOptions{Name: "cb", Input: map[string]any{}, OnSettled: func(*Execution) { settled = true }})
	if err != nil {
		t.Fatal(err)
	}
	token := scheduledToken(t, x)
	if !x.Stop("Ops.Cancelled", "by hand") {
		t.Fatal("Stop: not running")
	}
	vc.Run()
	if !settled {
		t.Fatal("the stopped execution did not settle")
	}
	if err := e.SendTaskSuccess(token, 1); !errors.Is(err, ErrTaskTimedOut) {
		t.Fatalf("SendTaskSuccess after Stop: %v, want ErrTaskTimedOut", err)
	}
	if n := len(e.callbacks.waiting); n != 0 {
		t.Fatalf("%d waits left", n)
	}
}

// Each of a Map's iterations waits for its own token.
func TestCallbackPerIteration(t *testing.T) {
	doc := `{"StartAt":"Each","States":{"Each":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"Wait","States":{
	 "Wait":{"Type":"Task","Resource":"arn:aws:states:::sns:publish.waitForTaskToken","Parameters":{"Message":{"Token.$":"$$.Task.Token","Item.$":"$"}},"End":true}}}}}}`
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	e := &Engine{Clock: vc, Callbacks: true}
	x, err := e.Start(context.Background(), m, StartOptions{Name: "each", Input: []any{1.0, 2.0, 3.0}})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[float64]string{}
	for _, ev := range x.Events() {
		if ev.Type == types.HistoryEventTypeTaskScheduled {
			msg := ev.Payload.(map[string]any)["Message"].(map[string]any)
			tokens[msg["Item"].(float64)] = msg["Token"].(string)
		}
	}
	if len(tokens) != 3 || tokens[1] == tokens[2] || tokens[2] == tokens[3] {
		t.Fatalf("tokens %v", tokens)
	}
	for _, item := range []float64{3, 1, 2} {
		if err := e.SendTaskSuccess(tokens[item], item*10); err != nil {
			t.Fatal(err)
		}
	}
	vc.Run()
	wantOutput(t, x, `[10,20,30]`)
}
