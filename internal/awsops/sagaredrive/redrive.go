package sagaredrive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	xrate "golang.org/x/time/rate"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/executions"
	"github.com/yafdp/yafdp/internal/rate"
)

// API is the part of the Step Functions API a saga redrive calls.
// *sfn.Client satisfies it.
type API interface {
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	ListExecutions(ctx context.Context, in *sfn.ListExecutionsInput, optFns ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error)
	RedriveExecution(ctx context.Context, in *sfn.RedriveExecutionInput, optFns ...func(*sfn.Options)) (*sfn.RedriveExecutionOutput, error)
	GetExecutionHistory(ctx context.Context, in *sfn.GetExecutionHistoryInput, optFns ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error)
}

var _ API = (*sfn.Client)(nil)

// MaxRedrives is how many times Step Functions lets one execution be
// redriven.
const MaxRedrives = 1000

// Redrivable reports whether an execution of this status may be redriven:
// FAILED, TIMED_OUT and ABORTED ones may (Standard workflows, within 14
// days of their end).
func Redrivable(status string) bool {
	switch types.ExecutionStatus(status) {
	case types.ExecutionStatusFailed, types.ExecutionStatusTimedOut, types.ExecutionStatusAborted:
		return true
	}
	return false
}

// Selection picks the executions of a bulk redrive.
type Selection struct {
	// StateMachineARN is the state machine whose executions are listed.
	StateMachineARN string
	// Status is the status they ended with: FAILED, TIMED_OUT or ABORTED.
	Status string
	// Since keeps executions that stopped at or after it (zero: any).
	Since time.Time
	// Error keeps executions that failed with this error (its name, as
	// DescribeExecution reports it); "" keeps any.
	Error string
}

// Key identifies the selection in a journal: the state machine, the
// status and the error (not Since, which a relative --since moves on
// every run).
func (s Selection) Key() string {
	return s.StateMachineARN + " status=" + s.Status + " error=" + strconv.Quote(s.Error)
}

// Options are the inputs of Redrive.
type Options struct {
	// Executions are the executions to redrive, already described (one
	// given by its ARN or order id); Selection lists them instead.
	Executions []executions.Execution
	Selection  *Selection
	// DryRun lists what would be redriven and redrives nothing.
	DryRun bool
	// Rate paces the redrives and the DescribeExecution calls of --error
	// (zero: no limit).
	Rate rate.Rate
	// Journal records the run; nil runs without one.
	Journal Journal
	// Progress, when set, is told how far the run is after each execution.
	Progress func(Progress)
	// PageSize is ListExecutions' maxResults (default 100).
	PageSize int32
}

// Progress is how far a run is.
type Progress struct{ Done, Total int }

// The outcomes of one execution.
const (
	OutcomeRedriven     = "redriven"
	OutcomeWouldRedrive = "would redrive"
	OutcomeSkipped      = "skipped"
	OutcomeFailed       = "failed"
)

// Item is one execution selected and what became of it. Its status,
// error and redrive count are those it had when it was selected.
type Item struct {
	ARN          string     `json:"executionArn"`
	Name         string     `json:"name"`
	Status       string     `json:"status"`
	Error        string     `json:"error,omitempty"`
	StopDate     *time.Time `json:"stopDate,omitempty"`
	RedriveCount int32      `json:"redriveCount"`
	Outcome      string     `json:"outcome"`
	// Reason says why it was skipped or failed.
	Reason string `json:"reason,omitempty"`
	// RedriveDate is when it was redriven.
	RedriveDate *time.Time `json:"redriveDate,omitempty"`
}

// Result is what a run did.
type Result struct {
	DryRun      bool   `json:"dryRun"`
	Selected    int    `json:"selected"`
	Redriven    int    `json:"redriven"`
	Skipped     int    `json:"skipped"`
	Failed      int    `json:"failed"`
	Items       []Item `json:"executions"`
	Journal     string `json:"journal,omitempty"`
	Interrupted bool   `json:"interrupted,omitempty"`
	// Listed counts the executions ListExecutions returned before the
	// --since and --error filters.
	Listed int `json:"listed"`
}

// Redrive redrives the executions of opts, one at a time, paced by
// opts.Rate, recording each step in the journal first. It returns what it
// did so far with any error that stopped it (ctx's when interrupted).
func Redrive(ctx context.Context, c API, opts Options) (*Result, error) {
	res := &Result{DryRun: opts.DryRun}
	if opts.Journal != nil {
		res.Journal = opts.Journal.Path()
	}
	limiter := opts.Rate.Limiter(1)
	items := make([]Item, 0, len(opts.Executions))
	for _, x := range opts.Executions {
		items = append(items, itemOf(x))
	}
	if opts.Selection != nil {
		var err error
		if items, err = selectExecutions(ctx, c, *opts.Selection, opts.PageSize, limiter, res); err != nil {
			if ctx.Err() != nil {
				res.Interrupted = true
				return res, ctx.Err()
			}
			return res, err
		}
	}
	res.Selected = len(items)
	for i := range items {
		if ctx.Err() != nil {
			res.Interrupted = true
			res.Items = append(res.Items, items[i:]...)
			return res, ctx.Err()
		}
		it := &items[i]
		if err := redriveOne(ctx, c, opts, limiter, it); err != nil {
			res.Items = append(res.Items, items[i:]...)
			if ctx.Err() != nil {
				res.Interrupted = true
				return res, ctx.Err()
			}
			return res, err
		}
		switch it.Outcome {
		case OutcomeRedriven:
			res.Redriven++
		case OutcomeSkipped:
			res.Skipped++
		case OutcomeFailed:
			res.Failed++
		}
		res.Items = append(res.Items, *it)
		if opts.Progress != nil {
			opts.Progress(Progress{Done: i + 1, Total: len(items)})
		}
	}
	return res, nil
}

func itemOf(x executions.Execution) Item {
	return Item{ARN: x.ARN, Name: x.Name, Status: x.Status, Error: x.Error, StopDate: x.StopDate, RedriveCount: x.RedriveCount}
}

// redriveOne decides and makes the redrive of one execution. It returns an
// error only for what stops the run: the journal failing, or ctx.
func redriveOne(ctx context.Context, c API, opts Options, limiter *xrate.Limiter, it *Item) error {
	j := opts.Journal
	if j != nil {
		from, done, inFlight := j.Lookup(it.ARN)
		switch {
		case done:
			it.Outcome, it.Reason = OutcomeSkipped, fmt.Sprintf("already redriven (from redrive count %d) by the run this one resumes", from)
			return nil
		case inFlight:
			// The run this one resumes stopped while asking: the redrive
			// count says whether the redrive was made.
			if err := wait(ctx, limiter); err != nil {
				return err
			}
			x, err := describe(ctx, c, it.ARN)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				it.Outcome, it.Reason = OutcomeFailed, "reading its redrive count: "+awsops.ShortError(err)
				return nil
			}
			if x.RedriveCount > from {
				it.Outcome, it.Reason = OutcomeSkipped, fmt.Sprintf("already redriven (from redrive count %d) by the run this one resumes, which stopped before it recorded so", from)
				if !opts.DryRun {
					return j.Redriven(it.ARN, from)
				}
				return nil
			}
			*it = itemOf(x)
		}
	}
	switch {
	case !Redrivable(it.Status):
		it.Outcome, it.Reason = OutcomeSkipped, fmt.Sprintf("it is %s; only FAILED, TIMED_OUT and ABORTED executions can be redriven", it.Status)
		return nil
	case it.RedriveCount >= MaxRedrives:
		it.Outcome, it.Reason = OutcomeSkipped, fmt.Sprintf("it has been redriven %d times, Step Functions' limit", it.RedriveCount)
		return nil
	}
	if decided, err := endedInFailState(ctx, c, limiter, it); decided || err != nil {
		return err
	}
	if opts.DryRun {
		it.Outcome = OutcomeWouldRedrive
		return nil
	}
	if err := wait(ctx, limiter); err != nil {
		return err
	}
	if j != nil {
		if err := j.Intend(it.ARN, it.RedriveCount); err != nil {
			return err
		}
	}
	out, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(it.ARN), ClientToken: aws.String(clientToken(it.ARN, it.RedriveCount))})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		it.Reason = awsops.ShortError(err)
		switch awsops.ErrorCode(err) {
		case "ExecutionNotRedrivable", "ExecutionDoesNotExist":
			it.Outcome = OutcomeSkipped // changed since it was listed
		default:
			it.Outcome = OutcomeFailed
		}
		return nil
	}
	it.Outcome, it.RedriveDate = OutcomeRedriven, out.RedriveDate
	if j != nil {
		return j.Redriven(it.ARN, it.RedriveCount)
	}
	return nil
}

// clientToken makes RedriveExecution idempotent per execution and redrive
// count: a call repeated after a lost answer (by the SDK, or by a resumed
// run) is the same request, not a second redrive.
func clientToken(arn string, from int32) string {
	sum := sha256.Sum256([]byte(arn + "#" + strconv.Itoa(int(from))))
	return "yafdp-redrive-" + hex.EncodeToString(sum[:16])
}

func wait(ctx context.Context, l *xrate.Limiter) error {
	if l == nil {
		return ctx.Err()
	}
	return l.Wait(ctx)
}

// selectExecutions lists the executions of the selection, newest first:
// ListExecutions with the status filter, then, for each that stopped since
// Since, DescribeExecution when the error is filtered (paced by limiter).
func selectExecutions(ctx context.Context, c API, sel Selection, pageSize int32, limiter *xrate.Limiter, res *Result) ([]Item, error) {
	if pageSize <= 0 {
		pageSize = 100
	}
	in := &sfn.ListExecutionsInput{StateMachineArn: aws.String(sel.StateMachineARN), StatusFilter: types.ExecutionStatus(sel.Status), MaxResults: pageSize}
	var out []Item
	for {
		page, err := c.ListExecutions(ctx, in)
		if err != nil {
			return out, fmt.Errorf("listing the %s executions of %s: %w", sel.Status, sel.StateMachineARN, err)
		}
		for _, e := range page.Executions {
			res.Listed++
			if !sel.Since.IsZero() && (e.StopDate == nil || e.StopDate.Before(sel.Since)) {
				continue
			}
			it := Item{ARN: aws.ToString(e.ExecutionArn), Name: aws.ToString(e.Name), Status: string(e.Status), StopDate: e.StopDate,
				RedriveCount: aws.ToInt32(e.RedriveCount)}
			if sel.Error != "" {
				if err := wait(ctx, limiter); err != nil {
					return out, err
				}
				x, err := describe(ctx, c, it.ARN)
				if err != nil {
					return out, fmt.Errorf("describing %s: %w", it.ARN, err)
				}
				if x.Error != sel.Error {
					continue
				}
				it = itemOf(x)
			}
			out = append(out, it)
		}
		if page.NextToken == nil {
			return out, nil
		}
		in.NextToken = page.NextToken
		if err := wait(ctx, limiter); err != nil {
			return out, err
		}
	}
}

// describe reads one execution's status, error and redrive count.
func describe(ctx context.Context, c API, arn string) (executions.Execution, error) {
	out, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return executions.Execution{}, err
	}
	return executions.Execution{ARN: arn, Name: aws.ToString(out.Name), StateMachineARN: aws.ToString(out.StateMachineArn),
		Status: string(out.Status), StartDate: aws.ToTime(out.StartDate), StopDate: out.StopDate, Error: aws.ToString(out.Error),
		Cause: aws.ToString(out.Cause), RedriveCount: aws.ToInt32(out.RedriveCount)}, nil
}

// endedInFailState decides it (skipped, or failed when its history cannot
// be read) when a FAILED execution ended in a Fail state: a saga that
// caught the error and compensated ends there, and a redrive would enter
// that state again and fail at once.
func endedInFailState(ctx context.Context, c API, limiter *xrate.Limiter, it *Item) (decided bool, err error) {
	if it.Status != string(types.ExecutionStatusFailed) {
		return false, nil
	}
	if err := wait(ctx, limiter); err != nil {
		return false, err
	}
	state, err := failState(ctx, c, it.ARN)
	switch {
	case err != nil && ctx.Err() != nil:
		return false, ctx.Err()
	case err != nil:
		it.Outcome, it.Reason = OutcomeFailed, "reading where it ended: "+awsops.ShortError(err)
		return true, nil
	case state != "":
		it.Outcome, it.Reason = OutcomeSkipped, fmt.Sprintf("it ended in its Fail state %s (after its compensations): a redrive would enter it again and fail at once; submit the order again instead", state)
		return true, nil
	}
	return false, nil
}

// failState names the Fail state an execution ended in, or "" when it
// ended elsewhere: its last two events are FailStateEntered and
// ExecutionFailed.
func failState(ctx context.Context, c API, arn string) (string, error) {
	out, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), ReverseOrder: true, MaxResults: 2})
	if err != nil {
		return "", err
	}
	ev := out.Events
	if len(ev) == 2 && ev[0].Type == types.HistoryEventTypeExecutionFailed && ev[1].Type == types.HistoryEventTypeFailStateEntered && ev[1].StateEnteredEventDetails != nil {
		return aws.ToString(ev[1].StateEnteredEventDetails.Name), nil
	}
	return "", nil
}
