package redrive

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/filter"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/rate"
)

// Strategies.
const (
	// StrategyAuto uses native where the endpoint supports it and nothing
	// asks for what only copy can do (a filter, a maximum, a dry run).
	StrategyAuto = "auto"
	// StrategyNative is SQS's own StartMessageMoveTask.
	StrategyNative = "native"
	// StrategyCopy receives, sends and deletes, with a journal.
	StrategyCopy = "copy"
)

// Strategies lists the strategies in the order help shows them.
var Strategies = []string{StrategyAuto, StrategyNative, StrategyCopy}

// MaxNativeRate is the fastest StartMessageMoveTask moves: 500 messages/s.
const MaxNativeRate = 500

// FIFODeduplicationWindow is how long a FIFO queue drops a message whose
// deduplication id it has already seen.
const FIFODeduplicationWindow = 5 * time.Minute

// Options are the inputs of Redrive.
type Options struct {
	// Source is the dead-letter queue.
	Source awsops.Queue
	// Target is where messages go; nil sends each message back to the
	// queue it came from (its DeadLetterQueueSourceArn, or the DLQ's only
	// source queue).
	Target   *awsops.Queue
	Strategy string
	// Max stops after this many messages moved (0: all). Copy only.
	Max int
	// Rate paces the moves; zero means no limit (native: 500/s at most).
	Rate rate.Rate
	// Filter moves only matching messages; the others stay. Copy only.
	Filter *filter.Filter
	// DryRun lists what would move and moves nothing. Copy only.
	DryRun bool
	// Journal records a copy run; required for copy unless DryRun.
	Journal Journal
	// Workers is the number of receive loops (default 4; 1 with Max).
	Workers int
	// Visibility is how long a message the run holds (being moved,
	// skipped by the filter, failed, listed by a dry run) stays hidden at
	// a time (default 30s). The run extends it every third of that while
	// it holds the message (a heartbeat), and makes held messages visible
	// again when it ends; a run that is killed leaves them hidden for at
	// most this long.
	Visibility time.Duration
	// Heartbeat is how often held messages are hidden again (default a
	// third of Visibility).
	Heartbeat time.Duration
	// Waiting is told, when the queue looks empty but holds messages in
	// flight that this run does not hold, how many: another run holds
	// them, or one that was stopped, until their visibility runs out.
	Waiting func(inFlight int64)
	// Wait is the long-poll time of each receive (default 5s; negative:
	// none).
	Wait time.Duration
	// EmptyReceives is how many empty receives in a row, with the queue's
	// depth and in-flight count at zero, end the run (default 3).
	EmptyReceives int
	// MaxAttempts bounds the sends of one message (default 8).
	MaxAttempts int
	// PollInterval is how often native progress is read (default 2s).
	PollInterval time.Duration
	Sleep        awsops.Sleeper
	Now          func() time.Time
	// Progress is told the counts as they change.
	Progress func(Progress)
}

// Progress are the running counts of a redrive.
type Progress struct {
	Moved   int
	Skipped int
	Failed  int
	// NotAttempted counts messages the run stopped before sending.
	NotAttempted int
	// Total is the DLQ's depth when the run started (approximate).
	Total int64
}

// Failure is a message that was not moved, and why. It stays in the
// dead-letter queue.
type Failure struct {
	MessageID string        `json:"messageId"`
	Reason    input.Message `json:"reason"`
}

// PlannedMove is a message a dry run would move.
type PlannedMove struct {
	MessageID    string `json:"messageId"`
	Target       string `json:"target"`
	ReceiveCount int    `json:"receiveCount"`
	Bytes        int    `json:"bytes"`
}

// NativeTask is a StartMessageMoveTask run.
type NativeTask struct {
	TaskHandle    string `json:"taskHandle"`
	Status        string `json:"status"`
	Moved         int64  `json:"moved"`
	ToMove        int64  `json:"toMove"`
	FailureReason string `json:"failureReason,omitempty"`
	Cancelled     bool   `json:"cancelled"`
}

// Result is what a redrive did.
type Result struct {
	Strategy string   `json:"strategy"`
	Source   string   `json:"source"`
	Targets  []string `json:"targets"`
	DryRun   bool     `json:"dryRun"`
	Moved    int      `json:"moved"`
	Skipped  int      `json:"skippedByFilter"`
	Failed   int      `json:"failed"`
	// NotAttempted counts messages the run meant to send but stopped
	// before it tried (Ctrl-C): they stay in the DLQ, and the next run
	// moves them as any other.
	NotAttempted int `json:"notAttempted"`
	// AlreadyMoved counts messages an earlier run had sent (per the
	// journal) and that were only deleted now.
	AlreadyMoved int `json:"alreadyMoved"`
	// PossibleDuplicates counts messages sent again because an earlier run
	// stopped while their send was in flight (killed, or a call cut short
	// or unanswered): that send may have reached the target, which may
	// then hold two. A message the journal records as sent, or as never
	// sent, is never sent again.
	PossibleDuplicates int `json:"possibleDuplicates"`
	// ArrivedDuringRun counts messages left in the DLQ because they were
	// sent after the run started: a copy this run made that failed again
	// (a consumer still broken), or a newer message. Like a native move
	// task, a copy run moves only what was there when it began, so that it
	// ends instead of moving the same messages round and round.
	ArrivedDuringRun int             `json:"arrivedDuringRun"`
	Failures         []Failure       `json:"failures"`
	Planned          []PlannedMove   `json:"planned,omitempty"`
	Native           *NativeTask     `json:"nativeTask,omitempty"`
	Notes            []input.Message `json:"notes,omitempty"`
	Interrupted      bool            `json:"interrupted"`
	Journal          string          `json:"journal,omitempty"`
	DepthBefore      int64           `json:"depthBefore"`
}

// copyOnly names the first option set that only the copy strategy
// supports, or "".
func (o *Options) copyOnly() input.Field {
	switch {
	case o.Filter != nil:
		return "filter"
	case o.Max > 0:
		return "max"
	case o.DryRun:
		return "dry_run"
	}
	return ""
}

// useCopy is the fix when native redrive cannot do what was asked.
var useCopy = input.Msg("use %s copy or auto", input.Field("strategy"))

// Check checks the options that need no AWS call.
func Check(o *Options) error {
	switch o.Strategy {
	case StrategyAuto, StrategyNative, StrategyCopy:
	default:
		return input.Errorf("strategy", "%q is not a strategy", o.Strategy).WithFix("use auto, native or copy")
	}
	if o.Strategy == StrategyNative {
		if f := o.copyOnly(); f != "" {
			return input.Errorf("strategy", "native (StartMessageMoveTask) cannot do %s", f).WithFix("%s", useCopy)
		}
		if o.Rate.PerSecond() > MaxNativeRate {
			return input.Errorf("rate", "StartMessageMoveTask moves at most %d messages/s", MaxNativeRate).
				WithFix("lower %s or use %s copy", input.Field("rate"), input.Field("strategy"))
		}
	}
	if o.Max < 0 {
		return input.Errorf("max", "must be 0 (all) or more, not %d", o.Max)
	}
	if o.Target != nil && o.Target.URL == o.Source.URL {
		return input.Errorf("target", "is the dead-letter queue itself").WithFix("give the queue to move messages to")
	}
	return nil
}

// Redrive moves messages from a dead-letter queue back to their source
// queue (or opts.Target) with the chosen strategy, and reports what moved,
// what was skipped and what failed, with why. A cancelled ctx stops it
// cleanly: calls in flight finish, held messages are made visible again,
// and the result says Interrupted.
func Redrive(ctx context.Context, c awsops.SQSAPI, opts Options) (*Result, error) {
	if err := Check(&opts); err != nil {
		return nil, err
	}
	st, err := awsops.Stats(ctx, c, "queue", opts.Source.URL)
	if err != nil {
		return nil, err
	}
	res := &Result{Strategy: opts.Strategy, Source: opts.Source.Name, DryRun: opts.DryRun, Failures: []Failure{}, DepthBefore: st.Visible}
	if opts.Strategy == StrategyAuto {
		if err := chooseStrategy(ctx, c, &opts, st, res); err != nil {
			return nil, err
		}
	}
	if res.Strategy == StrategyNative {
		dest, why, err := nativeCheck(ctx, c, &opts, res)
		switch {
		case err != nil:
			return nil, err
		case !why.IsZero() && opts.Strategy == StrategyNative:
			return nil, input.Errorf("strategy", "native redrive cannot move these messages: %s", why).WithFix("%s", useCopy)
		case !why.IsZero():
			res.Strategy = StrategyCopy
			res.Notes = append(res.Notes, input.Msg("copy strategy: %s", why))
		default:
			return res, redriveNative(ctx, c, &opts, st, dest, res)
		}
	}
	return res, redriveCopy(ctx, c, &opts, st, res)
}

// chooseStrategy settles auto: native unless the options need copy or the
// endpoint cannot move messages itself; a note says why copy.
func chooseStrategy(ctx context.Context, c awsops.SQSAPI, opts *Options, st awsops.QueueStats, res *Result) error {
	res.Strategy = StrategyCopy
	if f := opts.copyOnly(); f != "" {
		res.Notes = append(res.Notes, input.Msg("copy strategy: native redrive cannot do %s", f))
		return nil
	}
	if opts.Rate.PerSecond() > MaxNativeRate {
		res.Notes = append(res.Notes, input.Msg("copy strategy: native redrive moves at most %d messages/s", MaxNativeRate))
		return nil
	}
	_, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(st.ARN), MaxResults: aws.Int32(1)})
	switch {
	case err == nil:
		res.Strategy = StrategyNative
	case awsops.IsCanceled(ctx, err):
		return ctx.Err()
	case awsops.IsUnsupported(err):
		res.Notes = append(res.Notes, input.Msg("copy strategy: this endpoint has no StartMessageMoveTask"))
	default:
		res.Notes = append(res.Notes, input.Msg("copy strategy: native redrive is not available here (%s)", awsops.ShortError(err)))
	}
	return nil
}
