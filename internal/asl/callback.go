package asl

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/yafdp/yafdp/internal/asl/states"
)

// Callbacks: a .waitForTaskToken Task that nothing else answers waits for
// SendTaskSuccess or SendTaskFailure with its token, and, with
// HeartbeatSeconds, for SendTaskHeartbeat at least that often.

// The errors SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat
// return, as Step Functions names them.
var (
	// ErrInvalidToken: the token is not one a task is ever given.
	ErrInvalidToken = errors.New("InvalidToken")
	// ErrTaskTimedOut: no task waits for the token: it has ended (it
	// timed out, was answered or stopped), as Step Functions says of any
	// well-formed token it no longer knows.
	ErrTaskTimedOut = errors.New("TaskTimedOut")
)

// callbacks holds the engine's waiting tasks by token.
type callbacks struct {
	mu      sync.Mutex
	waiting map[string]*callbackWait
}

// callbackWait is one task waiting for its token: the call's done func,
// and what a heartbeat restarts.
type callbackWait struct {
	x      *Execution
	f      *frame
	s      *State
	tok    uint64 // the call's token on its frame
	token  string
	done   func(any, error)
	closed atomic.Bool
}

// Invoke registers the wait; the answer comes with the token. It runs on
// the execution's mailbox.
func (w *callbackWait) Invoke(_ context.Context, _ *TaskRequest, done func(any, error)) {
	w.done = done
	x := w.x
	x.waits = slices.DeleteFunc(x.waits, func(o *callbackWait) bool { return o.closed.Load() })
	x.waits = append(x.waits, w)
	c := &x.engine.callbacks
	c.mu.Lock()
	if c.waiting == nil {
		c.waiting = map[string]*callbackWait{}
	}
	c.waiting[w.token] = w
	c.mu.Unlock()
}

// callbackFor makes the handler of a call that waits for its token.
func (e *Engine) callbackFor(x *Execution, f *frame, s *State) TaskHandler {
	return &callbackWait{x: x, f: f, s: s, tok: f.token, token: f.taskToken}
}

// take removes the wait for token and reports it, or why it cannot be
// answered.
func (e *Engine) take(token string) (*callbackWait, error) {
	c := &e.callbacks
	c.mu.Lock()
	w, ok := c.waiting[token]
	if ok {
		delete(c.waiting, token)
	}
	c.mu.Unlock()
	switch {
	case !ok:
		return nil, unknownToken(token)
	case !w.closed.CompareAndSwap(false, true):
		return nil, ErrTaskTimedOut
	}
	return w, nil
}

// unknownToken says why no task waits for token: it is malformed, or its
// task has ended.
func unknownToken(token string) error {
	if len(token) != tokenLen || !strings.HasPrefix(token, tokenPrefix) {
		return ErrInvalidToken
	}
	if _, err := base64.RawURLEncoding.DecodeString(token[len(tokenPrefix):]); err != nil {
		return ErrInvalidToken
	}
	return ErrTaskTimedOut
}

// SendTaskSuccess answers the task waiting for token with output.
func (e *Engine) SendTaskSuccess(token string, output any) error {
	w, err := e.take(token)
	if err != nil {
		return err
	}
	w.done(output, nil)
	return nil
}

// SendTaskFailure fails the task waiting for token with the error and
// cause given (either may be empty).
func (e *Engine) SendTaskFailure(token, errName, cause string) error {
	w, err := e.take(token)
	if err != nil {
		return err
	}
	w.done(nil, &states.Error{Name: errName, Cause: cause})
	return nil
}

// SendTaskHeartbeat tells the task waiting for token that its work goes
// on: its HeartbeatSeconds count again from now.
func (e *Engine) SendTaskHeartbeat(token string) error {
	c := &e.callbacks
	c.mu.Lock()
	w, ok := c.waiting[token]
	c.mu.Unlock()
	switch {
	case !ok:
		return unknownToken(token)
	case w.closed.Load():
		return ErrTaskTimedOut
	}
	x, f := w.x, w.f
	x.post(func() {
		if x.current(f, w.tok) {
			x.armHeartbeat(f, w.s, w.tok)
		}
	})
	return nil
}

// forget drops the frame's wait, if any, once its call has ended.
func (e *Engine) forget(token string) {
	if token != "" {
		e.release(token)
	}
}

// release closes the wait for token and reports whether this call closed
// it (rather than an answer, or an earlier release).
func (e *Engine) release(token string) bool {
	c := &e.callbacks
	c.mu.Lock()
	defer c.mu.Unlock()
	w, ok := c.waiting[token]
	if !ok {
		return false
	}
	delete(c.waiting, token)
	return w.closed.CompareAndSwap(false, true)
}

// releaseWaits lets go of the calls still waiting for their tokens when
// the execution ends (it was stopped, or a branch failed around them): their
// tokens answer TaskTimedOut from now on, and each call ends as a late
// answer would, so the execution settles.
func (x *Execution) releaseWaits() {
	for _, w := range x.waits {
		if x.engine.release(w.token) {
			w.done(nil, errExecutionEnded)
		}
	}
	x.waits = nil
}

// errExecutionEnded ends a call whose execution ended while it waited.
var errExecutionEnded = errors.New("the execution ended")

// armHeartbeat (re)starts the heartbeat timeout of the frame's current
// call, when the Task has HeartbeatSeconds.
func (x *Execution) armHeartbeat(f *frame, s *State, tok uint64) {
	if f.heartbeat <= 0 {
		return
	}
	if f.hbTimer != nil {
		f.hbTimer.Stop()
	}
	life := x.life
	f.hbTimer = x.clk.AfterFunc(f.heartbeat, func() {
		if x.life != life {
			return
		}
		x.post(func() {
			if !x.current(f, tok) {
				return
			}
			f.hbTimer = nil
			x.arm(f) // the call's late answer is ignored
			if f.timer != nil {
				f.timer.Stop()
				f.timer = nil
			}
			x.proceed(f, x.taskTimedOut(f, s, states.HeartbeatTimeout))
		})
	})
}

// stopHeartbeat stops the heartbeat timeout and forgets the frame's wait
// for its token: the call has ended.
func (x *Execution) stopHeartbeat(f *frame) {
	if f.hbTimer != nil {
		f.hbTimer.Stop()
		f.hbTimer = nil
	}
	if f.taskToken != "" {
		x.engine.forget(f.taskToken)
	}
}
