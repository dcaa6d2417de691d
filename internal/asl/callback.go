package asl

import (
	"context"
	"errors"
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
	// ErrTaskDoesNotExist: no task of this engine has the token.
	ErrTaskDoesNotExist = errors.New("TaskDoesNotExist")
	// ErrTaskTimedOut: the task has ended (it timed out, or was answered
	// or stopped) and takes no more answers.
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

// Invoke registers the wait; the answer comes with the token.
func (w *callbackWait) Invoke(_ context.Context, _ *TaskRequest, done func(any, error)) {
	w.done = done
	c := &w.x.engine.callbacks
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
		return nil, ErrTaskDoesNotExist
	case !w.closed.CompareAndSwap(false, true):
		return nil, ErrTaskTimedOut
	}
	return w, nil
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
		return ErrTaskDoesNotExist
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
	if token == "" {
		return
	}
	c := &e.callbacks
	c.mu.Lock()
	if w, ok := c.waiting[token]; ok {
		w.closed.Store(true)
		delete(c.waiting, token)
	}
	c.mu.Unlock()
}

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
