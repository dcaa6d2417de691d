package redrive

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	xrate "golang.org/x/time/rate"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/batch"
	"github.com/yafdp/yafdp/internal/awsops/dlq"
	"github.com/yafdp/yafdp/internal/input"
)

// maxReceiveFailures is how many failed receives in a row end a copy run.
const maxReceiveFailures = 10

// copyRun is one copy redrive: its settings, and its tally under one lock.
type copyRun struct {
	c       awsops.SQSAPI
	opts    *Options
	now     func() time.Time
	limiter *xrate.Limiter
	// start is when the run began, to the millisecond (SentTimestamp's
	// precision): messages sent later are left where they are.
	start time.Time

	defaultTarget *awsops.Queue
	sources       []dlq.SourceQueue

	mu      sync.Mutex
	res     *Result
	targets map[string]*targetLookup // by ARN or URL
	held    map[string]dlq.Message   // skipped, failed or planned: hidden until the end
	active  map[string]dlq.Message   // received and being dealt with
	failed  map[string]bool
	claimed int // messages taken toward Max
	streak  int // empty receives in a row
	done    bool
	total   int64
}

// targetLookup is a target found once for all the messages that name it.
type targetLookup struct {
	t   *target
	err error
}

func redriveCopy(ctx context.Context, c awsops.SQSAPI, opts *Options, st awsops.QueueStats, res *Result) error {
	if opts.Journal == nil && !opts.DryRun {
		return errors.New("a copy redrive needs a journal")
	}
	if opts.Journal != nil {
		res.Journal = opts.Journal.Path()
	}
	r := &copyRun{c: c, opts: opts, res: res, now: opts.Now, targets: map[string]*targetLookup{}, held: map[string]dlq.Message{},
		active: map[string]dlq.Message{}, failed: map[string]bool{}, total: st.Visible, limiter: batch.Limiter(opts.Rate)}
	if r.now == nil {
		r.now = time.Now
	}
	r.start = r.now().Truncate(time.Millisecond)
	if err := r.findDefaultTarget(ctx); err != nil {
		return err
	}
	stop := make(chan struct{})
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		r.heartbeat(ctx, stop)
	}()
	err := r.workers(ctx)
	close(stop)
	<-beat
	// Make what this run held visible again.
	held := make([]dlq.Message, 0, len(r.held))
	for _, m := range r.held {
		held = append(held, m)
	}
	dlq.SetVisibility(ctx, c, opts.Source.URL, held, 0)
	sort.Slice(res.Failures, func(i, j int) bool { return res.Failures[i].MessageID < res.Failures[j].MessageID })
	if ctx.Err() != nil {
		res.Interrupted = true
		return ctx.Err()
	}
	return err
}

// findDefaultTarget settles where messages go that do not say where they
// came from: --to, or the DLQ's only source.
func (r *copyRun) findDefaultTarget(ctx context.Context) error {
	if r.opts.Target != nil {
		r.defaultTarget = r.opts.Target
	} else {
		srcs, err := dlq.Sources(ctx, r.c, r.opts.Source.URL)
		if err != nil {
			return err
		}
		r.sources = srcs
		switch len(srcs) {
		case 0:
			return input.Errorf("target", "no queue names %s as its dead-letter queue, so there is no source to move messages back to", r.opts.Source.Name).
				WithFix("pass %s QUEUE", input.Field("target"))
		case 1:
			q := awsops.QueueAt(srcs[0].URL)
			r.defaultTarget = &q
		}
	}
	if r.defaultTarget != nil {
		r.res.Targets = []string{r.defaultTarget.Name}
	}
	return nil
}

// workers runs the receive loops and returns their errors.
func (r *copyRun) workers(ctx context.Context) error {
	n := r.opts.Workers
	if n <= 0 {
		n = 4
	}
	if r.opts.Max > 0 || r.opts.DryRun {
		n = 1
	}
	var (
		g    errgroup.Group
		errs = make([]error, n)
	)
	for w := range n {
		g.Go(func() error {
			errs[w] = r.work(ctx)
			return nil
		})
	}
	_ = g.Wait()
	return errors.Join(errs...)
}

// work is one receive loop.
func (r *copyRun) work(ctx context.Context) error {
	o := r.opts
	vt := r.lease()
	wait := o.Wait
	if wait < 0 {
		wait = 0
	} else if wait == 0 {
		wait = 5 * time.Second
	}
	sleep := o.Sleep.OrSleepContext()
	failures := 0
	for ctx.Err() == nil && !r.isDone() {
		want, ok := r.wanted()
		if !ok {
			return nil
		}
		msgs, err := r.receive(ctx, want, vt, wait)
		if err != nil {
			if awsops.IsCanceled(ctx, err) {
				return nil
			}
			// The SDK has retried already; a transient failure gets a few
			// more rounds here before the run gives up (moving nothing is
			// always safe).
			if failures++; awsops.IsPermanent(err) || failures > maxReceiveFailures {
				return fmt.Errorf("receiving from %s: %w", o.Source.Name, err)
			}
			if sleep(ctx, awsops.Backoff(failures)) != nil {
				return nil
			}
			continue
		}
		failures = 0
		if len(msgs) > 0 {
			if err := r.handle(ctx, msgs); err != nil {
				return err
			}
			continue
		}
		if err := r.emptyReceive(ctx); err != nil {
			return err
		}
		if wait == 0 && !r.isDone() && sleep(ctx, 100*time.Millisecond) != nil {
			return nil
		}
	}
	return nil
}

// wanted is how many messages the next receive asks for; false when Max
// is reached, which ends the run.
func (r *copyRun) wanted() (int, bool) {
	if r.opts.Max <= 0 {
		return 10, true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	want := min(10, r.opts.Max-r.claimed)
	if want <= 0 {
		r.done = true
		return 0, false
	}
	return want, true
}

func (r *copyRun) isDone() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}

// emptyReceive counts an empty receive and ends the run when enough came
// in a row and the queue reports nothing visible, delayed or in flight
// beyond what this run holds back itself.
func (r *copyRun) emptyReceive(ctx context.Context) error {
	needed := r.opts.EmptyReceives
	if needed <= 0 {
		needed = 3
	}
	r.mu.Lock()
	r.streak++
	enough := r.streak >= needed
	r.mu.Unlock()
	if !enough {
		return nil
	}
	st, err := awsops.Stats(ctx, r.c, "", r.opts.Source.URL)
	if err != nil && !awsops.IsCanceled(ctx, err) && awsops.IsPermanent(err) {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// A queue whose depth could not be read is not known to be empty:
	// receiving goes on.
	if err == nil && st.Visible == 0 && st.Delayed == 0 && st.InFlight <= int64(len(r.held)) {
		r.done = true
	} else {
		r.streak = 0
		if err == nil && st.Visible == 0 && st.Delayed == 0 && r.opts.Waiting != nil {
			r.opts.Waiting(st.InFlight - int64(len(r.held)))
		}
	}
	return nil
}

// lease is how long the run hides a message it holds at a time.
func (r *copyRun) lease() time.Duration {
	if r.opts.Visibility <= 0 {
		return 30 * time.Second
	}
	return min(r.opts.Visibility, 12*time.Hour)
}

// heartbeat hides the messages the run holds again, every third of the
// lease, until stop: a run that goes on keeps them, one that is killed
// lets them go within a lease.
func (r *copyRun) heartbeat(ctx context.Context, stop <-chan struct{}) {
	every := r.opts.Heartbeat
	if every <= 0 {
		every = max(r.lease()/3, 500*time.Millisecond)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		r.mu.Lock()
		msgs := make([]dlq.Message, 0, len(r.held)+len(r.active))
		for _, m := range r.held {
			msgs = append(msgs, m)
		}
		for id, m := range r.active {
			if _, ok := r.held[id]; !ok {
				msgs = append(msgs, m)
			}
		}
		r.mu.Unlock()
		if len(msgs) > 0 {
			dlq.SetVisibility(ctx, r.c, r.opts.Source.URL, msgs, r.lease())
		}
	}
}

// receive receives up to want messages. A receive in flight at Ctrl-C
// gets a moment to finish, and what it brings is made visible again at
// once, rather than left hidden for a lease.
func (r *copyRun) receive(ctx context.Context, want int, vt, wait time.Duration) ([]dlq.Message, error) {
	callCtx, cancel := batch.GraceContext(ctx, wait+awsops.DefaultTimeout, batch.DefaultGrace)
	defer cancel()
	msgs, err := dlq.Receive(callCtx, r.c, r.opts.Source.URL, want, vt, wait)
	if err == nil && ctx.Err() != nil {
		dlq.SetVisibility(ctx, r.c, r.opts.Source.URL, msgs, 0)
		return nil, ctx.Err()
	}
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return msgs, err
}

// targetFor finds where a message goes: --to, the source queue the
// message records (DeadLetterQueueSourceArn), or the DLQ's only source.
// Each queue is looked up once.
func (r *copyRun) targetFor(ctx context.Context, m dlq.Message) (*target, error) {
	var q *awsops.Queue
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
		return nil, input.Errorf("", "%s is the dead-letter queue of %d queues (%s) and the message does not say which it came from",
			r.opts.Source.Name, len(r.sources), strings.Join(names, ", ")).WithFix("rerun with %s", input.Field("target"))
	}
	r.mu.Lock()
	l, ok := r.targets[key]
	r.mu.Unlock()
	if ok {
		return l.t, l.err
	}
	l, err := r.lookUp(ctx, q, key)
	if err != nil {
		return nil, err // not kept: the next message tries again
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.targets[key] = l
	if l.err == nil && !slices.Contains(r.res.Targets, l.t.queue.Name) {
		r.res.Targets = append(r.res.Targets, l.t.queue.Name)
	}
	return l.t, l.err
}

// lookUp finds the queue a key names (q when known) and, for a FIFO
// queue, whether it deduplicates by content. A queue that cannot be found
// is kept as such; an error reading a FIFO queue's attributes is not.
func (r *copyRun) lookUp(ctx context.Context, q *awsops.Queue, key string) (*targetLookup, error) {
	if q == nil {
		ref, err := awsops.ParseQueueRef("", key)
		var rq awsops.Queue
		if err == nil {
			rq, err = awsops.ResolveQueue(ctx, r.c, "", ref)
		}
		if err != nil {
			return &targetLookup{err: input.Errorf("", "its source queue %s cannot be found: %s", key, input.MessageOf(err))}, nil
		}
		q = &rq
	}
	t := &target{queue: *q}
	if q.FIFO {
		st, err := awsops.Stats(ctx, r.c, "", q.URL)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %v", q.Name, err)
		}
		t.contentDedup = st.ContentBasedDeduplication
	}
	return &targetLookup{t: t}, nil
}

// progress tells Progress the counts; the lock is held.
func (r *copyRun) progress() {
	if r.opts.Progress != nil {
		r.opts.Progress(Progress{Moved: r.res.Moved + r.res.AlreadyMoved, Skipped: r.res.Skipped, Failed: r.res.Failed, NotAttempted: r.res.NotAttempted, Total: r.total})
	}
}
