package awsops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/rate"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	xrate "golang.org/x/time/rate"
)

// Redrive strategies.
const (
	// StrategyAuto uses native where the endpoint supports it and nothing
	// asks for what only copy can do (--filter, --max, --dry-run).
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

// RedriveOptions are the inputs of Redrive.
type RedriveOptions struct {
	// Source is the dead-letter queue.
	Source Queue
	// Target is where messages go; nil sends each message back to the
	// queue it came from (its DeadLetterQueueSourceArn, or the DLQ's only
	// source queue).
	Target   *Queue
	Strategy string
	// Max stops after this many messages moved (0: all). Copy only.
	Max int
	// Rate paces the moves; zero means no limit (native: 500/s at most).
	Rate rate.Rate
	// Filter moves only matching messages; the others stay. Copy only.
	Filter *Filter
	// DryRun lists what would move and moves nothing. Copy only.
	DryRun bool
	// Journal records a copy run; required for copy unless DryRun.
	Journal *Journal
	// Workers is the number of receive loops (default 4; 1 with Max).
	Workers int
	// Visibility hides a received message while it is moved (default 60s).
	Visibility time.Duration
	// Hold hides skipped, failed and dry-run messages so they are seen once
	// per run; they are made visible again at the end (default 15m).
	Hold time.Duration
	// Wait is the long-poll time of each receive (default 5s).
	Wait time.Duration
	// EmptyReceives is how many empty receives in a row, with the queue's
	// depth and in-flight count at zero, end the run (default 3).
	EmptyReceives int
	// MaxAttempts bounds the sends of one message (default 8).
	MaxAttempts int
	// PollInterval is how often native progress is read (default 2s).
	PollInterval time.Duration
	Sleep        Sleeper
	Now          func() time.Time
	// Progress is told the counts as they change.
	Progress func(RedriveProgress)

	// crash, in tests, stops a copy worker dead at a step boundary, as if
	// the process were killed there.
	crash func(step string) bool
}

// RedriveProgress are the running counts of a redrive.
type RedriveProgress struct {
	Moved   int
	Skipped int
	Failed  int
	// Total is the DLQ's depth when the run started (approximate).
	Total int64
}

// RedriveFailure is a message that was not moved, and why. It stays in the
// dead-letter queue.
type RedriveFailure struct {
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

// RedriveResult is what a redrive did.
type RedriveResult struct {
	Strategy string   `json:"strategy"`
	Source   string   `json:"source"`
	Targets  []string `json:"targets"`
	DryRun   bool     `json:"dryRun"`
	Moved    int      `json:"moved"`
	Skipped  int      `json:"skippedByFilter"`
	Failed   int      `json:"failed"`
	// AlreadyMoved counts messages an earlier run had sent (per the
	// journal) and that were only deleted now.
	AlreadyMoved int `json:"alreadyMoved"`
	// PossibleDuplicates counts messages sent again because an earlier run
	// stopped while their send was in flight: the target may hold two.
	PossibleDuplicates int `json:"possibleDuplicates"`
	// ArrivedDuringRun counts messages left in the DLQ because they were
	// sent after the run started: a copy this run made that failed again
	// (a consumer still broken), or a newer message. Like a native move
	// task, a copy run moves only what was there when it began, so that it
	// ends instead of moving the same messages round and round.
	ArrivedDuringRun int              `json:"arrivedDuringRun"`
	Failures         []RedriveFailure `json:"failures"`
	Planned          []PlannedMove    `json:"planned,omitempty"`
	Native           *NativeTask      `json:"nativeTask,omitempty"`
	Notes            []input.Message  `json:"notes,omitempty"`
	Interrupted      bool             `json:"interrupted"`
	Journal          string           `json:"journal,omitempty"`
	DepthBefore      int64            `json:"depthBefore"`
}

// copyOnly names the first option set that only the copy strategy
// supports, or "".
func (o *RedriveOptions) copyOnly() input.Field {
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

// CheckRedriveOptions checks the options that need no AWS call.
func CheckRedriveOptions(o *RedriveOptions) error {
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
func Redrive(ctx context.Context, c SQSAPI, opts RedriveOptions) (*RedriveResult, error) {
	if err := CheckRedriveOptions(&opts); err != nil {
		return nil, err
	}
	st, err := Stats(ctx, c, opts.Source.URL)
	if err != nil {
		if ie, ok := input.As(err); ok {
			ie.Field = "queue"
		}
		return nil, err
	}
	res := &RedriveResult{Strategy: opts.Strategy, Source: opts.Source.Name, DryRun: opts.DryRun, Failures: []RedriveFailure{}, DepthBefore: st.Visible}
	if opts.Strategy == StrategyAuto {
		if f := opts.copyOnly(); f != "" {
			res.Strategy = StrategyCopy
			res.Notes = append(res.Notes, input.Msg("copy strategy: native redrive cannot do %s", f))
		} else if opts.Rate.PerSecond() > MaxNativeRate {
			res.Strategy = StrategyCopy
			res.Notes = append(res.Notes, input.Msg("copy strategy: native redrive moves at most %d messages/s", MaxNativeRate))
		} else {
			_, perr := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(st.ARN), MaxResults: aws.Int32(1)})
			switch {
			case perr == nil:
				res.Strategy = StrategyNative
			case isCanceled(ctx, perr):
				return nil, ctx.Err()
			case IsUnsupported(perr):
				res.Strategy = StrategyCopy
				res.Notes = append(res.Notes, input.Msg("copy strategy: this endpoint has no StartMessageMoveTask"))
			default:
				res.Strategy = StrategyCopy
				res.Notes = append(res.Notes, input.Msg("copy strategy: native redrive is not available here (%s)", shortError(perr)))
			}
		}
	}
	if res.Strategy == StrategyNative {
		return res, redriveNative(ctx, c, &opts, st, res)
	}
	return res, redriveCopy(ctx, c, &opts, st, res)
}

// --- native

func redriveNative(ctx context.Context, c SQSAPI, opts *RedriveOptions, st QueueStats, res *RedriveResult) error {
	sleep := opts.Sleep
	if sleep == nil {
		sleep = SleepContext
	}
	interval := opts.PollInterval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	in := &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(st.ARN)}
	res.Targets = []string{"the queues the messages came from"}
	if opts.Target != nil {
		tst, err := Stats(ctx, c, opts.Target.URL)
		if err != nil {
			return err
		}
		in.DestinationArn = aws.String(tst.ARN)
		res.Targets = []string{opts.Target.Name}
	}
	if ps := opts.Rate.PerSecond(); ps > 0 {
		in.MaxNumberOfMessagesPerSecond = aws.Int32(int32(max(1, ps)))
	}
	tasks, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(st.ARN), MaxResults: aws.Int32(10)})
	if err != nil {
		if IsUnsupported(err) {
			return noNativeRedrive()
		}
		return fmt.Errorf("listing move tasks of %s: %w", opts.Source.Name, err)
	}
	for _, t := range tasks.Results {
		if aws.ToString(t.Status) == "RUNNING" {
			return input.Errorf("strategy", "a move task is already running on %s (%d of %d moved); SQS allows one at a time: wait for it or cancel it",
				opts.Source.Name, t.ApproximateNumberOfMessagesMoved, aws.ToInt64(t.ApproximateNumberOfMessagesToMove))
		}
	}
	out, err := c.StartMessageMoveTask(ctx, in)
	if err != nil {
		if IsUnsupported(err) {
			return noNativeRedrive()
		}
		return fmt.Errorf("starting the move task: %w", err)
	}
	task := &NativeTask{TaskHandle: aws.ToString(out.TaskHandle), Status: "RUNNING"}
	res.Native = task
	res.Notes = append(res.Notes, input.Msg("moved messages get new MessageIds; cancelling a move task does not undo the moves already made"))
	for {
		list, err := c.ListMessageMoveTasks(context.WithoutCancel(ctx), &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(st.ARN), MaxResults: aws.Int32(10)})
		if err != nil {
			return fmt.Errorf("reading the move task's progress: %w", err)
		}
		// SQS lists a task's TaskHandle only while it runs, newest task
		// first: once ours has ended it is the first entry, with no handle.
		// (Only one task per source queue can run at a time.)
		var found *types.ListMessageMoveTasksResultEntry
		for i := range list.Results {
			if h := aws.ToString(list.Results[i].TaskHandle); h != "" && h == task.TaskHandle {
				found = &list.Results[i]
				break
			}
		}
		if found == nil && len(list.Results) > 0 && aws.ToString(list.Results[0].TaskHandle) == "" {
			found = &list.Results[0]
		}
		if t := found; t != nil {
			task.Status = aws.ToString(t.Status)
			task.Moved = t.ApproximateNumberOfMessagesMoved
			task.ToMove = aws.ToInt64(t.ApproximateNumberOfMessagesToMove)
			task.FailureReason = aws.ToString(t.FailureReason)
		}
		res.Moved = int(task.Moved)
		if opts.Progress != nil {
			opts.Progress(RedriveProgress{Moved: res.Moved, Total: max(task.ToMove, st.Visible)})
		}
		switch task.Status {
		case "COMPLETED":
			return nil
		case "FAILED":
			res.Failed = int(max(0, task.ToMove-task.Moved))
			res.Failures = append(res.Failures, RedriveFailure{Reason: input.Msg("the move task failed: %s", task.FailureReason)})
			return fmt.Errorf("the move task failed after %d messages: %s", task.Moved, task.FailureReason)
		case "CANCELLED":
			task.Cancelled = true
			return nil
		}
		if err := sleep(ctx, interval); err != nil {
			res.Interrupted = true
			if task.TaskHandle != "" {
				_, cerr := c.CancelMessageMoveTask(context.WithoutCancel(ctx), &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String(task.TaskHandle)})
				if cerr == nil {
					task.Cancelled = true
					task.Status = "CANCELLING"
				} else {
					res.Notes = append(res.Notes, input.Msg("could not cancel the move task, which goes on: %s", shortError(cerr)))
				}
			}
			return ctx.Err()
		}
	}
}

func noNativeRedrive() error {
	return input.Errorf("strategy", "this endpoint has no StartMessageMoveTask (native redrive)").WithFix("%s", useCopy)
}

// --- copy

// maxReceiveFailures is how many failed receives in a row end a copy run.
const maxReceiveFailures = 10

// errCrashed is what a worker returns when a test kills it.
var errCrashed = errors.New("simulated crash")

// copyRun is the shared state of one copy redrive.
type copyRun struct {
	c    SQSAPI
	opts *RedriveOptions
	res  *RedriveResult
	now  func() time.Time
	// start is when the run began, to the millisecond (SentTimestamp's
	// precision): messages sent later are left where they are.
	start time.Time

	defaultTarget *Queue
	sources       []SourceQueue

	mu      sync.Mutex
	targets map[string]*targetInfo // by ARN or URL
	held    map[string]Message     // skipped, failed or planned: hidden until the end
	failed  map[string]bool
	claimed int // messages taken toward Max
	streak  int
	done    bool
	total   int64
	limiter *xrate.Limiter
	senders map[string]*sender
}

type targetInfo struct {
	queue        Queue
	contentDedup bool
	err          error
}

func redriveCopy(ctx context.Context, c SQSAPI, opts *RedriveOptions, st QueueStats, res *RedriveResult) error {
	if opts.Journal == nil && !opts.DryRun {
		return errors.New("a copy redrive needs a journal")
	}
	if opts.Journal != nil {
		res.Journal = opts.Journal.Path()
	}
	r := &copyRun{c: c, opts: opts, res: res, now: opts.Now, targets: map[string]*targetInfo{}, held: map[string]Message{},
		failed: map[string]bool{}, total: st.Visible, senders: map[string]*sender{}}
	if r.now == nil {
		r.now = time.Now
	}
	r.start = r.now().Truncate(time.Millisecond)
	if opts.Target != nil {
		r.defaultTarget = opts.Target
	} else {
		srcs, err := sourceQueues(ctx, c, opts.Source.URL)
		if err != nil {
			return err
		}
		r.sources = srcs
		switch len(srcs) {
		case 0:
			return input.Errorf("target", "no queue names %s as its dead-letter queue, so there is no source to move messages back to", opts.Source.Name).
				WithFix("pass %s QUEUE", input.Field("target"))
		case 1:
			q := Queue{URL: srcs[0].URL, Name: srcs[0].Name, FIFO: isFIFOName(srcs[0].Name)}
			r.defaultTarget = &q
		}
	}
	if r.defaultTarget != nil {
		res.Targets = []string{r.defaultTarget.Name}
	}
	r.limiter = opts.Rate.Limiter(MaxBatchEntries)
	workers := opts.Workers
	if workers <= 0 {
		workers = 4
	}
	if opts.Max > 0 || opts.DryRun {
		workers = 1
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			errs[w] = r.work(ctx)
		}(w)
	}
	wg.Wait()
	err := errors.Join(errs...)
	if errors.Is(err, errCrashed) {
		return errCrashed // a killed process releases nothing and records nothing
	}
	// Make what this run held visible again.
	held := make([]Message, 0, len(r.held))
	for _, m := range r.held {
		held = append(held, m)
	}
	setVisibility(ctx, c, opts.Source.URL, held, 0)
	sort.Slice(res.Failures, func(i, j int) bool { return res.Failures[i].MessageID < res.Failures[j].MessageID })
	if ctx.Err() != nil {
		res.Interrupted = true
		return ctx.Err()
	}
	return err
}

func (r *copyRun) progress() {
	if r.opts.Progress != nil {
		r.opts.Progress(RedriveProgress{Moved: r.res.Moved + r.res.AlreadyMoved, Skipped: r.res.Skipped, Failed: r.res.Failed, Total: r.total})
	}
}

func (r *copyRun) crashAt(step string) bool {
	return r.opts.crash != nil && r.opts.crash(step)
}

func (r *copyRun) isDone() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}

// work is one receive loop.
func (r *copyRun) work(ctx context.Context) error {
	o := r.opts
	vt := o.Visibility
	if vt <= 0 {
		vt = 60 * time.Second
	}
	wait := o.Wait
	if wait < 0 {
		wait = 0
	} else if wait == 0 {
		wait = 5 * time.Second
	}
	emptyNeeded := o.EmptyReceives
	if emptyNeeded <= 0 {
		emptyNeeded = 3
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = SleepContext
	}
	failures := 0
	for ctx.Err() == nil && !r.isDone() {
		want := 10
		if o.Max > 0 {
			r.mu.Lock()
			want = min(10, o.Max-r.claimed)
			r.mu.Unlock()
			if want <= 0 {
				r.mu.Lock()
				r.done = true
				r.mu.Unlock()
				return nil
			}
		}
		msgs, err := receive(ctx, r.c, o.Source.URL, want, vt, wait)
		if err != nil {
			if isCanceled(ctx, err) {
				return nil
			}
			// The SDK has retried already; a transient failure gets a few
			// more rounds here before the run gives up (moving nothing is
			// always safe).
			if failures++; permanentCallError(err) || failures > maxReceiveFailures {
				return fmt.Errorf("receiving from %s: %w", o.Source.Name, err)
			}
			if sleep(ctx, backoff(failures)) != nil {
				return nil
			}
			continue
		}
		failures = 0
		if r.crashAt("received") {
			return errCrashed
		}
		if len(msgs) == 0 {
			if err := r.emptyReceive(ctx, emptyNeeded); err != nil {
				return err
			}
			if wait == 0 && !r.isDone() {
				if sleep(ctx, 100*time.Millisecond) != nil {
					return nil
				}
			}
			continue
		}
		r.mu.Lock()
		r.streak = 0
		r.mu.Unlock()
		if err := r.handle(ctx, msgs); err != nil {
			return err
		}
	}
	return nil
}

// emptyReceive counts an empty receive and ends the run when enough came
// in a row and the queue reports nothing visible, delayed or in flight
// beyond what this run holds back itself.
func (r *copyRun) emptyReceive(ctx context.Context, needed int) error {
	r.mu.Lock()
	r.streak++
	enough := r.streak >= needed
	r.mu.Unlock()
	if !enough {
		return nil
	}
	st, err := Stats(ctx, r.c, r.opts.Source.URL)
	if err != nil {
		if isCanceled(ctx, err) || !permanentCallError(err) {
			// Not known to be empty: keep receiving.
			r.mu.Lock()
			r.streak = 0
			r.mu.Unlock()
			return nil
		}
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if st.Visible == 0 && st.Delayed == 0 && st.InFlight <= int64(len(r.held)) {
		r.done = true
	} else {
		r.streak = 0
	}
	return nil
}

// sendItem is one message on its way to a target.
type sendItem struct {
	msg    Message
	out    outMessage
	target *targetInfo
	resend bool
}

func (r *copyRun) fail(m Message, reason input.Message) {
	if !r.failed[m.MessageID] {
		r.failed[m.MessageID] = true
		r.res.Failed++
		r.res.Failures = append(r.res.Failures, RedriveFailure{MessageID: m.MessageID, Reason: reason})
	}
	r.held[m.MessageID] = m
}

// handle moves one received batch.
func (r *copyRun) handle(ctx context.Context, msgs []Message) error {
	o := r.opts
	var (
		toDelete []Message
		toSend   []sendItem
		toHold   []Message
		release  []Message
	)
	for _, m := range msgs {
		r.mu.Lock()
		_, isHeld := r.held[m.MessageID]
		r.mu.Unlock()
		if isHeld {
			// Its hold ran out during a long run: hide it again.
			r.mu.Lock()
			r.held[m.MessageID] = m
			r.mu.Unlock()
			toHold = append(toHold, m)
			continue
		}
		_, sent, uncertain := lookup(o.Journal, m.MessageID)
		if sent {
			toDelete = append(toDelete, m)
			r.mu.Lock()
			r.res.AlreadyMoved++
			r.mu.Unlock()
			continue
		}
		if at := m.SentAt(); at.After(r.start) {
			r.mu.Lock()
			r.res.ArrivedDuringRun++
			r.held[m.MessageID] = m
			r.mu.Unlock()
			toHold = append(toHold, m)
			continue
		}
		if o.Filter != nil && !m.MatchFilter(o.Filter) {
			r.mu.Lock()
			r.res.Skipped++
			r.held[m.MessageID] = m
			r.mu.Unlock()
			toHold = append(toHold, m)
			continue
		}
		if o.Max > 0 {
			r.mu.Lock()
			over := r.claimed >= o.Max
			if !over {
				r.claimed++
			}
			r.mu.Unlock()
			if over {
				release = append(release, m)
				continue
			}
		}
		t, err := r.targetFor(ctx, m)
		if err == nil {
			var om outMessage
			if om, err = r.copyOf(m, t); err == nil {
				if o.DryRun {
					r.mu.Lock()
					r.res.Planned = append(r.res.Planned, PlannedMove{MessageID: m.MessageID, Target: t.queue.Name, ReceiveCount: m.ReceiveCount(), Bytes: om.size()})
					r.held[m.MessageID] = m
					r.mu.Unlock()
					toHold = append(toHold, m)
					continue
				}
				toSend = append(toSend, sendItem{msg: m, out: om, target: t, resend: uncertain})
				continue
			}
		}
		r.mu.Lock()
		r.fail(m, input.MessageOf(err))
		r.mu.Unlock()
		toHold = append(toHold, m)
	}
	hold := o.Hold
	if hold <= 0 {
		hold = 15 * time.Minute
	}
	if len(release) > 0 {
		setVisibility(ctx, r.c, o.Source.URL, release, 0)
	}
	if len(toHold) > 0 {
		setVisibility(ctx, r.c, o.Source.URL, toHold, min(hold, 12*time.Hour))
	}
	if len(toSend) > 0 {
		ids := make([]string, len(toSend))
		for i, it := range toSend {
			ids[i] = it.msg.MessageID
		}
		if err := o.Journal.Intend(ids); err != nil {
			return err
		}
		if r.crashAt("intended") {
			return errCrashed
		}
		// One call per target queue; usually there is one.
		byTarget := map[*targetInfo][]int{}
		var order []*targetInfo
		for i, it := range toSend {
			if _, ok := byTarget[it.target]; !ok {
				order = append(order, it.target)
			}
			byTarget[it.target] = append(byTarget[it.target], i)
		}
		var sentIDs, sentTo []string
		var permErr error
		for _, t := range order {
			idx := byTarget[t]
			batch := make([]outMessage, len(idx))
			for k, i := range idx {
				batch[k] = toSend[i].out
			}
			snd := r.senderFor(t)
			outcomes := snd.send(ctx, batch)
			if r.crashAt("sent") {
				return errCrashed
			}
			snd.mu.Lock()
			if snd.permanent != nil {
				permErr = snd.permanent
			}
			snd.mu.Unlock()
			for k, i := range idx {
				it := toSend[i]
				if outcomes[k].Sent() {
					sentIDs = append(sentIDs, it.msg.MessageID)
					sentTo = append(sentTo, outcomes[k].MessageID)
					toDelete = append(toDelete, it.msg)
					r.mu.Lock()
					r.res.Moved++
					if it.resend {
						r.res.PossibleDuplicates++
					}
					r.mu.Unlock()
				} else {
					r.mu.Lock()
					r.fail(it.msg, input.Msg("not sent to %s: %s", t.queue.Name, outcomes[k].Err))
					r.mu.Unlock()
					setVisibility(ctx, r.c, o.Source.URL, []Message{it.msg}, min(hold, 12*time.Hour))
				}
			}
		}
		if err := o.Journal.Sent(sentIDs, sentTo); err != nil {
			return err
		}
		if permErr != nil {
			// Credentials, permissions, a missing queue: every further send
			// would fail the same way. Stop; what was sent is deleted first.
			if len(toDelete) > 0 {
				if deleted := r.delete(ctx, toDelete); len(deleted) > 0 {
					_ = o.Journal.Deleted(deleted)
				}
			}
			return fmt.Errorf("stopped: %s", shortError(permErr))
		}
		if r.crashAt("journaled") {
			return errCrashed
		}
	}
	if len(toDelete) > 0 {
		deleted := r.delete(ctx, toDelete)
		if r.crashAt("deleted") {
			return errCrashed
		}
		if o.Journal != nil {
			if err := o.Journal.Deleted(deleted); err != nil {
				return err
			}
		}
	}
	r.mu.Lock()
	r.progress()
	r.mu.Unlock()
	return nil
}

func lookup(j *Journal, id string) (string, bool, bool) {
	if j == nil {
		return "", false, false
	}
	return j.Lookup(id)
}

// delete removes moved messages from the DLQ, retrying failed entries a
// few times. A message it cannot delete is harmless: it comes back, and
// the journal says it was moved, so it is deleted then without a resend.
func (r *copyRun) delete(ctx context.Context, msgs []Message) []string {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	var deleted []string
	pending := msgs
	for attempt := 0; attempt < 4 && len(pending) > 0; attempt++ {
		if attempt > 0 {
			_ = SleepContext(dctx, backoff(attempt))
		}
		var again []Message
		for start := 0; start < len(pending); start += 10 {
			chunk := pending[start:min(start+10, len(pending))]
			in := &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(r.opts.Source.URL)}
			for i, m := range chunk {
				in.Entries = append(in.Entries, types.DeleteMessageBatchRequestEntry{Id: aws.String("d" + strconv.Itoa(i)), ReceiptHandle: aws.String(m.ReceiptHandle)})
			}
			out, err := r.c.DeleteMessageBatch(dctx, in)
			if err != nil {
				again = append(again, chunk...)
				continue
			}
			ok := map[string]bool{}
			for _, s := range out.Successful {
				ok[aws.ToString(s.Id)] = true
			}
			for i, m := range chunk {
				if ok["d"+strconv.Itoa(i)] {
					deleted = append(deleted, m.MessageID)
				} else {
					again = append(again, m)
				}
			}
		}
		pending = again
	}
	return deleted
}

func (r *copyRun) senderFor(t *targetInfo) *sender {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.senders[t.queue.URL]; ok {
		return s
	}
	s := &sender{c: r.c, queueURL: t.queue.URL, concurrency: 1, maxAttempts: r.opts.MaxAttempts, sleep: r.opts.Sleep, callTimeout: 60 * time.Second}
	if s.maxAttempts <= 0 {
		s.maxAttempts = 8
	}
	if s.sleep == nil {
		s.sleep = SleepContext
	}
	s.limiter = r.limiter
	r.senders[t.queue.URL] = s
	return s
}

// targetFor decides where a message goes: --to, the source queue the
// message records (DeadLetterQueueSourceArn), or the DLQ's only source.
func (r *copyRun) targetFor(ctx context.Context, m Message) (*targetInfo, error) {
	var q *Queue
	key := ""
	switch {
	case r.opts.Target != nil:
		q, key = r.opts.Target, r.opts.Target.URL
	case m.System["DeadLetterQueueSourceArn"] != "":
		key = m.System["DeadLetterQueueSourceArn"]
	case r.defaultTarget != nil:
		q, key = r.defaultTarget, r.defaultTarget.URL
	default:
		names := make([]string, len(r.sources))
		for i, s := range r.sources {
			names[i] = s.Name
		}
		return nil, input.Errorf("", "%s is the dead-letter queue of %d queues (%s) and the message does not say which it came from", r.opts.Source.Name, len(r.sources), strings.Join(names, ", ")).
			WithFix("rerun with %s", input.Field("target"))
	}
	r.mu.Lock()
	t, ok := r.targets[key]
	r.mu.Unlock()
	if ok {
		return t, t.err
	}
	t = &targetInfo{}
	if q == nil {
		rq, err := ResolveQueue(ctx, r.c, "", key)
		if err != nil {
			t.err = fmt.Errorf("its source queue %s cannot be found: %v", key, err)
		}
		q = &rq
	}
	if t.err == nil {
		t.queue = *q
		if q.FIFO {
			st, err := Stats(ctx, r.c, q.URL)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %v", q.Name, err)
			}
			t.contentDedup = st.ContentBasedDeduplication
		}
	}
	r.mu.Lock()
	r.targets[key] = t
	found := false
	for _, n := range r.res.Targets {
		found = found || n == t.queue.Name
	}
	if t.err == nil && !found {
		r.res.Targets = append(r.res.Targets, t.queue.Name)
	}
	r.mu.Unlock()
	return t, t.err
}

// copyOf builds the message to send: the same body, every message
// attribute as it was (String, Number, Binary and custom types, byte for
// byte), the trace header, and on a FIFO target the same group and
// deduplication ids.
func (r *copyRun) copyOf(m Message, t *targetInfo) (outMessage, error) {
	om := outMessage{body: m.Body}
	if len(m.Attributes) > 0 {
		om.attrs = make(map[string]types.MessageAttributeValue, len(m.Attributes))
		for k, v := range m.Attributes {
			om.attrs[k] = types.MessageAttributeValue{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue,
				StringListValues: v.StringListValues, BinaryListValues: v.BinaryListValues}
		}
	}
	if tr := m.System[string(types.MessageSystemAttributeNameAWSTraceHeader)]; tr != "" {
		om.sysAttrs = map[string]types.MessageSystemAttributeValue{
			string(types.MessageSystemAttributeNameAWSTraceHeader): {DataType: aws.String("String"), StringValue: aws.String(tr)},
		}
	}
	if !t.queue.FIFO {
		return om, nil
	}
	var body struct {
		OrderID    string `json:"orderId"`
		CustomerID string `json:"customerId"`
	}
	_ = json.Unmarshal([]byte(m.Body), &body)
	om.groupID = m.System[string(types.MessageSystemAttributeNameMessageGroupId)]
	if om.groupID == "" {
		om.groupID = body.CustomerID
	}
	if om.groupID == "" {
		return om, input.Errorf("", "%s is a FIFO queue and the message has no MessageGroupId (nor a customerId in its body)", t.queue.Name).
			WithFix("move it with %s a standard queue", input.Field("target"))
	}
	original := m.System[string(types.MessageSystemAttributeNameMessageDeduplicationId)]
	om.dedupID = original
	if om.dedupID == "" && !t.contentDedup {
		om.dedupID = body.OrderID
		if om.dedupID == "" {
			om.dedupID = m.MessageID
		}
	}
	// Within five minutes of the first send, a FIFO queue silently drops a
	// message with a deduplication id it has seen: the copy would be
	// "sent" and lost. Leave such a message where it is.
	if sent := m.SentAt(); original != "" && !sent.IsZero() {
		if until := sent.Add(FIFODeduplicationWindow + 10*time.Second); r.now().Before(until) {
			return om, fmt.Errorf("%s would drop it as a duplicate until %s (5 minutes after it was first sent, deduplication id %q); run the redrive again after that",
				t.queue.Name, until.UTC().Format("15:04:05 UTC"), original)
		}
	}
	return om, nil
}
