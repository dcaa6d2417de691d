package sim

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Second is one point of the per-second time series.
type Second struct {
	T                 int     `json:"t"`
	Arrivals          int     `json:"arrivals"`
	Rejected          int     `json:"rejected"`
	QueueDepth        int     `json:"queueDepth"`
	InFlightMessages  int     `json:"inFlightMessages"`
	OldestAgeS        float64 `json:"oldestAgeS"`
	InFlightSagas     int     `json:"inFlightSagas"`
	Completions       int     `json:"completions"`
	Failures          int     `json:"failures"`
	PaymentThrottles  int     `json:"paymentThrottles"`
	StartThrottles    int     `json:"startThrottles"`
	LambdaConcurrency int     `json:"lambdaConcurrency"`
	LatencyMeanMS     float64 `json:"latencyMeanMs"`
	LatencyMaxMS      float64 `json:"latencyMaxMs"`
}

// frontSecond is the front's part of one second of the series, and
// sagaSecond a partition's: small, since a simulated day has 86,400 of
// each (counts within one second fit in 32 bits).
type frontSecond struct {
	queueDepth, inFlightMessages                          int
	oldestAge                                             time.Duration
	arrivals, rejected, startThrottles, lambdaConcurrency int32
}

type sagaSecond struct {
	latencySum, latencyMax                                 time.Duration
	inFlightSagas, completions, failures, paymentThrottles int32
}

// metrics are what the front counts; the sagas' are each partition's
// sagaMetrics.
type metrics struct {
	offered, accepted, rejected                 int64
	executions, duplicateStarts, startThrottled int64
	duplicateRuns, redeliveredRuns              int64 // Express only
	invocations, failedBatches, sqsRequests     int64
	overLimit                                   int64
	lambdaGBs                                   float64
	wait                                        *hdrhistogram.Histogram
	series                                      []frontSecond
	cur                                         frontSecond
	peakDepth                                   int
	peakAge                                     time.Duration
	drained, interrupted                        bool
	drainedAt, endedAt                          time.Duration
}

func (m *metrics) init() {
	m.wait = latencyHistogram()
}

func micros(d time.Duration) int64 {
	if us := d.Microseconds(); us > 0 {
		return us
	}
	return 1
}

// queueWait records how long an order waited in the queue, on its first
// delivery.
func (m *metrics) queueWait(s *simulation, d *delivery) {
	if d.receiveCount == 1 {
		_ = m.wait.RecordValue(micros(s.now() - d.acceptedAt))
	}
}

// sample closes the current second of the front's part of the time series.
func (m *metrics) sample(s *simulation) {
	c := m.cur
	c.queueDepth = s.queue.depth()
	c.inFlightMessages = s.queue.inFlight()
	c.oldestAge = s.queue.oldestAge()
	c.lambdaConcurrency = int32(s.lambda.scaler.Active())
	m.series = append(m.series, c)
	m.peakDepth = max(m.peakDepth, c.queueDepth+c.inFlightMessages)
	m.peakAge = max(m.peakAge, c.oldestAge)
	m.cur = frontSecond{}
}

// mergeSeries adds up the front's and the partitions' parts of the first
// n seconds; a part that stopped early (nothing left to do) counts zero.
func mergeSeries(n int, front []frontSecond, parts ...[]sagaSecond) []Second {
	out := make([]Second, n)
	for i := range out {
		c := &out[i]
		c.T = i
		if i < len(front) {
			x := &front[i]
			c.Arrivals = int(x.arrivals)
			c.Rejected = int(x.rejected)
			c.QueueDepth = x.queueDepth
			c.InFlightMessages = x.inFlightMessages
			c.OldestAgeS = x.oldestAge.Seconds()
			c.StartThrottles = int(x.startThrottles)
			c.LambdaConcurrency = int(x.lambdaConcurrency)
		}
		var latencySum, latencyMax time.Duration
		for _, part := range parts {
			if i >= len(part) {
				continue
			}
			x := &part[i]
			c.InFlightSagas += int(x.inFlightSagas)
			c.Completions += int(x.completions)
			c.Failures += int(x.failures)
			c.PaymentThrottles += int(x.paymentThrottles)
			latencySum += x.latencySum
			latencyMax = max(latencyMax, x.latencyMax)
		}
		if c.Completions > 0 {
			c.LatencyMeanMS = float64(latencySum.Microseconds()) / 1000 / float64(c.Completions)
			c.LatencyMaxMS = float64(latencyMax.Microseconds()) / 1000
		}
	}
	return out
}
