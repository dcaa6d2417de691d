package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/yafdp/yafdp/internal/input"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/local/eventsapi"
	"github.com/yafdp/yafdp/internal/local/logsapi"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
	"github.com/yafdp/yafdp/internal/local/sqsapi"
	"github.com/yafdp/yafdp/internal/local/store"
	"github.com/yafdp/yafdp/internal/mockconfig"
	"github.com/yafdp/yafdp/internal/queue"
	"github.com/yafdp/yafdp/internal/saga"
)

// The pipeline's resources, created at start.
const (
	OrdersQueue = "orders"
	DLQ         = "orders-dlq"
	// DefaultAddr is where local up listens: loopback only, LocalStack's port.
	DefaultAddr = "127.0.0.1:4566"
	// Account is the account id in every ARN and queue URL, as LocalStack.
	Account = "000000000000"
)

// Options configure the server.
type Options struct {
	// Addr is host:port to listen on; DefaultAddr when empty.
	Addr string
	// Region fills ARNs; us-east-1 when empty.
	Region string
	// Fakes configure the fake services (faults, latencies, payment quota).
	Fakes saga.FakeConfig
	// Seed makes the fakes' faults and the retries' jitter reproducible.
	Seed uint64
	// Definition replaces the built-in saga (an ASL document).
	Definition []byte
	// VisibilityTimeout and MaxReceiveCount are the orders queue's (30 s and
	// 3, the pipeline's settings).
	VisibilityTimeout time.Duration
	MaxReceiveCount   int
	// Consumer configures the new-order function.
	Consumer ConsumerOptions
	// MaxFinishedExecutions caps the finished executions kept (0: all).
	MaxFinishedExecutions int
	// DataDir, when set, keeps queues, messages, state machines and
	// executions with their histories in a bbolt file there, across
	// restarts; empty keeps everything in memory.
	DataDir string
	// DrainTimeout is how long Shutdown lets running executions finish
	// before it aborts them; 0 aborts them at once.
	DrainTimeout time.Duration
	// Mock, when set, is a mock config in the Step Functions Local format:
	// StartExecution on "<stateMachineArn>#<TestCase>" answers the Tasks of
	// that execution from the test case.
	Mock *mockconfig.Config
	// S3Dir, when set, stands in for Amazon S3 for Distributed Map states:
	// an ItemReader reads s3://BUCKET/KEY from S3Dir/BUCKET/KEY and a
	// ResultWriter writes there.
	S3Dir string
	// DuplicateEvents, when positive, makes the event bus deliver every
	// Nth event twice, as EventBridge's at-least-once delivery may: for
	// testing that consumers deduplicate.
	DuplicateEvents int
	// StartQuota throttles StartExecution of Standard machines for every
	// caller (the new-order function, the aws CLI, the SDKs), as AWS's
	// account quota does. Zero is AWS's (sfnapi.AWSStartQuota);
	// sfnapi.NoStartQuota turns it off.
	StartQuota sfnapi.StartQuota
}

// NewOrderFunction is the name local up's new-order function goes by: it
// writes its log to NewOrderLogGroup, as a Lambda function does.
const (
	NewOrderFunction = "new-order"
	NewOrderLogGroup = "/aws/lambda/" + NewOrderFunction
	// NewOrderLogEvents and NewOrderLogBytes bound the function's log
	// group, above the other groups' bounds: a 5 s burst at 20,000
	// orders/s over AWS's quota writes about 250,000 lines (each order
	// throttled on each of its deliveries), each about 300 bytes of
	// memory, and yafdp load counts them all.
	NewOrderLogEvents = 1_000_000
	NewOrderLogBytes  = 256 << 20
)

// startQuota is the quota o asks for: AWS's when it asks for none.
func (o *Options) startQuota() sfnapi.StartQuota {
	if o.StartQuota == (sfnapi.StartQuota{}) {
		return sfnapi.AWSStartQuota
	}
	return o.StartQuota
}

// What Shutdown stops the executions still running after DrainTimeout
// with: they end ABORTED with this error and cause.
const (
	ShutdownError = "LocalUpShutdown"
	ShutdownCause = "yafdp local up was shut down while this execution was running, and it did not finish within the drain timeout."
)

// LockTimeout is how long Start waits for a data directory that another
// process holds.
const LockTimeout = time.Second

// Server is a running pipeline.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:PORT.
	URL string
	// OrdersURL and DLQURL are the queues' URLs; StateMachineARN the saga's.
	OrdersURL       string
	DLQURL          string
	StateMachineARN string

	Broker *queue.Broker
	SFN    *sfnapi.Service
	Fakes  *saga.Fakes
	// Logs is CloudWatch Logs: the log groups state machines with a
	// LoggingConfiguration write their executions' events to.
	Logs *logsapi.Store
	// Events is the default event bus: its rules deliver Step Functions'
	// execution status changes to SQS queues.
	Events *eventsapi.Bus
	// StartQuota is StartExecution's quota in force.
	StartQuota sfnapi.StartQuota

	// Restored says what a data directory brought back at start.
	Restored Restored

	orders   *queue.Queue
	dlq      *queue.Queue
	db       *store.DB
	drain    time.Duration
	consumer *consumer
	http     *http.Server
	listener net.Listener
	served   chan error
	closeMu  sync.Once
}

// Start listens, creates the pipeline's queues and state machine, and
// starts the new-order consumer. It returns once the endpoint accepts
// requests.
func Start(ctx context.Context, opts Options) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	region := opts.Region
	if region == "" {
		region = "us-east-1"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, input.Errorf("addr", "listen on %s: %v", addr, err).WithFix("is another local up or LocalStack running? choose another %s", input.Field("addr"))
		}
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	url := "http://" + ln.Addr().String()
	clk := clock.Real{}

	s := &Server{URL: url, listener: ln, served: make(chan error, 1), drain: opts.DrainTimeout}
	qopts := queue.Options{Clock: clk, Region: region, AccountID: Account, BaseURL: url}
	s.StartQuota = opts.startQuota()
	sopts := sfnapi.Options{Region: region, Account: Account, Clock: clk, MaxFinishedExecutions: opts.MaxFinishedExecutions, Mock: opts.Mock,
		StartQuota: s.StartQuota}
	if opts.DataDir != "" {
		if s.db, err = openDataDir(opts.DataDir); err != nil {
			ln.Close()
			return nil, err
		}
		qopts.Store, sopts.Store = s.db.Queues(), s.db.SFN()
	}
	s.Broker = queue.New(qopts)
	s.Logs = logsapi.New(clk, region, Account)
	sopts.Logs = s.Logs
	s.Events = eventsapi.New(eventsapi.Options{Region: region, Account: Account, Queues: s.Broker, DuplicateEvery: opts.DuplicateEvents})
	sopts.Events = sfnEvents{s.Events}
	s.Fakes = saga.NewFakes(opts.Fakes, clk, opts.Seed)
	sopts.Seed, sopts.Fake = opts.Seed, s.Fakes.Fake
	// A .waitForTaskToken Task that nothing answers waits for
	// SendTaskSuccess or SendTaskFailure, which the API serves.
	engine := &asl.Engine{Clock: clk, Resources: s.Fakes.Resources(), Region: region, Account: Account, Seed: opts.Seed, Callbacks: true}
	if opts.S3Dir != "" {
		engine.Objects = asl.DirStore{Dir: opts.S3Dir}
	}
	s.SFN = sfnapi.New(engine, sopts)

	fail := func(err error) (*Server, error) {
		ln.Close()
		s.SFN.Close()
		s.Events.Close()
		s.Broker.Close()
		if s.db != nil {
			s.db.Close()
		}
		return nil, err
	}
	if s.db != nil {
		if err := s.restore(); err != nil {
			return fail(input.Errorf("data_dir", "%s: %v", opts.DataDir, err).WithFix("move the directory away or choose another %s", input.Field("data_dir")))
		}
	}
	if err := s.createPipeline(opts); err != nil {
		return fail(err)
	}

	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { s.served <- s.http.Serve(ln) }()

	if err := createLogGroup(s.Logs); err != nil {
		return fail(err)
	}
	s.consumer = newConsumer(s.orders, sfnStarter{s.SFN}, s.StateMachineARN, clk, opts.Consumer)
	s.consumer.log = logSink{store: s.Logs, group: NewOrderLogGroup}
	s.consumer.run(context.WithoutCancel(ctx))
	return s, nil
}

// createLogGroup creates the new-order function's log group with its
// bounds; one that exists keeps its events.
func createLogGroup(logs *logsapi.Store) error {
	if err := logs.CreateGroup(NewOrderLogGroup); err != nil && err.Code != logsapi.CodeResourceAlreadyExists {
		return err
	}
	if err := logs.SetGroupLimits(NewOrderLogGroup, NewOrderLogEvents, NewOrderLogBytes); err != nil {
		return err
	}
	return nil
}

// Restored counts what a data directory brought back.
type Restored struct {
	Queues, Messages, StateMachines, Executions int
	// Aborted is how many executions were running when the server
	// stopped, and were ended ABORTED at this start.
	Aborted int
}

// openDataDir opens the store and words its errors for the setting.
func openDataDir(dir string) (*store.DB, error) {
	db, err := store.Open(dir, LockTimeout)
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, store.ErrLocked):
		return nil, input.Errorf("data_dir", "%s is in use by another yafdp local up", dir).WithFix("stop it, or choose another %s", input.Field("data_dir"))
	case errors.Is(err, fs.ErrPermission):
		return nil, input.Errorf("data_dir", "%s: permission denied", dir).WithFix("choose a directory you can write")
	}
	return nil, input.Errorf("data_dir", "%s: %v", dir, err).WithFix("give a directory; it is created when missing")
}

func (s *Server) restore() error {
	st, err := s.db.Queues().LoadQueues()
	if err != nil {
		return err
	}
	if err := s.Broker.Restore(st); err != nil {
		return err
	}
	s.Restored.Queues = len(st.Queues)
	for _, q := range st.Queues {
		s.Restored.Messages += len(q.Messages)
	}
	if s.Restored.Aborted, err = s.SFN.Restore(); err != nil {
		return err
	}
	st2 := s.SFN.Counts()
	s.Restored.StateMachines, s.Restored.Executions = st2.StateMachines, st2.Executions
	return nil
}

func (s *Server) createPipeline(opts Options) error {
	vis := opts.VisibilityTimeout
	if vis <= 0 {
		vis = 30 * time.Second
	}
	maxRecv := opts.MaxReceiveCount
	if maxRecv <= 0 {
		maxRecv = 3
	}
	dlq, err := s.ensureQueue(DLQ, map[string]string{queue.AttrMessageRetentionPeriod: strconv.Itoa(14 * 24 * 3600)})
	if err != nil {
		return err
	}
	orders, err := s.ensureQueue(OrdersQueue, map[string]string{
		queue.AttrVisibilityTimeout: strconv.Itoa(int(vis / time.Second)),
		queue.AttrRedrivePolicy:     fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":%d}`, dlq.ARN(), maxRecv),
	})
	if err != nil {
		return err
	}
	s.orders, s.dlq = orders, dlq
	s.OrdersURL, s.DLQURL = orders.URL(), dlq.URL()

	def := opts.Definition
	if def == nil {
		def = saga.Definition
	}
	sm, err := s.SFN.CreateStateMachine(sfnapi.StateMachineSpec{
		Name:       saga.StateMachineName,
		Definition: string(def),
		RoleARN:    "arn:aws:iam::" + Account + ":role/yafdp-saga",
	})
	if errors.Is(err, sfnapi.ErrStateMachineAlreadyExists) {
		return input.Errorf("data_dir", "holds the %s state machine with another definition", saga.StateMachineName).
			WithFix("start with the same %s, or choose another %s", input.Field("definition"), input.Field("data_dir"))
	}
	if err != nil {
		return fmt.Errorf("create the saga state machine: %w", err)
	}
	s.StateMachineARN = sm.ARN
	return nil
}

// ensureQueue creates a pipeline queue, or on a restart finds it and gives
// it the attributes of this start (the visibility timeout and the
// maxReceiveCount may have changed).
func (s *Server) ensureQueue(name string, attrs map[string]string) (*queue.Queue, error) {
	q, err := s.Broker.CreateQueue(name, attrs, nil)
	if !errors.Is(err, queue.ErrQueueAlreadyExists) {
		return q, err
	}
	if q, err = s.Broker.Queue(name); err != nil {
		return nil, err
	}
	return q, q.SetAttributes(attrs)
}

// routes sends each request to the service its X-Amz-Target names. A GET
// without a target answers with the server's status, for people and
// health checks.
func (s *Server) routes() http.Handler {
	sqsH := sqsapi.NewHandler(s.Broker)
	sfnH := s.SFN.Handler()
	logsH := s.Logs.Handler()
	eventsH := s.Events.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		switch {
		case strings.HasPrefix(target, "AmazonSQS."):
			sqsH.ServeHTTP(w, r)
		case strings.HasPrefix(target, "AWSStepFunctions."):
			sfnH.ServeHTTP(w, r)
		case strings.HasPrefix(target, logsapi.TargetPrefix):
			logsH.ServeHTTP(w, r)
		case strings.HasPrefix(target, eventsapi.TargetPrefix):
			eventsH.ServeHTTP(w, r)
		case target == "" && r.Method == http.MethodGet:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(s.Status())
		default:
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			msg := fmt.Sprintf("yafdp local up serves SQS (X-Amz-Target AmazonSQS.*) and Step Functions (AWSStepFunctions.*) over the AWS JSON 1.0 protocol, and EventBridge (AWSEvents.*) and CloudWatch Logs (Logs_20140328.*) over AWS JSON 1.1, not %q", target)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": "UnknownOperationException", "message": msg})
		}
	})
}

// Status is a snapshot of the pipeline.
type Status struct {
	Endpoint        string `json:"endpoint"`
	OrdersVisible   int    `json:"ordersVisible"`
	OrdersInFlight  int    `json:"ordersInFlight"`
	DLQVisible      int    `json:"dlqVisible"`
	SagasRunning    int64  `json:"sagasRunning"`
	SagasSucceeded  int64  `json:"sagasSucceeded"`
	SagasFailed     int64  `json:"sagasFailed"`
	SagasTimedOut   int64  `json:"sagasTimedOut"`
	SagasAborted    int64  `json:"sagasAborted"`
	OrdersStarted   int64  `json:"ordersStarted"`
	OrdersPoisoned  int64  `json:"deliveriesFailed"`
	ConsumerBatches int64  `json:"consumerBatches"`
	// StartThrottles counts the StartExecution calls the quota refused,
	// from any caller; the new-order function's are in its log too.
	StartThrottles int64 `json:"startThrottles"`
}

// Status reports queue depths and saga counts.
func (s *Server) Status() Status {
	o, d := s.orders.Stats(), s.dlq.Stats()
	st := s.SFN.Stats()
	return Status{
		Endpoint:       s.URL,
		OrdersVisible:  o.Visible,
		OrdersInFlight: o.InFlight,
		DLQVisible:     d.Visible + d.InFlight,
		SagasRunning:   st.Running, SagasSucceeded: st.Succeeded, SagasFailed: st.Failed,
		SagasTimedOut: st.TimedOut, SagasAborted: st.Aborted,
		OrdersStarted:   s.consumer.started.Load(),
		OrdersPoisoned:  s.consumer.failed.Load(),
		ConsumerBatches: s.consumer.batches.Load(),
		StartThrottles:  st.StartThrottles,
	}
}

// Shutdown stops the consumer (its batches in progress finish), then the
// HTTP server (requests in progress finish, within ctx), then lets running
// executions finish for DrainTimeout and aborts the rest, and last writes
// what is pending to the data directory and closes it.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.closeMu.Do(func() {
		s.consumer.stop()
		err = s.http.Shutdown(ctx)
		if s.drain > 0 {
			dctx, cancel := context.WithTimeout(ctx, s.drain)
			s.SFN.Drain(dctx)
			cancel()
		}
		s.SFN.StopRunning(ShutdownError, ShutdownCause)
		s.SFN.Close()
		// Aborts are posted to each execution: wait a little for them to
		// end, so that their ends are saved.
		actx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s.SFN.Drain(actx)
		cancel()
		s.Events.Close()
		s.Broker.Close()
		if s.db != nil {
			err = errors.Join(err, s.db.Close())
		}
		if serr := <-s.served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
	})
	return err
}

// Draining reports how many executions are still running (for a shutdown
// message).
func (s *Server) Draining() int64 { return s.SFN.Stats().Running }

// sfnStarter is the new-order function's StartExecution, in process. Its
// errors read as the AWS SDK for Go v2 words them (StartError).
type sfnStarter struct{ svc *sfnapi.Service }

func (s sfnStarter) StartExecution(ctx context.Context, arn, name, input string) error {
	_, _, err := s.svc.StartExecution(ctx, arn, name, input)
	if errors.Is(err, sfnapi.ErrExecutionAlreadyExists) {
		return ErrExecutionExists
	}
	var e *sfnapi.Error
	if errors.As(err, &e) {
		return newStartError(e)
	}
	return err
}
