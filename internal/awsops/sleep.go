package awsops

import (
	"context"
	"math/rand/v2"
	"time"
)

// Sleeper waits for d or until ctx is done. Tests replace it to run retries
// without waiting.
type Sleeper func(ctx context.Context, d time.Duration) error

// SleepContext is the real Sleeper.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// OrSleepContext returns s, or SleepContext when s is nil.
func (s Sleeper) OrSleepContext() Sleeper {
	if s == nil {
		return SleepContext
	}
	return s
}

// Backoff between retry rounds: full jitter on an exponential ceiling.
const (
	retryBase = 100 * time.Millisecond
	retryCap  = 5 * time.Second
)

// Backoff is the wait before retry round attempt (from 1): a random time up
// to 100ms doubled each round, at most 5s.
func Backoff(attempt int) time.Duration {
	ceiling := retryBase << min(attempt-1, 10)
	if ceiling > retryCap {
		ceiling = retryCap
	}
	return time.Duration(rand.Int64N(int64(ceiling)) + 1)
}
