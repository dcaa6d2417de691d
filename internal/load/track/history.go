package track

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"golang.org/x/time/rate"
)

// PaymentThrottled is the error the saga's payment Task fails with when
// the payment provider throttles it.
const PaymentThrottled = "Payment.Throttled"

// HistoryOptions say whether a tracker reads ended executions' histories
// (GetExecutionHistory) to fill Event.Steps and PaymentThrottles.
type HistoryOptions struct {
	// SFN reads the histories; nil reads none.
	SFN SFNAPI
	// Sample is the share of ended executions whose history is read, 0
	// to 1 (0: none). Which ones is decided by a hash of the execution's
	// ARN and Seed, so a run is reproducible.
	Sample float64
	Seed   uint64
	// Quota is GetExecutionHistory's token bucket, of which Share (0.5
	// when zero) is used; DefaultQuotas' when zero.
	Quota Quota
	Share float64
	// Workers read histories concurrently (4 when zero).
	Workers int
}

type historyReader struct {
	opts    HistoryOptions
	limiter *rate.Limiter
}

func newHistoryReader(opts HistoryOptions, region string) *historyReader {
	if opts.SFN == nil || opts.Sample <= 0 {
		return nil
	}
	if opts.Quota.Burst == 0 {
		opts.Quota = DefaultQuotas(region).GetExecutionHistory
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	return &historyReader{opts: opts, limiter: opts.Quota.limiter(opts.Share)}
}

// wants reports whether the execution's history is in the sample.
func (h *historyReader) wants(arn string) bool {
	if h == nil {
		return false
	}
	if h.opts.Sample >= 1 {
		return true
	}
	f := fnv.New64a()
	var seed [8]byte
	for i := range seed {
		seed[i] = byte(h.opts.Seed >> (8 * i))
	}
	f.Write(seed[:])
	f.Write([]byte(arn))
	return float64(f.Sum64()>>11)/float64(1<<53) < h.opts.Sample
}

// fill reads e's history and sets Steps, PaymentThrottles and
// HistoryRead; on an error e is left as it was.
func (h *historyReader) fill(ctx context.Context, e *Event) error {
	var events []types.HistoryEvent
	var token *string
	for {
		out, err := call(ctx, h.limiter, func(ctx context.Context) (*sfn.GetExecutionHistoryOutput, error) {
			return h.opts.SFN.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{
				ExecutionArn: aws.String(e.ExecutionARN), MaxResults: 1000, NextToken: token})
		})
		if err != nil {
			return err
		}
		events = append(events, out.Events...)
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	e.Steps, e.PaymentThrottles = Steps(events)
	e.HistoryRead = true
	return nil
}

// Steps sums how long each state took, from its StateEntered event to its
// StateExited event (a state entered several times adds up), and counts
// the Task failures with Payment.Throttled.
func Steps(events []types.HistoryEvent) (map[string]time.Duration, int) {
	steps := map[string]time.Duration{}
	entered := map[string][]time.Time{}
	throttles := 0
	for _, ev := range events {
		switch {
		case ev.StateEnteredEventDetails != nil:
			n := aws.ToString(ev.StateEnteredEventDetails.Name)
			entered[n] = append(entered[n], aws.ToTime(ev.Timestamp))
		case ev.StateExitedEventDetails != nil:
			n := aws.ToString(ev.StateExitedEventDetails.Name)
			if q := entered[n]; len(q) > 0 {
				steps[n] += aws.ToTime(ev.Timestamp).Sub(q[0])
				entered[n] = q[1:]
			}
		case ev.TaskFailedEventDetails != nil:
			if aws.ToString(ev.TaskFailedEventDetails.Error) == PaymentThrottled {
				throttles++
			}
		case ev.LambdaFunctionFailedEventDetails != nil:
			if aws.ToString(ev.LambdaFunctionFailedEventDetails.Error) == PaymentThrottled {
				throttles++
			}
		}
	}
	return steps, throttles
}
