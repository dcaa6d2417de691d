package track

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// LogsAPI is the part of CloudWatch Logs the throttle count calls;
// *cloudwatchlogs.Client satisfies it.
type LogsAPI interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

var _ LogsAPI = (*cloudwatchlogs.Client)(nil)

// ThrottlePattern is the filter pattern that finds a refused StartExecution
// in the new-order function's log: the error code the SDKs put in the
// error's text.
const ThrottlePattern = "ThrottlingException"

// filterLogEventsQuota is CloudWatch Logs' FilterLogEvents quota (5 calls
// a second per account and region); the count takes at most half of it,
// leaving the rest to the account's other readers.
var filterLogEventsQuota = Quota{Burst: 5, Rate: 5}

// StartThrottleOptions configure CountStartThrottles.
type StartThrottleOptions struct {
	Logs LogsAPI
	// LogGroup is the new-order function's log group, such as
	// /aws/lambda/new-order.
	LogGroup string
	// Start and End bound the window: events timestamped within it count.
	Start, End time.Time
	// Timeout bounds the whole count (default 1m); each call has
	// callTimeout.
	Timeout time.Duration
}

// StartThrottles is what the count found.
type StartThrottles struct {
	Count int64
	// Pages is how many FilterLogEvents calls it took.
	Pages int
}

// CountStartThrottles counts the events of the log group within the window
// that match ThrottlePattern: one for each StartExecution the quota
// refused the function, which logs each failed order once. It reads every
// page (FilterLogEvents may answer an empty page with a token), paced
// within FilterLogEvents' quota, and gives up with an error after Timeout.
func CountStartThrottles(ctx context.Context, o StartThrottleOptions) (StartThrottles, error) {
	var res StartThrottles
	if o.Logs == nil || o.LogGroup == "" {
		return res, errors.New("no log group to read")
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	lim := filterLogEventsQuota.limiter(0.5)
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName:  aws.String(o.LogGroup),
		FilterPattern: aws.String(ThrottlePattern),
		StartTime:     aws.Int64(o.Start.UnixMilli()),
		// EndTime is exclusive; the window's last millisecond counts.
		EndTime: aws.Int64(o.End.UnixMilli() + 1),
	}
	for {
		out, err := call(ctx, lim, func(ctx context.Context) (*cloudwatchlogs.FilterLogEventsOutput, error) {
			return o.Logs.FilterLogEvents(ctx, in)
		})
		if err != nil {
			return res, fmt.Errorf("FilterLogEvents on %s after %d pages: %w", o.LogGroup, res.Pages, err)
		}
		res.Pages++
		res.Count += int64(len(out.Events))
		next := aws.ToString(out.NextToken)
		if next == "" || next == aws.ToString(in.NextToken) {
			return res, nil
		}
		in.NextToken = out.NextToken
	}
}
