package executions

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/input"
)

// MaxHistoryPage is the most events one GetExecutionHistory call returns.
const MaxHistoryPage = 1000

// WatchOptions are the inputs of Watch.
type WatchOptions struct {
	ExecutionARN string
	// Interval is the time between polls while the execution runs.
	Interval time.Duration
	// PageSize is GetExecutionHistory's maxResults (default 1000).
	PageSize int32
	// Sleep waits between polls (default awsops.SleepContext).
	Sleep awsops.Sleeper
	// OnEvents is called with the events that arrived since the last call,
	// in id order, and every event so far.
	OnEvents func(added, all []asl.HistoryEvent)
	// Follow false reads the history once, as it is now.
	Follow bool
}

// WatchResult is what Watch saw.
type WatchResult struct {
	Execution Execution
	Events    []asl.HistoryEvent
	// Polls counts the rounds of GetExecutionHistory calls.
	Polls int
}

func terminalEvent(t types.HistoryEventType) bool {
	switch t {
	case types.HistoryEventTypeExecutionSucceeded, types.HistoryEventTypeExecutionFailed,
		types.HistoryEventTypeExecutionAborted, types.HistoryEventTypeExecutionTimedOut:
		return true
	}
	return false
}

// historyReader reads the events of one execution added since the last
// read. It asks for the newest events first (reverseOrder) and stops paging
// as soon as it reaches an event it has seen, so a poll costs one call
// however long the history; an endpoint that ignores reverseOrder (moto
// does) is still read correctly, from the start.
type historyReader struct {
	c        awsops.SFNAPI
	arn      string
	pageSize int32
	lastID   int64
	calls    int
}

func (r *historyReader) next(ctx context.Context) ([]types.HistoryEvent, error) {
	in := &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(r.arn), MaxResults: r.pageSize, ReverseOrder: true}
	var fresh []types.HistoryEvent
	seen := map[int64]bool{}
	for {
		r.calls++
		out, err := r.c.GetExecutionHistory(ctx, in)
		if err != nil {
			return nil, err
		}
		reachedOld := false
		for _, e := range out.Events {
			if e.Id <= r.lastID {
				reachedOld = true
				continue
			}
			if !seen[e.Id] {
				seen[e.Id] = true
				fresh = append(fresh, e)
			}
		}
		descending := len(out.Events) > 1 && out.Events[0].Id > out.Events[len(out.Events)-1].Id
		if out.NextToken == nil || (descending && reachedOld) {
			break
		}
		in.NextToken = out.NextToken
	}
	sort.Slice(fresh, func(i, j int) bool { return fresh[i].Id < fresh[j].Id })
	if n := len(fresh); n > 0 {
		r.lastID = fresh[n-1].Id
	}
	return fresh, nil
}

// Watch follows an execution's history until it ends (or once, without
// Follow), telling OnEvents about new events as they come. A cancelled ctx
// returns what was seen with ctx's error.
func Watch(ctx context.Context, c awsops.SFNAPI, opts WatchOptions) (*WatchResult, error) {
	sleep := opts.Sleep.OrSleepContext()
	interval := opts.Interval
	if interval <= 0 {
		interval = time.Second
	}
	page := opts.PageSize
	if page <= 0 || page > MaxHistoryPage {
		page = MaxHistoryPage
	}
	r := &historyReader{c: c, arn: opts.ExecutionARN, pageSize: page}
	res := &WatchResult{}
	ended := false
	for {
		evs, err := r.next(ctx)
		res.Polls++
		if err != nil {
			if awsops.IsCanceled(ctx, err) {
				return res, ctx.Err()
			}
			return res, historyError(opts.ExecutionARN, err)
		}
		if len(evs) > 0 {
			added := make([]asl.HistoryEvent, len(evs))
			for i, e := range evs {
				added[i] = asl.FromSFN(e)
				// A redriven execution's history goes on after its first
				// end: only an end that no ExecutionRedriven follows is one.
				switch {
				case terminalEvent(e.Type):
					ended = true
				case e.Type == types.HistoryEventTypeExecutionRedriven:
					ended = false
				}
			}
			res.Events = append(res.Events, added...)
			if opts.OnEvents != nil {
				opts.OnEvents(added, res.Events)
			}
		}
		if ended || !opts.Follow {
			break
		}
		// No end in the history yet: the execution's status says whether
		// one is still coming (a redriven execution, say, may be running).
		x, err := Describe(ctx, c, opts.ExecutionARN)
		if err != nil {
			if awsops.IsCanceled(ctx, err) {
				return res, ctx.Err()
			}
			return res, err
		}
		if x.Done() && len(evs) == 0 {
			// Ended between the two calls: one more read gets the last events.
			ended = true
			continue
		}
		if err := sleep(ctx, interval); err != nil {
			x, _ := Describe(context.WithoutCancel(ctx), c, opts.ExecutionARN)
			res.Execution = x
			return res, err
		}
	}
	x, err := Describe(ctx, c, opts.ExecutionARN)
	if err != nil {
		if awsops.IsCanceled(ctx, err) {
			return res, ctx.Err()
		}
		return res, err
	}
	res.Execution = x
	return res, nil
}

func historyError(arn string, err error) error {
	switch awsops.ErrorCode(err) {
	case "ExecutionDoesNotExist":
		return input.Errorf("execution", "execution %s does not exist", arn)
	case "InvalidArn":
		return input.Errorf("execution", "%s: %s", arn, awsops.ShortError(err))
	}
	if awsops.ErrorCode(err) == "StateMachineTypeNotSupported" || awsops.ErrorCode(err) == "ResourceTypeNotInContext" {
		return expressError("execution", arn)
	}
	return fmt.Errorf("reading the history of %s: %w", arn, err)
}
