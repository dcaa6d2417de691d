package asl

import (
	"time"

	"github.com/yafdp/yafdp/internal/asl/integration"
	"github.com/yafdp/yafdp/internal/asl/intrinsic"
	"github.com/yafdp/yafdp/internal/asl/jsonpath"
)

// StateType is the Type of a state.
type StateType uint8

// The state types.
const (
	TypeTask StateType = iota + 1
	TypePass
	TypeChoice
	TypeWait
	TypeSucceed
	TypeFail
	TypeParallel
	TypeMap
)

var typeNames = map[string]StateType{
	"Task": TypeTask, "Pass": TypePass, "Choice": TypeChoice, "Wait": TypeWait,
	"Succeed": TypeSucceed, "Fail": TypeFail, "Parallel": TypeParallel, "Map": TypeMap,
}

// String returns the name used in the Type field.
func (t StateType) String() string {
	for n, v := range typeNames {
		if v == t {
			return n
		}
	}
	return "Unknown"
}

// StateMachine is a parsed and validated ASL document, or one branch of a
// Parallel state, or the item processor of a Map state.
type StateMachine struct {
	Comment        string
	StartAt        string
	TimeoutSeconds int64
	// States by name; Names lists them in document order.
	States map[string]*State
	Names  []string

	start  *State
	source []byte
	// readsContext: some string of the document mentions "$$", or a
	// JSONata expression reads $states.context, so a state may read the
	// context object and the execution input with it.
	readsContext bool
	// assigns: a state of this machine (not of its branches) has an
	// Assign, so a frame running it may need a scope of its own.
	assigns bool
	// usesVars: the document assigns variables somewhere; varCount is how
	// many names it assigns, room enough for any scope.
	usesVars bool
	varCount int
}

// Source returns the document the machine was parsed from (nil for branches).
func (m *StateMachine) Source() []byte { return m.source }

// Start returns the StartAt state.
func (m *StateMachine) Start() *State { return m.start }

// State is one compiled state.
type State struct {
	Name    string
	Type    StateType
	Comment string
	Next    string
	End     bool
	hasNext bool
	next    *State

	// jsonata: the state's query language is JSONata. Its fields are then
	// Arguments, Output, Assign and the JSONata forms below, and none of
	// the JSONPath paths and templates.
	jsonata   bool
	assign    *assign // Assign, in either language
	output    *jfield // Output
	arguments *jfield // Arguments (Task, Parallel)
	// jctx: some JSONata field of the state reads $states.context.
	jctx bool

	inputPath  optPath
	outputPath optPath
	resultPath optPath
	parameters *template
	selector   *template // ResultSelector
	result     any       // Pass: Result
	hasResult  bool
	// reuseInput: the state hands on nothing that holds its input itself, so
	// when its frame owns the input (frame.owned) ResultPath sets the field
	// in it in place rather than in a copy. See mayReuseInput.
	reuseInput bool

	// Task
	Resource         string
	integ            integration.Resource
	lambda           bool // a Lambda function ARN: LambdaFunction* events
	heartbeatPath    *jsonpath.Path
	credentials      *credentials
	timeout          time.Duration
	timeoutPath      *jsonpath.Path
	heartbeat        time.Duration
	Retry            []*Retrier
	Catch            []*Catcher
	resultSizeStatic int     // encoded size of a Pass Result, checked at parse time
	timeoutJ         *jfield // TimeoutSeconds as a JSONata expression
	heartbeatJ       *jfield // HeartbeatSeconds as a JSONata expression

	// Choice
	choices     []*ChoiceRule
	Default     string
	hasDefault  bool
	defaultNext *State

	// Wait
	waitSeconds       int64
	hasWaitSeconds    bool
	waitTimestamp     time.Time
	hasWaitTimestamp  bool
	waitSecondsPath   *jsonpath.Path
	waitTimestampPath *jsonpath.Path
	waitSecondsJ      *jfield // Seconds as a JSONata expression
	waitTimestampJ    *jfield // Timestamp as a JSONata expression

	// Fail
	errorName string
	cause     string
	errorDyn  *dynString
	causeDyn  *dynString
	errorJ    *jfield // Error as a JSONata expression
	causeJ    *jfield // Cause as a JSONata expression

	// Parallel
	Branches []*StateMachine

	// Map
	itemsPath          optPath
	itemSelector       *template
	Processor          *StateMachine
	maxConcurrency     int64
	maxConcurrencyPath *jsonpath.Path
	legacyIterator     bool
	items              *jfield // Items (JSONata)
	itemSelectorJ      *jfield // ItemSelector (JSONata)
	maxConcurrencyJ    *jfield // MaxConcurrency as a JSONata expression
	// tolerated holds ToleratedFailureCount and ToleratedFailurePercentage
	// of a JSONata Map. Their expressions are evaluated with the items; the
	// tolerance itself is a Distributed Map's (dist), so an inline Map fails
	// on its first failed iteration.
	tolerated []tolerance
	// dist holds what a Distributed Map has besides an inline one; nil for
	// an inline Map.
	dist *distributed
}

// tolerance is a ToleratedFailure field: a literal or an expression.
type tolerance struct {
	field string
	j     *jfield
	lit   any
}

// Retrier is one element of a Retry field.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds float64
	MaxAttempts     int
	BackoffRate     float64
	MaxDelaySeconds float64 // 0: no cap
	JitterFull      bool
}

// Delay returns the back-off before retry number attempt (1-based) without
// jitter: IntervalSeconds × BackoffRate^(attempt−1), capped by MaxDelaySeconds.
func (r *Retrier) Delay(attempt int) time.Duration {
	d := r.IntervalSeconds
	for i := 1; i < attempt; i++ {
		d *= r.BackoffRate
		if r.MaxDelaySeconds > 0 && d >= r.MaxDelaySeconds {
			break
		}
	}
	if r.MaxDelaySeconds > 0 && d > r.MaxDelaySeconds {
		d = r.MaxDelaySeconds
	}
	return time.Duration(d * float64(time.Second))
}

// Catcher is one element of a Catch field.
type Catcher struct {
	ErrorEquals []string
	Next        string
	resultPath  optPath
	next        *State
	assign      *assign
	output      *jfield // JSONata: Output
}

// optPath is an InputPath, OutputPath, ResultPath or ItemsPath: absent (the
// default "$"), null, or a path.
type optPath struct {
	set  bool
	null bool
	path *jsonpath.Path
}

func (o optPath) isDefault() bool {
	return !o.set || (o.path != nil && o.path.IsRoot() && !o.path.IsContext())
}

// dynString is a Fail state's ErrorPath or CausePath: a path or an intrinsic.
type dynString struct {
	field string
	src   string
	path  *jsonpath.Path
	fn    *intrinsic.Func
}

// template is a compiled payload template (Parameters, ResultSelector,
// ItemSelector) with what it needs at run time, so the context object and
// the random source are only built for templates that use them.
type template struct {
	t       *intrinsic.Template
	usesCtx bool
	usesRnd bool
}
