package asl

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/integration"
	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

// What a Task needs besides its input: the task token of a
// .waitForTaskToken call, its timeouts, the role it runs under; who
// answers it (a mock, a handler); and the events each integration
// pattern records.

// prepareTask sets up, before a Task's input is built, what that input may
// read: the task token of a .waitForTaskToken call ($$.Task.Token).
func (x *Execution) prepareTask(f *frame, s *State) {
	f.taskToken = ""
	if s.integ.Pattern != integration.RequestResponse {
		// .sync calls have a token too: a nested execution may use it.
		f.taskToken = x.newTaskToken()
		if f.ctx != nil {
			f.ctx.obj = nil // the context object gains Task.Token
		}
	}
}

// newTaskToken makes a task token unique to the execution and the call:
// the execution's ARN and a count, hashed, as an opaque string of the
// length of Step Functions' (it is deterministic, for reproducible runs).
func (x *Execution) newTaskToken() string {
	x.tokens++
	h := sha256.New()
	h.Write([]byte(x.ARN()))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], x.tokens)
	h.Write(n[:])
	sum := h.Sum(nil)
	h.Write(sum)
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(append(sum, h.Sum(nil)...))
}

// A task token: the prefix and two SHA-256 sums in unpadded base64url.
const (
	tokenPrefix = "AQB"
	tokenLen    = len(tokenPrefix) + (2*sha256.Size*8+5)/6
)

// taskTimings reads a Task's TimeoutSeconds and HeartbeatSeconds (literal,
// path or expression) and its role, for the call and its events.
func (x *Execution) taskTimings(f *frame, s *State) *failure {
	f.timeout, f.heartbeat, f.roleARN = s.timeout, s.heartbeat, ""
	var fl *failure
	if s.timeoutPath != nil {
		if f.timeout, fl = x.secondsPath(f, s.timeoutPath, "TimeoutSecondsPath"); fl != nil {
			return fl
		}
	}
	if s.heartbeatPath != nil {
		if f.heartbeat, fl = x.secondsPath(f, s.heartbeatPath, "HeartbeatSecondsPath"); fl != nil {
			return fl
		}
	}
	if s.timeoutJ != nil {
		if f.timeout, fl = x.secondsJ(f, s.timeoutJ, 1); fl != nil {
			return fl
		}
	}
	if s.heartbeatJ != nil {
		if f.heartbeat, fl = x.secondsJ(f, s.heartbeatJ, 1); fl != nil {
			return fl
		}
	}
	if s.credentials != nil {
		if f.roleARN, fl = x.roleARN(f, s.credentials); fl != nil {
			return fl
		}
	}
	return nil
}

// secondsPath reads a TimeoutSecondsPath or HeartbeatSecondsPath from the
// state's input: a positive whole number of seconds.
func (x *Execution) secondsPath(f *frame, p *jsonpath.Path, field string) (time.Duration, *failure) {
	v, err := x.getPath(f, p, f.input)
	if err != nil {
		return 0, x.runtimeError(f, invalidPath(p, err))
	}
	n, ok := value.Int(v)
	if !ok || n <= 0 {
		return 0, x.runtimeError(f, fmt.Sprintf("The %s parameter must refer to a positive integer: %s", field, p))
	}
	return time.Duration(n) * time.Second, nil
}

// answerer finds who answers a Task's call: the execution's mock when it
// mocks the state, else the handler of the Resource (for a Lambda function
// ARN, the lambda:invoke handler's, told the function). ok is false when
// nobody does.
func (x *Execution) answerer(f *frame, s *State) (TaskHandler, string, *failure) {
	if x.mock != nil {
		if a, ok := x.mock.Answer(s.Name); ok {
			if a.Handler != nil {
				return a.Handler, "", nil
			}
			if f.mocked == nil { // one record a frame, for all its calls
				f.mocked = new(mockCall)
			}
			f.mocked.a, f.mocked.clk = a, x.clk
			return f.mocked, "", nil
		}
	}
	if h := x.handler(s.Resource); h != nil {
		return h, "", nil
	}
	if s.integ.Kind == integration.Lambda {
		if h := x.engine.Resources[lambdaInvoke]; h != nil {
			return h, s.integ.Name, nil
		}
	}
	if s.integ.Pattern == integration.WaitForTaskToken && x.engine.Callbacks {
		return nil, "", nil // the call is only submitted: SendTask* answers it
	}
	if e, ok := x.mock.(UnansweredExplainer); ok {
		return nil, "", x.runtimeError(f, e.Unanswered(s.Name, s.Resource))
	}
	return nil, "", x.runtimeError(f, fmt.Sprintf("Nothing answers the Task's resource '%s': yafdp has no fake service for it and no mock config answers the state. Give a mock config that does (a starter: yafdp saga mock-config --definition FILE).", s.Resource))
}

// lambdaInvoke is the optimized Lambda integration's Resource.
const lambdaInvoke = "arn:aws:states:::lambda:invoke"

// mockCall answers one Task invocation from a mock config, after the
// answer's delay on the execution's clock.
type mockCall struct {
	a   MockAnswer
	clk clock.Clock
}

// Invoke answers with the mocked output or error. A delayed answer takes
// its values now: the frame's next call reuses the record.
func (m *mockCall) Invoke(_ context.Context, req *TaskRequest, done func(any, error)) {
	out, err := m.a.Output, m.a.Err
	if m.a.Delay <= 0 {
		done(out, err)
		return
	}
	req.AnswerIn(m.a.Delay)
	m.clk.AfterFunc(m.a.Delay, func() { done(out, err) })
}

// scheduled records the Task's Scheduled and Started events, and Submitted
// for a call whose result comes later than its API's answer (.sync,
// .waitForTaskToken) when a mock or no handler stands for that answer.
func (x *Execution) scheduled(f *frame, s *State, submitted bool) {
	if x.unobserved {
		x.countEvent(f)
		x.countEvent(f)
		if submitted {
			x.countEvent(f)
		}
		return
	}
	timeoutSec := int64(f.timeout / time.Second)
	if s.lambda {
		x.event(f, &HistoryEvent{Type: types.HistoryEventTypeLambdaFunctionScheduled, Resource: s.Resource, Payload: f.effective, TimeoutSeconds: timeoutSec})
		x.event(f, &HistoryEvent{Type: types.HistoryEventTypeLambdaFunctionStarted, Resource: s.Resource})
		return
	}
	x.event(f, &HistoryEvent{Type: types.HistoryEventTypeTaskScheduled, Resource: s.Resource, Region: x.engine.region(), Payload: f.effective,
		TimeoutSeconds: timeoutSec, HeartbeatSeconds: int64(f.heartbeat / time.Second), RoleARN: f.roleARN})
	x.event(f, &HistoryEvent{Type: types.HistoryEventTypeTaskStarted, Resource: s.Resource})
	if submitted {
		x.event(f, &HistoryEvent{Type: types.HistoryEventTypeTaskSubmitted, Resource: s.Resource, Payload: map[string]any{}})
	}
}

// waitsLonger reports whether a Task's result comes after its API's
// answer: .sync, .sync:2 and .waitForTaskToken.
func waitsLonger(s *State) bool { return s.integ.Pattern != integration.RequestResponse }

// taskFailedEvent records the failure of a call: TimedOut for a timeout,
// Failed otherwise, Lambda's or the Task's.
func (x *Execution) taskFailedEvent(f *frame, s *State, fl failure) {
	timedOut := fl.name == states.Timeout || fl.name == states.HeartbeatTimeout
	typ := types.HistoryEventTypeTaskFailed
	switch {
	case s.lambda && timedOut:
		typ = types.HistoryEventTypeLambdaFunctionTimedOut
	case s.lambda:
		typ = types.HistoryEventTypeLambdaFunctionFailed
	case timedOut:
		typ = types.HistoryEventTypeTaskTimedOut
	}
	x.event(f, &HistoryEvent{Type: typ, Resource: s.Resource, Error: fl.name, Cause: fl.cause})
}

// resultTooLarge fails a call whose result is over the payload limit: a
// task failure (Step Functions records it as TaskFailed or
// LambdaFunctionFailed, and States.ALL catches it) that names the function
// or the integration's service.
func (x *Execution) resultTooLarge(f *frame, s *State) step {
	ref, _ := s.integ.EventResource()
	if s.integ.Kind == integration.Lambda || ref == "" {
		ref = s.Resource
	}
	fl := failure{name: states.DataLimitExceeded, task: true,
		cause: fmt.Sprintf("The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", ref)}
	x.taskFailedEvent(f, s, fl)
	return x.handleError(f, s, fl)
}
