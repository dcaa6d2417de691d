package track

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// Quota is a token bucket of the Step Functions API: Burst calls at once,
// then Rate a second.
type Quota struct {
	Burst int
	Rate  float64
}

// Quotas are the token buckets of the Step Functions API actions the
// trackers call, for Standard workflows (shared by every caller in the
// account and region).
type Quotas struct {
	ListExecutions, DescribeExecution, GetExecutionHistory Quota
}

// DefaultQuotas returns AWS's default Standard quotas for a region: the
// larger buckets of US East (N. Virginia), US West (Oregon) and Europe
// (Ireland), the smaller ones elsewhere (Step Functions service quotas,
// "Quotas related to API action throttling").
func DefaultQuotas(region string) Quotas {
	switch region {
	case "us-east-1", "us-west-2", "eu-west-1":
		return Quotas{ListExecutions: Quota{200, 5}, DescribeExecution: Quota{300, 15}, GetExecutionHistory: Quota{400, 20}}
	}
	return Quotas{ListExecutions: Quota{100, 2}, DescribeExecution: Quota{250, 10}, GetExecutionHistory: Quota{400, 20}}
}

// limiter takes share of a quota, so that the tracker leaves room for
// the account's other callers (consoles, dashboards, yafdp saga watch).
func (q Quota) limiter(share float64) *rate.Limiter {
	if share <= 0 || share > 1 {
		share = 0.5
	}
	burst := max(1, int(float64(q.Burst)*share))
	return rate.NewLimiter(rate.Limit(q.Rate*share), burst)
}

// callTimeout bounds every call the trackers make.
const callTimeout = 30 * time.Second

// call runs f with a token from l and a timeout.
func call[T any](ctx context.Context, l *rate.Limiter, f func(context.Context) (T, error)) (T, error) {
	var zero T
	if l != nil {
		if err := l.Wait(ctx); err != nil {
			return zero, err
		}
	}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return f(cctx)
}
