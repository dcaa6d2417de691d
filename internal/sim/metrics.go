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

	latencySum time.Duration
	latencyMax time.Duration
}

// metrics are what the front counts; the sagas' are each partition's
// sagaMetrics.
type metrics struct {
	offered, accepted, rejected                 int64
	executions, duplicateStarts, startThrottled int64
	invocations, failedBatches, sqsRequests     int64
	overLimit                                   int64
	lambdaGBs                                   float64
	wait                                        *hdrhistogram.Histogram
	series                                      []Second
	cur                                         Second
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

// queueWait records how long order k waited in the queue, on its first
// delivery.
func (m *metrics) queueWait(s *simulation, k, receiveCount int) {
	if receiveCount == 1 {
		_ = m.wait.RecordValue(micros(s.now() - s.acceptedAt[k]))
	}
}

// sample closes the current second of the front's part of the time series.
func (m *metrics) sample(s *simulation) {
	c := m.cur
	c.QueueDepth = s.queue.depth()
	c.InFlightMessages = s.queue.inFlight()
	age := s.queue.oldestAge()
	c.OldestAgeS = age.Seconds()
	c.LambdaConcurrency = s.lambda.scaler.Active()
	m.series = append(m.series, c)
	m.peakDepth = max(m.peakDepth, c.QueueDepth+c.InFlightMessages)
	m.peakAge = max(m.peakAge, age)
	m.cur = Second{}
}

// mergeSeries adds up the front's and the partitions' parts of the first
// n seconds; a part that stopped early (nothing left to do) counts zero.
func mergeSeries(n int, parts ...[]Second) []Second {
	out := make([]Second, n)
	for i := range out {
		c := &out[i]
		c.T = i
		for _, part := range parts {
			if i >= len(part) {
				continue
			}
			x := &part[i]
			c.Arrivals += x.Arrivals
			c.Rejected += x.Rejected
			c.QueueDepth += x.QueueDepth
			c.InFlightMessages += x.InFlightMessages
			c.OldestAgeS = max(c.OldestAgeS, x.OldestAgeS)
			c.InFlightSagas += x.InFlightSagas
			c.Completions += x.Completions
			c.Failures += x.Failures
			c.PaymentThrottles += x.PaymentThrottles
			c.StartThrottles += x.StartThrottles
			c.LambdaConcurrency += x.LambdaConcurrency
			c.latencySum += x.latencySum
			c.latencyMax = max(c.latencyMax, x.latencyMax)
		}
		if c.Completions > 0 {
			c.LatencyMeanMS = float64(c.latencySum.Microseconds()) / 1000 / float64(c.Completions)
			c.LatencyMaxMS = float64(c.latencyMax.Microseconds()) / 1000
		}
	}
	return out
}
