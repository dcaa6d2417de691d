package track

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"
)

// PollOptions configure a poll tracker.
type PollOptions struct {
	SFN             SFNAPI
	StateMachineARN string
	// Since: executions that started before it are not reported (Setup's
	// time, less a second, when zero).
	Since time.Time
	// Interval is the time between passes (5 s when zero).
	Interval time.Duration
	// Quotas are the account's token buckets (DefaultQuotas of the state
	// machine's region when zero), of which Share is used (0.5 when
	// zero): the quotas are shared by every caller in the account.
	Quotas Quotas
	Share  float64
	// History, when set, reads a sample of the ended executions' histories.
	History HistoryOptions
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Poll follows executions by polling ListExecutions (and DescribeExecution
// for the error and cause of those that did not succeed) within the
// account's API quotas, for accounts where the tracker may not create
// EventBridge rules (--track poll). Each pass lists the running
// executions, then the executions of every status newest first, back to
// the oldest one still running (or the previous pass), so an execution
// that starts and ends between two passes is seen too. It suits rates of
// up to a few thousand executions a pass; at higher rates use EventBridge.
type Poll struct {
	opts     PollOptions
	list     *rate.Limiter
	describe *rate.Limiter
	history  *historyReader
	seen     *seen
	running  map[string]time.Time // started, not yet ended
	lastPass time.Time
	ready    bool
}

var _ Tracker = (*Poll)(nil)

// NewPoll checks the options and returns a poll tracker.
func NewPoll(opts PollOptions) (*Poll, error) {
	if opts.SFN == nil {
		return nil, errors.New("track: the poll tracker needs a Step Functions client")
	}
	region, ok := arnRegion(opts.StateMachineARN)
	if !ok {
		return nil, fmt.Errorf("track: %q is not a state machine ARN", opts.StateMachineARN)
	}
	if opts.Interval <= 0 {
		opts.Interval = 5 * time.Second
	}
	if opts.Quotas == (Quotas{}) {
		opts.Quotas = DefaultQuotas(region)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.History.Quota.Burst == 0 {
		opts.History.Quota = opts.Quotas.GetExecutionHistory
	}
	if opts.History.Share == 0 {
		opts.History.Share = opts.Share
	}
	return &Poll{opts: opts, list: opts.Quotas.ListExecutions.limiter(opts.Share),
		describe: opts.Quotas.DescribeExecution.limiter(opts.Share),
		history:  newHistoryReader(opts.History, region), seen: newSeen(), running: map[string]time.Time{}}, nil
}

// Setup fixes the start of the window; it creates nothing.
func (p *Poll) Setup(context.Context) error {
	if p.opts.Since.IsZero() {
		p.opts.Since = p.opts.Now().Add(-time.Second)
	}
	p.lastPass = p.opts.Since
	p.ready = true
	return nil
}

// Teardown has nothing to delete.
func (p *Poll) Teardown(context.Context) error { return nil }

// Run polls until ctx ends; a pass that fails is tried again at the next
// interval, and ten failures in a row end the run.
func (p *Poll) Run(ctx context.Context, out chan<- Event) error {
	if !p.ready {
		return errors.New("track: Poll.Run before Setup")
	}
	fails := 0
	for {
		err := p.pass(ctx, out)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if fails++; fails >= 10 {
				return fmt.Errorf("polling the executions of %s: %w", p.opts.StateMachineARN, err)
			}
		} else {
			fails = 0
		}
		t := time.NewTimer(p.opts.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

func (p *Poll) pass(ctx context.Context, out chan<- Event) error {
	passStart := p.opts.Now()
	// The running executions.
	err := p.listPages(ctx, types.ExecutionStatusRunning, p.opts.Since, func(it types.ExecutionListItem) bool {
		arn := aws.ToString(it.ExecutionArn)
		if _, ok := p.running[arn]; !ok && !p.seen.has(arn, Ended) {
			p.running[arn] = aws.ToTime(it.StartDate)
		}
		return p.started(ctx, out, it)
	})
	if err != nil {
		return err
	}
	// Every status, newest first, back to the oldest still running or,
	// for executions that came and went between passes, to the previous
	// pass (less two intervals, for ListExecutions' lag).
	floor := p.lastPass.Add(-2 * p.opts.Interval)
	for _, start := range p.running {
		if start.Before(floor) {
			floor = start
		}
	}
	if floor.Before(p.opts.Since) {
		floor = p.opts.Since
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	err = p.listPages(ctx, "", floor, func(it types.ExecutionListItem) bool {
		arn := aws.ToString(it.ExecutionArn)
		if it.Status == types.ExecutionStatusRunning || it.Status == types.ExecutionStatusPendingRedrive || p.seen.has(arn, Ended) {
			return true
		}
		if !p.started(ctx, out, it) {
			return false
		}
		delete(p.running, arn)
		p.seen.first(arn, Ended)
		e := Event{Kind: Ended, OrderID: aws.ToString(it.Name), ExecutionARN: arn, Status: string(it.Status),
			Start: aws.ToTime(it.StartDate).UTC(), Stop: aws.ToTime(it.StopDate).UTC()}
		g.Go(func() error {
			if e.Status != string(types.ExecutionStatusSucceeded) {
				d, err := call(gctx, p.describe, func(ctx context.Context) (*sfn.DescribeExecutionOutput, error) {
					return p.opts.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
				})
				if err == nil {
					e.Error, e.Cause = aws.ToString(d.Error), aws.ToString(d.Cause)
				}
			}
			if p.history.wants(arn) {
				_ = p.history.fill(gctx, &e)
			}
			send(gctx, out, e)
			return nil
		})
		return true
	})
	_ = g.Wait()
	if err != nil {
		return err
	}
	p.lastPass = passStart
	return nil
}

// started reports Started for an execution not reported yet; false when
// ctx ended.
func (p *Poll) started(ctx context.Context, out chan<- Event, it types.ExecutionListItem) bool {
	arn := aws.ToString(it.ExecutionArn)
	if !p.seen.first(arn, Started) {
		return true
	}
	return send(ctx, out, Event{Kind: Started, OrderID: aws.ToString(it.Name), ExecutionARN: arn,
		Status: string(types.ExecutionStatusRunning), Start: aws.ToTime(it.StartDate).UTC()})
}

// listPages pages through ListExecutions, newest first, until an
// execution started before floor, the last page, or f returns false.
func (p *Poll) listPages(ctx context.Context, status types.ExecutionStatus, floor time.Time, f func(types.ExecutionListItem) bool) error {
	var token *string
	for {
		res, err := call(ctx, p.list, func(ctx context.Context) (*sfn.ListExecutionsOutput, error) {
			return p.opts.SFN.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(p.opts.StateMachineARN),
				StatusFilter: status, MaxResults: 1000, NextToken: token})
		})
		if err != nil {
			return err
		}
		for _, it := range res.Executions {
			if aws.ToTime(it.StartDate).Before(floor) {
				return nil
			}
			if !f(it) {
				return ctx.Err()
			}
		}
		if res.NextToken == nil {
			return nil
		}
		token = res.NextToken
	}
}
