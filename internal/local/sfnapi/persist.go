package sfnapi

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// Store keeps state machines and Standard executions as JSON documents,
// by kind ("machine", "execution") and ARN, where they outlive the process
// (`yafdp local up --data-dir`). Put and Delete must not block: they
// queue the change, in order, and the Commit says when it is durable.
type Store interface {
	Put(kind, key string, doc []byte) Commit
	Delete(kind, key string) Commit
	// Each calls f for every document of a kind.
	Each(kind string, f func(key string, doc []byte) error) error
}

// Commit is a change handed to a Store.
type Commit interface{ Wait() error }

// The kinds of document a Service stores: a state machine by ARN, an
// execution (without its events) by ARN, and each history event by
// EventKey, saved as it happens, so that even an execution cut short by a
// crash keeps the events saved until then.
const (
	KindMachine   = "machine"
	KindExecution = "execution"
	KindEvent     = "event"
)

// EventKey is the key of an execution's event: the ARN, '#' and the id on
// ten digits, so that keys sort in event order.
func EventKey(executionARN string, id int64) string {
	return fmt.Sprintf("%s#%010d", executionARN, id)
}

// What a restart does to an execution that was running: the engine keeps
// no snapshot in the middle of an execution, so it cannot resume one; it
// is ended ABORTED with this error and cause, so nobody waits for it.
const (
	RestartError = "LocalUpRestarted"
	RestartCause = "yafdp local up stopped while this execution was running. The local engine cannot resume an execution where it was, so it ended here, after the events it had saved. Start a new execution to run the order again."
)

// run is what the service reads of an execution: the engine's, or one
// restored from a store, which has ended.
type run interface {
	Status() asl.Status
	Result() (asl.Status, any, string, string)
	StartTime() time.Time
	StopTime() time.Time
	Events() []asl.HistoryEvent
	Done() bool
	Stop(errName, cause string) bool
	Wait(ctx context.Context) error
}

var (
	_ run = (*asl.Execution)(nil)
	_ run = (*restored)(nil)
)

// restored is an execution loaded from a store: it has ended.
type restored struct {
	status         asl.Status
	output         any
	errName, cause string
	start, stop    time.Time
	events         []asl.HistoryEvent
}

func (r *restored) Status() asl.Status { return r.status }
func (r *restored) Result() (asl.Status, any, string, string) {
	return r.status, r.output, r.errName, r.cause
}
func (r *restored) StartTime() time.Time           { return r.start }
func (r *restored) StopTime() time.Time            { return r.stop }
func (r *restored) Events() []asl.HistoryEvent     { return r.events }
func (r *restored) Done() bool                     { return true }
func (r *restored) Stop(string, string) bool       { return false }
func (r *restored) Wait(ctx context.Context) error { return nil }

// machineDoc is a state machine as stored.
type machineDoc struct {
	ARN        string         `json:"arn"`
	Name       string         `json:"name"`
	Definition string         `json:"definition"`
	RoleARN    string         `json:"roleArn"`
	Type       string         `json:"type"`
	Logging    map[string]any `json:"logging,omitempty"`
	Tracing    map[string]any `json:"tracing,omitempty"`
	Created    time.Time      `json:"created"`
	Seq        uint64         `json:"seq"`
}

// executionDoc is a Standard execution as stored.
type executionDoc struct {
	ARN             string     `json:"arn"`
	StateMachineARN string     `json:"stateMachineArn"`
	Name            string     `json:"name"`
	Seq             uint64     `json:"seq"`
	Input           string     `json:"input"`
	Status          asl.Status `json:"status"`
	Start           time.Time  `json:"start"`
	Stop            time.Time  `json:"stop,omitzero"`
	Output          *string    `json:"output,omitempty"`
	Error           string     `json:"error,omitempty"`
	Cause           string     `json:"cause,omitempty"`
	// TestCase is the mock config's test case the execution runs, which a
	// redrive goes on with.
	TestCase string `json:"testCase,omitempty"`
}

// historyObserver saves each event of a Standard execution as it happens.
type historyObserver struct {
	s    *Service
	next asl.Observer // the engine's own Observer, if it had one
}

func (h historyObserver) Event(x *asl.Execution, ev *asl.HistoryEvent) {
	if h.next != nil {
		h.next.Event(x, ev)
	}
	s := h.s
	smARN := x.StateMachineARN()
	name := smARN[strings.LastIndexByte(smARN, ':')+1:]
	s.mu.RLock()
	m := s.machines[s.StateMachineARN(name)]
	s.mu.RUnlock()
	if m == nil || m.typ != TypeStandard {
		return // Express executions keep no history here, as on AWS
	}
	s.opts.Store.Put(KindEvent, EventKey(s.ExecutionARN(name, x.Name), ev.ID), encodeEvent(ev))
}

// forgetStored deletes an execution and its events from the store.
func (s *Service) forgetStored(e *execution) Commit {
	if x := e.exec(); x != nil {
		for _, ev := range x.Events() {
			s.opts.Store.Delete(KindEvent, EventKey(e.arn, ev.ID))
		}
	}
	return s.opts.Store.Delete(KindExecution, e.arn)
}

func (m *machine) doc() []byte {
	b, _ := json.Marshal(machineDoc{ARN: m.arn, Name: m.name, Definition: m.definition, RoleARN: m.roleARN, Type: m.typ,
		Logging: m.logging, Tracing: m.tracing, Created: m.created, Seq: m.seq})
	return b
}

func (e *execution) doc(x run) []byte {
	in := e.info(x)
	d := executionDoc{ARN: e.arn, StateMachineARN: e.m.arn, Name: e.name, Seq: e.seq, Input: e.input,
		Status: in.Status, Start: in.Start, Stop: in.Stop, Output: in.Output, Error: in.Error, Cause: in.Cause,
		TestCase: e.redrive.testCase}
	b, _ := json.Marshal(d)
	return b
}

// wait waits for a commit; nil without a store.
func wait(c Commit) *Error {
	if c == nil {
		return nil
	}
	if err := c.Wait(); err != nil {
		return newError(CodeInternalFailure, "the change was made but could not be saved to the data directory: %v", err)
	}
	return nil
}

// save stores an execution's state: at its start (RUNNING) and when it
// ends. Whichever comes last wins, so an execution that ends inside
// Start is never stored as RUNNING after its end.
func (s *Service) save(e *execution, x run, final bool) Commit {
	if s.opts.Store == nil {
		return nil
	}
	e.saveMu.Lock()
	defer e.saveMu.Unlock()
	if e.saved && !final {
		return nil
	}
	e.saved = e.saved || final
	return s.opts.Store.Put(KindExecution, e.arn, e.doc(x))
}

// Restore loads the state machines and executions a store holds into an
// empty service, before it serves anything. Executions that were running
// when the process stopped end ABORTED (RestartError, RestartCause) with an
// ExecutionAborted event, and are stored so. It returns how many it ended
// so.
func (s *Service) Restore() (aborted int, err error) {
	st := s.opts.Store
	if st == nil {
		return 0, nil
	}
	now := s.clk.Now()
	maxSeq, err := s.restoreMachines(st)
	if err != nil {
		return 0, err
	}
	events, err := loadEvents(st)
	if err != nil {
		return 0, err
	}
	r, err := s.restoreExecutions(st, events, now)
	if err != nil {
		return 0, err
	}
	// Events of no execution: a start that failed, or one cut short before
	// StartExecution answered (it answers once the execution is saved).
	for arn, evs := range events {
		deleteEvents(st, arn, evs)
	}
	for _, m := range s.machines {
		sort.Slice(m.order, func(i, j int) bool { return m.order[i].seq < m.order[j].seq })
	}
	if seq := max(maxSeq, r.maxSeq); seq > s.seq.Load() {
		s.seq.Store(seq)
	}
	if err := saveAborted(st, r.stale); err != nil {
		return 0, err
	}
	if s.opts.MaxFinishedExecutions > 0 {
		s.finishRestored(r.ended)
	}
	return len(r.stale), nil
}

// restoreMachines loads the state machines; it returns the highest
// sequence number among them.
func (s *Service) restoreMachines(st Store) (maxSeq uint64, err error) {
	err = st.Each(KindMachine, func(key string, doc []byte) error {
		var d machineDoc
		if err := json.Unmarshal(doc, &d); err != nil {
			return fmt.Errorf("state machine %s: %w", key, err)
		}
		parsed, err := asl.Parse([]byte(d.Definition))
		if err != nil {
			return fmt.Errorf("state machine %s: %w", key, err)
		}
		m := &machine{arn: d.ARN, name: d.Name, definition: d.Definition, roleARN: d.RoleARN, typ: d.Type,
			logging: d.Logging, tracing: d.Tracing, created: d.Created, seq: d.Seq, parsed: parsed,
			execs: map[string]*execution{}}
		s.mu.Lock()
		s.machines[m.arn] = m
		s.mu.Unlock()
		maxSeq = max(maxSeq, d.Seq)
		return nil
	})
	return maxSeq, err
}

// loadEvents reads every saved history event, by execution ARN.
func loadEvents(st Store) (map[string][]asl.HistoryEvent, error) {
	events := map[string][]asl.HistoryEvent{}
	err := st.Each(KindEvent, func(key string, doc []byte) error {
		ev, err := decodeEvent(doc)
		if err != nil {
			return fmt.Errorf("event %s: %w", key, err)
		}
		arn := key[:strings.LastIndexByte(key, '#')]
		events[arn] = append(events[arn], ev)
		return nil
	})
	return events, err
}

func deleteEvents(st Store, arn string, evs []asl.HistoryEvent) {
	for _, ev := range evs {
		st.Delete(KindEvent, EventKey(arn, ev.ID))
	}
}

// restoredExecutions is what restoreExecutions found.
type restoredExecutions struct {
	stale  []*execution // were running: now ABORTED, to be saved so
	ended  []ended      // every execution restored
	maxSeq uint64
}

// ended is a restored execution and when it stopped.
type ended struct {
	e    *execution
	stop time.Time
}

// restoreExecutions loads the executions of the machines restored, with
// their events, which it takes out of events. It deletes the executions of
// machines that are gone, and aborts those that were running at now.
func (s *Service) restoreExecutions(st Store, events map[string][]asl.HistoryEvent, now time.Time) (restoredExecutions, error) {
	var r restoredExecutions
	err := st.Each(KindExecution, func(key string, doc []byte) error {
		var d executionDoc
		if err := json.Unmarshal(doc, &d); err != nil {
			return fmt.Errorf("execution %s: %w", key, err)
		}
		s.mu.RLock()
		m := s.machines[d.StateMachineARN]
		s.mu.RUnlock()
		evs := events[d.ARN]
		delete(events, d.ARN)
		if m == nil {
			st.Delete(KindExecution, key) // its machine was deleted
			deleteEvents(st, d.ARN, evs)
			return nil
		}
		x := &restored{status: d.Status, errName: d.Error, cause: d.Cause, start: d.Start, stop: d.Stop, events: evs}
		if d.Output != nil {
			var err error
			if x.output, err = value.DecodeString(*d.Output); err != nil {
				return fmt.Errorf("execution %s: %w", key, err)
			}
		}
		e := &execution{m: m, arn: d.ARN, name: d.Name, input: d.Input, seq: d.Seq, ready: make(chan struct{}), saved: true}
		e.redrive.testCase = d.TestCase
		if x.status == asl.StatusRunning {
			x.abortAtRestart(now, d.Input, m.roleARN)
			r.stale = append(r.stale, e)
		}
		e.set(x)
		m.execs[e.name] = e
		m.order = append(m.order, e)
		r.ended = append(r.ended, ended{e, x.stop})
		r.maxSeq = max(r.maxSeq, d.Seq)
		return nil
	})
	return r, err
}

// saveAborted stores the executions a restart aborted, with the events it
// added, and waits until they are saved.
func saveAborted(st Store, stale []*execution) *Error {
	var last Commit
	for _, e := range stale {
		evs := e.x.Events()
		for i := range evs {
			st.Put(KindEvent, EventKey(e.arn, evs[i].ID), encodeEvent(&evs[i]))
		}
		last = st.Put(KindExecution, e.arn, e.doc(e.x))
	}
	return wait(last)
}

// finishRestored counts the restored executions toward
// MaxFinishedExecutions: they all ended before this process started, so
// they are the oldest finished ones, by when they stopped, ahead of any
// that end from now on; then it forgets those beyond the limit.
func (s *Service) finishRestored(done []ended) {
	sort.Slice(done, func(i, j int) bool {
		if !done[i].stop.Equal(done[j].stop) {
			return done[i].stop.Before(done[j].stop)
		}
		return done[i].e.seq < done[j].e.seq
	})
	s.finMu.Lock()
	restored := make([]*execution, 0, len(done)+len(s.finished))
	for _, d := range done {
		restored = append(restored, d.e)
	}
	s.finished = append(restored, s.finished...)
	s.finMu.Unlock()
	s.evict()
}

// abortAtRestart ends an execution that was running when the process
// stopped.
func (r *restored) abortAtRestart(now time.Time, input, roleARN string) {
	if len(r.events) == 0 {
		in, _ := value.DecodeString(input)
		r.events = []asl.HistoryEvent{{ID: 1, Timestamp: r.start, Type: types.HistoryEventTypeExecutionStarted, Payload: in, Resource: roleARN}}
	}
	if now.Before(r.start) {
		now = r.start
	}
	last := r.events[len(r.events)-1]
	r.events = append(r.events, asl.HistoryEvent{ID: last.ID + 1, PreviousEventID: last.ID, Timestamp: now,
		Type: types.HistoryEventTypeExecutionAborted, Error: RestartError, Cause: RestartCause})
	r.status, r.errName, r.cause, r.stop = asl.StatusAborted, RestartError, RestartCause, now
}

// Drain waits until no execution runs, or ctx ends; it starts nothing and
// stops nothing. It returns how many still run.
func (s *Service) Drain(ctx context.Context) int64 {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		n := s.running.Load()
		if n <= 0 {
			return 0
		}
		select {
		case <-ctx.Done():
			return n
		case <-t.C:
		}
	}
}

// Counts are how many state machines and kept Standard executions the
// service holds.
type Counts struct{ StateMachines, Executions int }

// Counts counts the state machines and the executions kept.
func (s *Service) Counts() Counts {
	s.mu.RLock()
	ms := make([]*machine, 0, len(s.machines))
	for _, m := range s.machines {
		ms = append(ms, m)
	}
	s.mu.RUnlock()
	c := Counts{StateMachines: len(ms)}
	for _, m := range ms {
		m.mu.Lock()
		c.Executions += len(m.execs)
		m.mu.Unlock()
	}
	return c
}

// StopRunning aborts every running Standard execution with errName and
// cause, as StopExecution would, without waiting for them to end; it
// returns how many it stopped.
func (s *Service) StopRunning(errName, cause string) int {
	s.mu.RLock()
	ms := make([]*machine, 0, len(s.machines))
	for _, m := range s.machines {
		ms = append(ms, m)
	}
	s.mu.RUnlock()
	n := 0
	for _, m := range ms {
		for _, x := range m.runningExecutions() {
			if x.Stop(errName, cause) {
				n++
			}
		}
	}
	return n
}
