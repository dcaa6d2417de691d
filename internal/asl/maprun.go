package asl

import (
	"sync"
	"time"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// MapRunStatus is a Map Run's status, as DescribeMapRun names it.
type MapRunStatus string

// The Map Run statuses.
const (
	MapRunRunning   MapRunStatus = "RUNNING"
	MapRunSucceeded MapRunStatus = "SUCCEEDED"
	MapRunFailed    MapRunStatus = "FAILED"
	MapRunAborted   MapRunStatus = "ABORTED"
)

// MapRunCounts counts a Map Run's items or child executions by status, as
// DescribeMapRun's itemCounts and executionCounts do.
type MapRunCounts struct {
	Pending, Running, Succeeded, Failed, TimedOut, Aborted, Total, ResultsWritten int64
	// PendingRedrive counts those that did not succeed and wait to run
	// again in a redrive of the Map Run.
	PendingRedrive int64
}

// MapRun is one run of a Distributed Map state: the child executions it
// started and the settings they ran under. It is safe for concurrent use.
type MapRun struct {
	arn          string
	executionARN string
	machineARN   string // the parent's state machine
	childMachine string // the children's: parent/label
	express      bool
	start        time.Time

	mu             sync.Mutex
	status         MapRunStatus
	stop           time.Time
	maxConcurrency int
	tolPercent     float64
	tolCount       int64
	items, execs   MapRunCounts
	children       []*Execution
	// hasCount and hasPercent say whether a tolerance was set (in the
	// definition or by Update); updated, when set, tells the running Map
	// Run that Update changed its settings.
	hasCount, hasPercent bool
	updated              func()
	// redriveCount and redriveDate say how many times a redrive of the
	// parent execution redrove the Map Run, and when last.
	redriveCount int
	redriveDate  time.Time
	// What a redrive needs, kept once the Map Run has ended unsuccessful
	// (saved is then true): the inputs of the children not started or
	// that could not start (nil for the others, whose executions keep
	// theirs), how many items each child processes, how many children
	// were launched, and where the ResultWriter writes.
	saved          bool
	inputs         []any
	itemsOf        []int
	launched       int
	bucket, prefix string
}

// ARN returns the Map Run's ARN.
func (r *MapRun) ARN() string { return r.arn }

// ExecutionARN returns the ARN of the execution that started the Map Run.
func (r *MapRun) ExecutionARN() string { return r.executionARN }

// StateMachineARN returns the ARN of that execution's state machine.
func (r *MapRun) StateMachineARN() string { return r.machineARN }

// ChildStateMachineARN returns the labelled ARN its child executions run
// under: arn:...:stateMachine:NAME/LABEL.
func (r *MapRun) ChildStateMachineARN() string { return r.childMachine }

// Express reports whether the child executions are Express ones.
func (r *MapRun) Express() bool { return r.express }

// StartDate returns when the Map Run started.
func (r *MapRun) StartDate() time.Time { return r.start }

// Describe returns the Map Run's status, stop date (zero while it runs),
// settings and counts, all read at once.
func (r *MapRun) Describe() MapRunInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return MapRunInfo{
		Status: r.status, Stop: r.stop, MaxConcurrency: r.maxConcurrency,
		ToleratedFailurePercentage: r.tolPercent, ToleratedFailureCount: r.tolCount,
		Items: r.items, Executions: r.execs,
		RedriveCount: r.redriveCount, RedriveDate: r.redriveDate,
	}
}

// Update changes a running Map Run's settings, as UpdateMapRun does: the
// child executions it runs at once (0: as many as Step Functions allows)
// and the failures it tolerates. A nil setting is left as it is. A Map Run
// that has ended keeps its settings.
func (r *MapRun) Update(maxConcurrency *int, toleratedFailureCount *int64, toleratedFailurePercentage *float64) {
	r.mu.Lock()
	if r.status != MapRunRunning {
		r.mu.Unlock()
		return
	}
	if maxConcurrency != nil {
		r.maxConcurrency = *maxConcurrency
		if r.maxConcurrency <= 0 || r.maxConcurrency > DefaultDistributedConcurrency {
			r.maxConcurrency = DefaultDistributedConcurrency
		}
	}
	if toleratedFailureCount != nil {
		r.tolCount, r.hasCount = *toleratedFailureCount, true
	}
	if toleratedFailurePercentage != nil {
		r.tolPercent, r.hasPercent = *toleratedFailurePercentage, true
	}
	updated := r.updated
	r.mu.Unlock()
	if updated != nil {
		updated()
	}
}

// MapRunInfo is what DescribeMapRun says of a Map Run besides its ARNs.
type MapRunInfo struct {
	Status                     MapRunStatus
	Stop                       time.Time
	MaxConcurrency             int
	ToleratedFailurePercentage float64
	ToleratedFailureCount      int64
	Items, Executions          MapRunCounts
	// RedriveCount is how many times the Map Run was redriven, and
	// RedriveDate when last (zero when never).
	RedriveCount int
	RedriveDate  time.Time
}

// Children returns the child executions started so far, in item order.
func (r *MapRun) Children() []*Execution {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Execution, 0, len(r.children))
	for _, c := range r.children {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

// MapRuns returns the Map Runs the execution's Distributed Map states have
// started, oldest first.
func (x *Execution) MapRuns() []*MapRun {
	x.mu.lock()
	defer x.mu.unlock()
	return append([]*MapRun(nil), x.mapRuns...)
}

// MapRun returns the Map Run that started this execution, or nil for an
// execution that is no Map Run's child.
func (x *Execution) MapRun() *MapRun { return x.parentRun }

// InputJSON returns the execution input encoded as JSON.
func (x *Execution) InputJSON() (string, error) {
	b, err := value.Encode(x.input)
	return string(b), err
}

// ReadsItems reports whether the state is a Distributed Map with an
// ItemReader, which a mock config may answer under the state's name.
func (s *State) ReadsItems() bool { return s.dist != nil && s.dist.reader != nil }

// Distributed reports whether the state is a Map in DISTRIBUTED mode.
func (s *State) Distributed() bool { return s.dist != nil }
