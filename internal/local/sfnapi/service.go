package sfnapi

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// Limits of the Step Functions API that the service enforces.
const (
	// MaxDefinitionLength is the longest definition, in characters.
	MaxDefinitionLength = 1048576
	// MaxInputBytes is the largest execution input, in UTF-8 bytes.
	MaxInputBytes = asl.MaxPayloadBytes
	// MaxPageSize is the largest maxResults of the listing operations.
	MaxPageSize = 1000
	// maxARNLength is the longest ARN a request may carry.
	maxARNLength = 256
)

// The state machine types.
const (
	TypeStandard = "STANDARD"
	TypeExpress  = "EXPRESS"
)

// Options configure a Service.
type Options struct {
	// Region and Account fill the ARNs; the engine's (us-east-1 and
	// 123456789012 by default) when empty. They should agree with the
	// engine's, which fill the context object ($$.Execution.Id).
	Region  string
	Account string
	// Clock dates state machines; the engine's clock when nil. Executions
	// are dated by the engine's clock.
	Clock clock.Clock
	// MaxFinishedExecutions, when positive, is how many finished Standard
	// executions (with their histories) the service keeps; the oldest
	// finished ones are forgotten first, and their names may be used again.
	// Zero keeps every execution, as AWS does for 90 days.
	MaxFinishedExecutions int
	// OnDone, when set, is called once when any execution ends, on the
	// goroutine that ended it. It must not block.
	OnDone func(x *asl.Execution)
	// Store, when set, keeps state machines and Standard executions with
	// their histories (see Store); call Restore before serving. New then
	// sets the engine's Observer (calling the one it had) to save each
	// event as it happens. Nil keeps everything in memory.
	Store Store
	// Mock, when set, is a mock config in the Step Functions Local format:
	// StartExecution on "<stateMachineArn>#<TestCase>" runs the execution
	// with that test case of the config's state machine named as the
	// machine answering its Task states, as Step Functions Local does.
	Mock *mockconfig.Config
	// Seed drives the draws of the mock config's extensions (Chances,
	// Latency) with each execution's name.
	Seed uint64
	// Fake answers a mocked response that names a built-in fake (a Fakes'
	// Fake); nil when there are none.
	Fake func(name string) asl.TaskHandler
	// Logs, when set, receives the events of executions of state machines
	// with a LoggingConfiguration, in the CloudWatch Logs shape Step
	// Functions writes (logging.go); CreateStateMachine then checks that
	// the destination log group exists. Nil: configurations are kept and
	// described, nothing is logged.
	Logs LogSink
	// Events, when set, receives the status changes of Standard
	// executions, as Step Functions puts them on EventBridge.
	Events StatusSink
	// StartQuota throttles StartExecution of Standard machines, for
	// every caller (the API and the Go method alike), on Clock. Zero, or
	// NoStartQuota, lets every start through; AWSStartQuota is AWS's.
	StartQuota StartQuota
}

// Service is an in-memory Step Functions: state machines and their
// executions, run by an asl.Engine. It is safe for concurrent use. Serve it
// over HTTP with Handler, or call its methods in-process.
type Service struct {
	engine  *asl.Engine
	opts    Options
	clk     clock.Clock
	region  string
	account string

	// ctx is handed to every execution's task handlers; Close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	seq    atomic.Uint64

	mu       sync.RWMutex
	machines map[string]*machine // by ARN
	closed   bool

	finMu    sync.Mutex
	finished []*execution // finished Standard executions, oldest first (with MaxFinishedExecutions)

	// starts is the StartQuota's bucket; nil without a quota.
	starts *startBucket

	running, succeeded, failed, timedOut, aborted, throttled atomic.Int64
}

// machine is one state machine and its Standard executions.
type machine struct {
	arn        string
	name       string
	definition string
	roleARN    string
	typ        string
	logging    map[string]any
	tracing    map[string]any
	created    time.Time
	seq        uint64
	parsed     *asl.StateMachine

	mu      sync.Mutex
	deleted bool
	execs   map[string]*execution // by name
	order   []*execution          // by start, oldest first; may hold evicted ones
	evicted int
}

// execution is one Standard execution. It is reserved (listed under its
// name) before the engine starts it; exec waits for the start.
type execution struct {
	m       *machine
	arn     string
	name    string
	input   string
	seq     uint64
	evicted bool // under m.mu

	once  sync.Once
	ready chan struct{}
	x     run // set once, before ready is closed

	saveMu sync.Mutex
	saved  bool // its final state went to the store

	// redrive holds what RedriveExecution keeps (redrive.go): the test
	// case the execution runs, and its latest redriven run.
	redrive redriveState

	// A Distributed Map's child execution is not listed under a machine:
	// child is set, smARN is its labelled state machine (MACHINE/LABEL)
	// and mapRunARN its Map Run.
	child            bool
	smARN, mapRunARN string
}

// set publishes the engine's execution (nil when the start failed).
func (e *execution) set(x run) {
	e.once.Do(func() {
		e.x = x
		close(e.ready)
	})
}

// exec returns the engine's execution once started; nil when its start
// failed.
func (e *execution) exec() run {
	<-e.ready
	if x := e.redrive.current.Load(); x != nil {
		return x
	}
	return e.x
}

// New returns a service whose executions engine runs. The engine should
// keep full histories (asl.HistoryFull, its default): GetExecutionHistory
// serves them.
func New(engine *asl.Engine, opts Options) *Service {
	s := &Service{engine: engine, opts: opts, machines: map[string]*machine{}}
	s.clk = opts.Clock
	if s.clk == nil {
		s.clk = engine.Clock
	}
	if s.clk == nil {
		s.clk = clock.Real{}
	}
	s.region, s.account = opts.Region, opts.Account
	if s.region == "" {
		s.region = engine.Region
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.account == "" {
		s.account = engine.Account
	}
	if s.account == "" {
		s.account = "123456789012"
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.starts = newStartBucket(opts.StartQuota, s.clk.Now)
	if opts.Store != nil {
		// Histories are saved event by event, through the engine.
		engine.Observer = historyObserver{s: s, next: engine.Observer}
	}
	return s
}

// Close stops every running execution (ABORTED) and cancels the context
// their task handlers were given. The service answers nothing afterwards
// but keeps what it holds readable.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	ms := make([]*machine, 0, len(s.machines))
	for _, m := range s.machines {
		ms = append(ms, m)
	}
	s.mu.Unlock()
	for _, m := range ms {
		for _, x := range m.runningExecutions() {
			x.Stop("", "")
		}
	}
	s.cancel()
}

// StateMachineARN returns the ARN a state machine of this name has here.
func (s *Service) StateMachineARN(name string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":stateMachine:" + name
}

// ExecutionARN returns the ARN of a Standard execution.
func (s *Service) ExecutionARN(machineName, name string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":execution:" + machineName + ":" + name
}

func (s *Service) expressARN(machineName, name string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":express:" + machineName + ":" + name + ":" + newUUID()
}

// Stats counts executions by status, and the StartExecution calls the
// StartQuota refused.
type Stats struct {
	Running, Succeeded, Failed, TimedOut, Aborted int64
	StartThrottles                                int64
}

// Stats returns how many executions run and how many ended each way since
// the service started (forgotten ones included).
func (s *Service) Stats() Stats {
	return Stats{Running: s.running.Load(), Succeeded: s.succeeded.Load(), Failed: s.failed.Load(),
		TimedOut: s.timedOut.Load(), Aborted: s.aborted.Load(), StartThrottles: s.throttled.Load()}
}

// StateMachineSpec describes a state machine to create.
type StateMachineSpec struct {
	Name       string
	Definition string
	RoleARN    string
	// Type is STANDARD (when empty) or EXPRESS.
	Type string
	// LoggingConfiguration and TracingConfiguration are kept and described
	// as given (AWS's defaults when nil); nothing is logged or traced.
	LoggingConfiguration map[string]any
	TracingConfiguration map[string]any
}

// StateMachine describes a state machine, as DescribeStateMachine does.
type StateMachine struct {
	ARN                  string
	Name                 string
	Definition           string
	RoleARN              string
	Type                 string
	Status               string
	Created              time.Time
	LoggingConfiguration map[string]any
	TracingConfiguration map[string]any
}

func (m *machine) describe() StateMachine {
	return StateMachine{ARN: m.arn, Name: m.name, Definition: m.definition, RoleARN: m.roleARN, Type: m.typ,
		Status: "ACTIVE", Created: m.created, LoggingConfiguration: m.logging, TracingConfiguration: m.tracing}
}

// CreateStateMachine creates a state machine, or returns the existing one
// when one of that name has the same definition, type and configuration
// (CreateStateMachine is idempotent on AWS; a different role ARN is
// ignored, as there). Errors: ValidationException, InvalidName, InvalidArn
// (role), InvalidDefinition, StateMachineAlreadyExists.
func (s *Service) CreateStateMachine(spec StateMachineSpec) (StateMachine, error) {
	req := &createStateMachineRequest{Name: &spec.Name, Definition: &spec.Definition, RoleArn: &spec.RoleARN,
		LoggingConfiguration: spec.LoggingConfiguration, TracingConfiguration: spec.TracingConfiguration}
	if spec.Type != "" {
		req.Type = &spec.Type
	}
	m, err := s.createStateMachine(req)
	if err != nil {
		return StateMachine{}, err
	}
	return m.describe(), nil
}

type createStateMachineRequest struct {
	Name                 *string        `json:"name"`
	Definition           *string        `json:"definition"`
	RoleArn              *string        `json:"roleArn"`
	Type                 *string        `json:"type"`
	LoggingConfiguration map[string]any `json:"loggingConfiguration"`
	TracingConfiguration map[string]any `json:"tracingConfiguration"`
}

func (s *Service) createStateMachine(req *createStateMachineRequest) (*machine, *Error) {
	var v validation
	v.required("name", req.Name != nil)
	v.required("definition", req.Definition != nil)
	v.required("roleArn", req.RoleArn != nil)
	v.length("name", req.Name, 1, MaxNameLength, false)
	v.length("definition", req.Definition, 1, MaxDefinitionLength, true)
	v.length("roleArn", req.RoleArn, 1, maxARNLength, false)
	v.enum("type", req.Type, TypeStandard, TypeExpress)
	if err := v.err(); err != nil {
		return nil, err
	}
	if !validName(*req.Name) {
		return nil, newError(CodeInvalidName, "Invalid Name: '%s'", *req.Name)
	}
	if err := checkRoleARN(*req.RoleArn); err != nil {
		return nil, err
	}
	if err := s.checkLogging(req.LoggingConfiguration); err != nil {
		return nil, err
	}
	parsed, perr := asl.Parse([]byte(*req.Definition))
	if perr != nil {
		return nil, invalidDefinition(perr)
	}
	typ := TypeStandard
	if req.Type != nil {
		typ = *req.Type
	}
	if typ == TypeExpress {
		if err := checkExpressDefinition(*req.Definition); err != nil {
			return nil, err
		}
	}
	logging := req.LoggingConfiguration
	if logging == nil {
		logging = map[string]any{"level": "OFF", "includeExecutionData": false}
	}
	tracing := req.TracingConfiguration
	if tracing == nil {
		tracing = map[string]any{"enabled": false}
	}
	m := &machine{
		arn: s.StateMachineARN(*req.Name), name: *req.Name, definition: *req.Definition, roleARN: *req.RoleArn,
		typ: typ, logging: logging, tracing: tracing, created: s.clk.Now(), parsed: parsed,
		execs: map[string]*execution{},
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errClosed()
	}
	if old, ok := s.machines[m.arn]; ok {
		s.mu.Unlock()
		if old.definition == m.definition && old.typ == m.typ && value.Equal(old.logging, m.logging) && value.Equal(old.tracing, m.tracing) {
			return old, nil
		}
		return nil, newError(CodeStateMachineAlreadyExists, "State Machine Already Exists: '%s'", m.arn)
	}
	m.seq = s.seq.Add(1)
	s.machines[m.arn] = m
	var c Commit
	if s.opts.Store != nil {
		c = s.opts.Store.Put(KindMachine, m.arn, m.doc())
	}
	s.mu.Unlock()
	if err := wait(c); err != nil {
		return nil, err
	}
	return m, nil
}

// invalidDefinition words the parser's problems as AWS words its own:
// a code, the message and where in the document.
func invalidDefinition(err error) *Error {
	var ve *asl.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) == 0 {
		return newError(CodeInvalidDefinition, "Invalid State Machine Definition: '%s'", err.Error())
	}
	parts := make([]string, 0, len(ve.Problems))
	for _, p := range ve.Problems {
		switch {
		case p.Where == "" && strings.HasPrefix(p.Message, "not valid JSON"):
			parts = append(parts, "INVALID_JSON_DESCRIPTION: "+p.Message)
		case p.Where == "":
			parts = append(parts, "SCHEMA_VALIDATION_FAILED: "+p.Message+" at /")
		default:
			parts = append(parts, "SCHEMA_VALIDATION_FAILED: "+p.Message+" at /"+strings.ReplaceAll(p.Where, ".", "/"))
		}
	}
	return newError(CodeInvalidDefinition, "Invalid State Machine Definition: '%s'", strings.Join(parts, ", "))
}

func errClosed() *Error {
	return newError(CodeInternalFailure, "the service is shutting down")
}

// lookupMachine validates a state machine ARN and finds the machine.
func (s *Service) lookupMachine(arn *string) (*machine, *Error) {
	var v validation
	v.required("stateMachineArn", arn != nil)
	v.length("stateMachineArn", arn, 1, maxARNLength, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := parseStateMachineARN(*arn); err != nil {
		return nil, err
	}
	s.mu.RLock()
	m, ok := s.machines[s.local(*arn)]
	s.mu.RUnlock()
	if !ok {
		return nil, errStateMachineDoesNotExist(*arn)
	}
	return m, nil
}

// local returns arn with this service's account: the service is one
// account, and tools written for Step Functions Local (123456789012) or
// LocalStack (000000000000) name their own in the ARNs they send.
func (s *Service) local(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[4] != s.account && isAccount(parts[4]) {
		parts[4] = s.account
		return strings.Join(parts, ":")
	}
	return arn
}

// DescribeStateMachine describes a state machine. Errors: InvalidArn,
// StateMachineDoesNotExist.
func (s *Service) DescribeStateMachine(arn string) (StateMachine, error) {
	m, err := s.lookupMachine(&arn)
	if err != nil {
		return StateMachine{}, err
	}
	return m.describe(), nil
}

// DeleteStateMachine deletes a state machine and forgets its executions;
// running ones are stopped (AWS stops them at their next transition).
// Deleting a machine that does not exist succeeds, as on AWS.
func (s *Service) DeleteStateMachine(arn string) error {
	if err := s.deleteStateMachine(&arn); err != nil {
		return err
	}
	return nil
}

func (s *Service) deleteStateMachine(arn *string) *Error {
	var v validation
	v.required("stateMachineArn", arn != nil)
	v.length("stateMachineArn", arn, 1, maxARNLength, false)
	if err := v.err(); err != nil {
		return err
	}
	if err := parseStateMachineARN(*arn); err != nil {
		return err
	}
	s.mu.Lock()
	m, ok := s.machines[*arn]
	delete(s.machines, *arn)
	var c Commit
	if ok && s.opts.Store != nil {
		c = s.opts.Store.Delete(KindMachine, m.arn)
	}
	s.mu.Unlock()
	if !ok {
		return nil
	}
	m.mu.Lock()
	m.deleted = true
	m.mu.Unlock()
	for _, x := range m.runningExecutions() {
		x.Stop("", "")
	}
	if s.opts.Store != nil {
		// Executions stopped above may still save their end: Restore drops
		// executions of machines it does not know.
		m.mu.Lock()
		order := slices.Clone(m.order)
		m.mu.Unlock()
		for _, e := range order {
			c = s.forgetStored(e)
		}
	}
	return wait(c)
}

func (m *machine) runningExecutions() []run {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []run
	for _, e := range m.order {
		if x := e.exec(); !e.evicted && x != nil && !x.Done() {
			out = append(out, x)
		}
	}
	return out
}

// listStateMachines pages through the machines, oldest first.
func (s *Service) listStateMachines(maxResults *int64, token *string) ([]*machine, string, *Error) {
	var v validation
	v.rangeOf("maxResults", maxResults, 0, MaxPageSize)
	v.length("nextToken", token, 1, MaxTokenLength, false)
	if err := v.err(); err != nil {
		return nil, "", err
	}
	after, err := decodeToken(token, "ListStateMachines")
	if err != nil {
		return nil, "", err
	}
	s.mu.RLock()
	all := make([]*machine, 0, len(s.machines))
	for _, m := range s.machines {
		if m.seq > after {
			all = append(all, m)
		}
	}
	s.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	n := pageSize(maxResults)
	if len(all) <= n {
		return all, "", nil
	}
	return all[:n], encodeToken("ListStateMachines", all[n-1].seq), nil
}

// StartExecution starts an execution of a state machine and returns its ARN
// and start time. name is the idempotency key: while an execution of that
// name runs with the same input, its ARN and start time are returned again;
// otherwise a used name gives ExecutionAlreadyExists (errors.Is with
// ErrExecutionAlreadyExists). An empty name is replaced by a UUID, an empty
// input by {}. Other errors: ValidationException, InvalidArn,
// StateMachineDoesNotExist, InvalidName, InvalidExecutionInput, and
// ThrottlingException (errors.Is with ErrThrottling) for a Standard
// machine's start over the StartQuota.
//
// ctx bounds only the call: the execution runs until it ends or the service
// is closed.
//
// With a Store, StartExecution returns once the start is queued for the
// store, not once it is durable: the store applies changes in order, so
// any later change that is waited for (the consumer's DeleteMessage of the
// order) makes it durable too, without one more fsync per execution. The
// API's StartExecution, over HTTP, answers only once the start is durable.
func (s *Service) StartExecution(ctx context.Context, stateMachineARN, name, input string) (arn string, start time.Time, err error) {
	if err := ctx.Err(); err != nil {
		return "", time.Time{}, err
	}
	req := &startExecutionRequest{StateMachineArn: &stateMachineARN}
	if name != "" {
		req.Name = &name
	}
	if input != "" {
		req.Input = &input
	}
	arn, start, e := s.startExecution(req, false)
	if e != nil {
		return "", time.Time{}, e
	}
	return arn, start, nil
}

type startExecutionRequest struct {
	StateMachineArn *string `json:"stateMachineArn"`
	Name            *string `json:"name"`
	Input           *string `json:"input"`
	TraceHeader     *string `json:"traceHeader"`
}

// mockRun checks that the test case fits the machine and starts counting
// the invocations of the execution name; nil without a test case.
func (s *Service) mockRun(mock *mockconfig.Case, m *machine, name string) (asl.TaskMock, *Error) {
	if mock == nil {
		return nil, nil
	}
	if err := s.opts.Mock.Check(m.name, mockconfig.KindsOf(m.parsed)); err != nil {
		return nil, newError(CodeInvalidArn, "Invalid Arn: the mock config does not fit the state machine: %v", err)
	}
	return mock.NewRun(mockconfig.RunOptions{Seed: s.opts.Seed, Execution: name, Fake: s.opts.Fake}), nil
}

// startExecution starts an execution; durable waits until its start is
// saved in the store.
func (s *Service) startExecution(req *startExecutionRequest, durable bool) (string, time.Time, *Error) {
	mock, err := s.testCase(req)
	if err != nil {
		return "", time.Time{}, err
	}
	m, name, input, err := s.checkRequest(req)
	if err != nil {
		return "", time.Time{}, err
	}
	run, err := s.mockRun(mock, m, name)
	if err != nil {
		return "", time.Time{}, err
	}
	// Every call takes a token, one that finds its name already running
	// too (the SDKs' retries of a start, a redelivered order): AWS counts
	// calls, not executions. The quota is checked before the input is
	// read, so that a throttled call costs the service little, as AWS's
	// throttle stands ahead of its service.
	if m.typ != TypeExpress && !s.starts.allow() {
		s.throttled.Add(1)
		return "", time.Time{}, errThrottled()
	}
	in, err := decodeInput(input)
	if err != nil {
		return "", time.Time{}, err
	}
	if m.typ == TypeExpress {
		return s.startExpress(m, name, in, run)
	}
	e, again, err := s.reserve(m, name, input)
	switch {
	case err != nil:
		return "", time.Time{}, err
	case e == nil:
		return again.arn, again.start, nil
	}
	e.redrive.keepMock(mock, run)
	s.running.Add(1)
	opts := asl.StartOptions{
		Name: name, Input: in, StateMachineName: m.name,
		OnDone:   func(x *asl.Execution) { e.set(x); s.done(e, x) },
		Mock:     run,
		Observer: s.logObserver(m, e.arn, s.clk.Now()),
	}
	x, serr := s.engine.Start(s.ctx, m.parsed, opts)
	if serr != nil {
		s.running.Add(-1)
		e.set(nil)
		m.forget(e)
		return "", time.Time{}, newError(CodeInvalidExecutionInput, "Invalid State Machine Execution Input: '%s'", serr.Error())
	}
	e.set(x)
	s.statusChanged(e, x, asl.StatusRunning)
	c := s.save(e, x, false)
	s.evict()
	if !durable {
		c = nil
	}
	if err := wait(c); err != nil {
		return "", time.Time{}, err
	}
	return e.arn, x.StartTime(), nil
}

// testCase takes the "#TestCase" off a StartExecution's state machine ARN,
// as Step Functions Local reads it, and returns that test case of the mock
// config's state machine named as the machine; nil without one.
func (s *Service) testCase(req *startExecutionRequest) (*mockconfig.Case, *Error) {
	if req.StateMachineArn == nil {
		return nil, nil
	}
	arn, name, ok := strings.Cut(*req.StateMachineArn, "#")
	if !ok {
		return nil, nil
	}
	req.StateMachineArn = &arn
	if s.opts.Mock == nil {
		return nil, newError(CodeInvalidArn, "Invalid Arn: '%s#%s': a test case after '#' needs a mock config (local up --mock-config, or SFN_MOCK_CONFIG)", arn, name)
	}
	machine := arn[strings.LastIndexByte(arn, ':')+1:]
	k, err := s.opts.Mock.Case(machine, name)
	if err != nil {
		return nil, newError(CodeInvalidArn, "Invalid Arn: '%s#%s': %v", arn, name, err)
	}
	return k, nil
}

// checkStart checks a start in the order AWS does: model constraints
// first, then the machine, then the name and the input. It returns the
// machine, the execution's name, its input as given and as decoded.
func (s *Service) checkStart(req *startExecutionRequest) (m *machine, name, input string, in any, err *Error) {
	if m, name, input, err = s.checkRequest(req); err != nil {
		return nil, "", "", nil, err
	}
	if in, err = decodeInput(input); err != nil {
		return nil, "", "", nil, err
	}
	return m, name, input, in, nil
}

// checkRequest is checkStart up to the input, which it does not read.
func (s *Service) checkRequest(req *startExecutionRequest) (m *machine, name, input string, err *Error) {
	var v validation
	v.required("stateMachineArn", req.StateMachineArn != nil)
	v.length("stateMachineArn", req.StateMachineArn, 1, maxARNLength, false)
	v.length("name", req.Name, 1, MaxNameLength, false)
	v.bytesAtMost("input", req.Input, MaxInputBytes)
	v.length("traceHeader", req.TraceHeader, 0, 256, false)
	if err := v.err(); err != nil {
		return nil, "", "", err
	}
	if m, err = s.lookupMachine(req.StateMachineArn); err != nil {
		return nil, "", "", err
	}
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return nil, "", "", errClosed()
	}
	name = newUUID()
	if req.Name != nil {
		name = *req.Name
		if !validName(name) {
			return nil, "", "", newError(CodeInvalidName, "Invalid Name: '%s'", name)
		}
	}
	input = "{}"
	if req.Input != nil {
		input = *req.Input
	}
	return m, name, input, nil
}

// decodeInput reads an execution's input, which must be JSON within the
// payload limit.
func decodeInput(input string) (any, *Error) {
	in, derr := value.Decode([]byte(input))
	if derr != nil {
		return nil, newError(CodeInvalidExecutionInput, "Invalid State Machine Execution Input: '%s'", derr.Error())
	}
	if !value.SizeAtMost(in, asl.MaxPayloadBytes) {
		return nil, newError(CodeInvalidExecutionInput, "Invalid State Machine Execution Input: 'the input is larger than %d bytes'", asl.MaxPayloadBytes)
	}
	return in, nil
}

// started is the answer an execution already running gave to its start.
type started struct {
	arn   string
	start time.Time
}

// reserve lists a new Standard execution under its name, before the
// engine starts it. When an execution of that name runs with the same
// input, it returns no execution but that one's answer (StartExecution is
// idempotent); with another input, or when it has ended,
// ExecutionAlreadyExists.
//
// The name is reserved under the machine's lock and the execution started
// outside it: the engine may run the whole execution inside Start (a
// machine of Pass states, handlers that answer at once), and nothing it
// calls (OnDone above all) may find the lock taken.
func (s *Service) reserve(m *machine, name, input string) (*execution, started, *Error) {
	for {
		m.mu.Lock()
		if m.deleted {
			m.mu.Unlock()
			return nil, started{}, errStateMachineDoesNotExist(m.arn)
		}
		old, ok := m.execs[name]
		if !ok {
			e := &execution{m: m, arn: s.ExecutionARN(m.name, name), name: name, input: input, seq: s.seq.Add(1), ready: make(chan struct{})}
			m.execs[name] = e
			m.order = append(m.order, e)
			m.mu.Unlock()
			return e, started{}, nil
		}
		m.mu.Unlock()
		x := old.exec()
		if x == nil {
			continue // its start failed and it is gone: try again
		}
		if old.input == input && !x.Done() {
			return nil, started{old.arn, x.StartTime()}, nil
		}
		return nil, started{}, newError(CodeExecutionAlreadyExists, "Execution Already Exists: '%s'", old.arn)
	}
}

// done counts an ended execution and queues it for forgetting.
func (s *Service) done(e *execution, x *asl.Execution) {
	s.running.Add(-1)
	switch x.Status() {
	case asl.StatusSucceeded:
		s.succeeded.Add(1)
	case asl.StatusFailed:
		s.failed.Add(1)
	case asl.StatusTimedOut:
		s.timedOut.Add(1)
	case asl.StatusAborted:
		s.aborted.Add(1)
	}
	if e != nil {
		s.save(e, x, true)
		s.statusChanged(e, x, x.Status())
	}
	if e != nil && s.opts.MaxFinishedExecutions > 0 {
		s.finMu.Lock()
		s.finished = append(s.finished, e)
		s.finMu.Unlock()
	}
	if s.opts.OnDone != nil {
		s.opts.OnDone(x)
	}
}

// evict forgets the oldest finished executions beyond MaxFinishedExecutions.
func (s *Service) evict() {
	limit := s.opts.MaxFinishedExecutions
	if limit <= 0 {
		return
	}
	s.finMu.Lock()
	n := len(s.finished) - limit
	if n <= 0 {
		s.finMu.Unlock()
		return
	}
	old := append([]*execution(nil), s.finished[:n]...)
	s.finished = append(s.finished[:0], s.finished[n:]...)
	s.finMu.Unlock()
	for _, e := range old {
		e.m.forget(e)
		if s.opts.Store != nil {
			s.forgetStored(e)
		}
	}
}

func (m *machine) forget(e *execution) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e.evicted {
		return
	}
	e.evicted = true
	if m.execs[e.name] == e {
		delete(m.execs, e.name)
	}
	m.evicted++
	if m.evicted > 64 && m.evicted > len(m.order)/2 {
		kept := m.order[:0]
		for _, x := range m.order {
			if !x.evicted {
				kept = append(kept, x)
			}
		}
		clear(m.order[len(kept):])
		m.order = kept
		m.evicted = 0
	}
}

// lookupExecution validates an execution ARN and finds the execution.
func (s *Service) lookupExecution(arn *string) (*execution, run, *Error) {
	var v validation
	v.required("executionArn", arn != nil)
	v.length("executionArn", arn, 1, maxARNLength, false)
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	if a, perr := parseARN(*arn); perr == nil && a.typ == "execution" && len(a.resource) == 2 && strings.Contains(a.resource[0], "/") {
		// A Distributed Map's child: MACHINE/LABEL:NAME.
		if e, x, ok := s.lookupChild(*arn); ok {
			return e, x, nil
		}
		if _, _, ok := s.parentMachine(a); ok {
			return nil, nil, errExecutionDoesNotExist(*arn)
		}
	}
	smARN, err := parseExecutionARN(*arn)
	if err != nil {
		return nil, nil, err
	}
	s.mu.RLock()
	m, ok := s.machines[s.local(smARN)]
	s.mu.RUnlock()
	if !ok {
		return nil, nil, errExecutionDoesNotExist(*arn)
	}
	m.mu.Lock()
	e, ok := m.execs[(*arn)[strings.LastIndexByte(*arn, ':')+1:]]
	m.mu.Unlock()
	if !ok {
		return nil, nil, errExecutionDoesNotExist(*arn)
	}
	x := e.exec()
	if x == nil {
		return nil, nil, errExecutionDoesNotExist(*arn)
	}
	return e, x, nil
}

// Execution returns the engine's execution behind a Standard execution ARN,
// to wait for it or read its events in-process. Errors: InvalidArn,
// ExecutionDoesNotExist.
//
// An execution restored from a store (Options.Store) has no engine
// execution: DescribeExecution and GetExecutionHistory serve it.
func (s *Service) Execution(arn string) (*asl.Execution, error) {
	_, x, err := s.lookupExecution(&arn)
	if err != nil {
		return nil, err
	}
	ax, ok := x.(*asl.Execution)
	if !ok {
		return nil, newError(CodeExecutionDoesNotExist, "Execution %s was restored from the data directory and has no engine execution", arn)
	}
	return ax, nil
}

// ExecutionInfo describes an execution, as DescribeExecution does.
type ExecutionInfo struct {
	ARN             string
	StateMachineARN string
	Name            string
	Status          asl.Status
	Start           time.Time
	// Stop is zero while the execution runs.
	Stop time.Time
	// Input is the input as it was given.
	Input string
	// Output is the output of a SUCCEEDED execution (nil otherwise).
	Output *string
	// Error and Cause are set for FAILED and for ABORTED when
	// StopExecution gave them; AWS shows neither for TIMED_OUT.
	Error string
	Cause string
	// MapRunARN is the Map Run that started a Distributed Map's child
	// execution ("" for any other).
	MapRunARN string
	// RedriveCount is how many times the execution has been redriven, and
	// RedriveDate when last (zero when never).
	RedriveCount int
	RedriveDate  time.Time
}

func (e *execution) info(x run) ExecutionInfo {
	status, out, errName, cause := x.Result()
	in := ExecutionInfo{ARN: e.arn, StateMachineARN: e.m.arn, Name: e.name, Status: status,
		Start: x.StartTime(), Stop: x.StopTime(), Input: e.input}
	if e.child {
		in.StateMachineARN, in.MapRunARN = e.smARN, e.mapRunARN
	}
	in.RedriveCount, in.RedriveDate = redriveCounts(x)
	switch status {
	case asl.StatusSucceeded:
		o := value.MustEncodeString(out)
		in.Output = &o
	case asl.StatusFailed, asl.StatusAborted:
		in.Error, in.Cause = errName, cause
	}
	return in
}

// DescribeExecution describes a Standard execution. Errors: InvalidArn,
// ExecutionDoesNotExist.
func (s *Service) DescribeExecution(arn string) (ExecutionInfo, error) {
	e, x, err := s.lookupExecution(&arn)
	if err != nil {
		return ExecutionInfo{}, err
	}
	return e.info(x), nil
}

// StopExecution aborts a running execution and returns when it stopped.
// Stopping an execution that has already ended changes nothing and returns
// its stop time. Errors: ValidationException, InvalidArn,
// ExecutionDoesNotExist.
func (s *Service) StopExecution(ctx context.Context, arn, errName, cause string) (time.Time, error) {
	req := &stopExecutionRequest{ExecutionArn: &arn}
	if errName != "" {
		req.Error = &errName
	}
	if cause != "" {
		req.Cause = &cause
	}
	t, err := s.stopExecution(ctx, req)
	if err != nil {
		return time.Time{}, err
	}
	return t, nil
}

type stopExecutionRequest struct {
	ExecutionArn *string `json:"executionArn"`
	Error        *string `json:"error"`
	Cause        *string `json:"cause"`
}

func (s *Service) stopExecution(ctx context.Context, req *stopExecutionRequest) (time.Time, *Error) {
	var v validation
	v.required("executionArn", req.ExecutionArn != nil)
	v.length("error", req.Error, 0, 256, true)
	v.length("cause", req.Cause, 0, 32768, true)
	if err := v.err(); err != nil {
		return time.Time{}, err
	}
	_, x, err := s.lookupExecution(req.ExecutionArn)
	if err != nil {
		return time.Time{}, err
	}
	var errName, cause string
	if req.Error != nil {
		errName = *req.Error
	}
	if req.Cause != nil {
		cause = *req.Cause
	}
	if x.Stop(errName, cause) {
		// The abort is posted to the execution's mailbox; it is usually
		// done already, but wait so that a DescribeExecution right after
		// sees ABORTED.
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if werr := x.Wait(wctx); werr != nil {
			return time.Time{}, newError(CodeInternalFailure, "the execution did not stop: %v", werr)
		}
	}
	return x.StopTime(), nil
}

// listExecutions pages through a machine's executions, newest first.
func (s *Service) listExecutions(req *listExecutionsRequest) ([]ExecutionInfo, string, *Error) {
	var v validation
	if req.StateMachineArn == nil && req.MapRunArn == nil {
		v.required("stateMachineArn", false)
	}
	v.length("stateMachineArn", req.StateMachineArn, 1, maxARNLength, false)
	v.rangeOf("maxResults", req.MaxResults, 0, MaxPageSize)
	v.length("nextToken", req.NextToken, 1, MaxTokenLength, false)
	v.enum("statusFilter", req.StatusFilter, "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
	v.enum("redriveFilter", req.RedriveFilter, "REDRIVEN", "NOT_REDRIVEN")
	if err := v.err(); err != nil {
		return nil, "", err
	}
	if req.StateMachineArn != nil && req.MapRunArn != nil {
		return nil, "", newError(CodeValidationException, "Only one of stateMachineArn or mapRunArn may be given")
	}
	if req.MapRunArn != nil {
		return s.listChildren(req)
	}
	m, err := s.lookupMachine(req.StateMachineArn)
	if err != nil {
		return nil, "", err
	}
	if m.typ == TypeExpress {
		return nil, "", newError(CodeStateMachineTypeNotSupported, "This operation is not supported by this type of state machine")
	}
	var filter asl.Status
	if req.StatusFilter != nil {
		filter = asl.Status(*req.StatusFilter)
	}
	redriven := ""
	if req.RedriveFilter != nil {
		redriven = *req.RedriveFilter
	}
	scope := "ListExecutions|" + m.arn + "|" + string(filter) + "|" + redriven
	before, err := decodeToken(req.NextToken, scope)
	if err != nil {
		return nil, "", err
	}
	n := pageSize(req.MaxResults)
	m.mu.Lock()
	i := len(m.order)
	if before > 0 {
		i = sort.Search(len(m.order), func(k int) bool { return m.order[k].seq >= before })
	}
	var out []ExecutionInfo
	var last uint64
	more := false
	for i--; i >= 0; i-- {
		e := m.order[i]
		if e.evicted {
			continue
		}
		x := e.exec()
		if x == nil || filter != "" && x.Status() != filter || !redriveFilter(redriven, x) {
			continue
		}
		if len(out) == n {
			more = true
			break
		}
		out = append(out, e.info(x))
		last = e.seq
	}
	m.mu.Unlock()
	if !more {
		return out, "", nil
	}
	return out, encodeToken(scope, last), nil
}

type listExecutionsRequest struct {
	StateMachineArn *string `json:"stateMachineArn"`
	StatusFilter    *string `json:"statusFilter"`
	MaxResults      *int64  `json:"maxResults"`
	NextToken       *string `json:"nextToken"`
	MapRunArn       *string `json:"mapRunArn"`
	RedriveFilter   *string `json:"redriveFilter"`
}

type getExecutionHistoryRequest struct {
	ExecutionArn         *string `json:"executionArn"`
	MaxResults           *int64  `json:"maxResults"`
	NextToken            *string `json:"nextToken"`
	ReverseOrder         *bool   `json:"reverseOrder"`
	IncludeExecutionData *bool   `json:"includeExecutionData"`
}

// executionHistory returns one page of an execution's events.
func (s *Service) executionHistory(req *getExecutionHistoryRequest) (*execution, []asl.HistoryEvent, string, *Error) {
	var v validation
	v.required("executionArn", req.ExecutionArn != nil)
	v.rangeOf("maxResults", req.MaxResults, 0, MaxPageSize)
	v.length("nextToken", req.NextToken, 1, MaxTokenLength, false)
	if err := v.err(); err != nil {
		return nil, nil, "", err
	}
	e, x, err := s.lookupExecution(req.ExecutionArn)
	if err != nil {
		return nil, nil, "", err
	}
	reverse := req.ReverseOrder != nil && *req.ReverseOrder
	scope := "GetExecutionHistory|" + e.arn
	if reverse {
		scope += "|reverse"
	}
	after, err := decodeToken(req.NextToken, scope)
	if err != nil {
		return nil, nil, "", err
	}
	n := pageSize(req.MaxResults)
	events := x.Events()
	var page []asl.HistoryEvent
	more := false
	if !reverse {
		// Event ids run 1, 2, 3...: the event after id k is at index k.
		start := min(int(after), len(events))
		page = events[start:]
		if len(page) > n {
			page, more = page[:n], true
		}
	} else {
		end := len(events)
		if after > 0 {
			end = min(int(after)-1, len(events))
		}
		for i := end - 1; i >= 0; i-- {
			if len(page) == n {
				more = true
				break
			}
			page = append(page, events[i])
		}
	}
	if !more {
		return e, page, "", nil
	}
	return e, page, encodeToken(scope, uint64(page[len(page)-1].ID)), nil
}

// GetExecutionHistory returns a Standard execution's events: one page of at
// most maxResults (0 means 100), from the token a previous page returned
// ("" for the first). It returns the next page's token, "" after the last.
func (s *Service) GetExecutionHistory(arn string, maxResults int, nextToken string, reverse bool) ([]asl.HistoryEvent, string, error) {
	mr := int64(maxResults)
	req := &getExecutionHistoryRequest{ExecutionArn: &arn, MaxResults: &mr, ReverseOrder: &reverse}
	if nextToken != "" {
		req.NextToken = &nextToken
	}
	_, page, next, err := s.executionHistory(req)
	if err != nil {
		return nil, "", err
	}
	return page, next, nil
}
