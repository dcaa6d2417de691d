package sfnapi

import (
	"math"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// StartQuota is the token bucket Step Functions throttles StartExecution
// of Standard state machines with: one token per call, Burst tokens at
// most, refilled at PerSecond. It is the account's, per region, shared by
// every caller and every Standard machine. Express machines have a quota
// of their own, which the service does not apply.
type StartQuota struct {
	PerSecond float64
	Burst     int
	// Off turns the quota off: every start is let through.
	Off bool
}

// AWSStartQuota is StartExecution's quota for Standard machines in the
// large regions (us-east-1, us-east-2, us-west-2, eu-west-1, ...).
var AWSStartQuota = StartQuota{PerSecond: 300, Burst: 1300}

// NoStartQuota lets every start through.
var NoStartQuota = StartQuota{Off: true}

// Unlimited reports whether the quota lets every start through: it is
// off, or zero.
func (q StartQuota) Unlimited() bool {
	return q.Off || q.PerSecond <= 0 || math.IsInf(q.PerSecond, 1)
}

// String renders the quota as "300/s, burst 1300", or "off".
func (q StartQuota) String() string {
	if q.Unlimited() {
		return "off"
	}
	return strconv.FormatFloat(q.PerSecond, 'f', -1, 64) + "/s, burst " + strconv.Itoa(q.Burst)
}

// startBucket applies a StartQuota on the service's clock: the limiter is
// given the clock's time, so a virtual clock drives it in tests.
type startBucket struct {
	lim *rate.Limiter
	now func() time.Time
}

// newStartBucket returns the bucket of q, full; nil when q is unlimited.
func newStartBucket(q StartQuota, now func() time.Time) *startBucket {
	if q.Unlimited() {
		return nil
	}
	burst := max(q.Burst, 1)
	lim := rate.NewLimiter(rate.Limit(q.PerSecond), burst)
	// A new limiter's bucket is full, as an account's that has started
	// nothing lately.
	return &startBucket{lim: lim, now: now}
}

// allow takes a token, or reports false when the bucket is empty. A nil
// bucket always allows.
func (b *startBucket) allow() bool {
	return b == nil || b.lim.AllowN(b.now(), 1)
}

// errThrottled is StartExecution's answer over the quota, as Step
// Functions gives it: HTTP 400, ThrottlingException, "Rate exceeded".
func errThrottled() *Error {
	return &Error{Code: CodeThrottling, Message: "Rate exceeded"}
}
