package sim

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/saga"
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

type metrics struct {
	offered, accepted, rejected                 int64
	executions, duplicateStarts, startThrottled int64
	succeeded, failed, manual, timedOut         int64
	aborted                                     int64
	errors                                      map[string]int64
	retries, transitions                        int64
	invocations, failedBatches, sqsRequests     int64
	overLimit                                   int64
	lambdaGBs, expressGBs                       float64
	taskCalls                                   int64
	taskTime                                    time.Duration
	e2e, wait                                   *hdrhistogram.Histogram
	live                                        map[int]*asl.Execution
	series                                      []Second
	cur                                         Second
	peakDepth                                   int
	peakAge                                     time.Duration
	drained, interrupted                        bool
	drainedAt, endedAt                          time.Duration
	lastPaymentThrottles                        int64
}

func (m *metrics) init(s *simulation) {
	m.errors = map[string]int64{}
	m.e2e = latencyHistogram()
	m.wait = latencyHistogram()
	m.live = map[int]*asl.Execution{}
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

func (m *metrics) sagaEnded(s *simulation, k int, x *asl.Execution, status asl.Status, errName string) {
	lat := s.now() - s.acceptedAt[k]
	_ = m.e2e.RecordValue(micros(lat))
	m.cur.Completions++
	m.cur.latencySum += lat
	m.cur.latencyMax = max(m.cur.latencyMax, lat)
	switch status {
	case asl.StatusSucceeded:
		m.succeeded++
	case asl.StatusFailed:
		m.failed++
		m.cur.Failures++
		m.errors[errName]++
		if errName == saga.ErrCompensationFailed {
			m.manual++
		}
	case asl.StatusTimedOut:
		m.timedOut++
	case asl.StatusAborted:
		m.aborted++
	}
	m.retries += x.Retries()
	m.transitions += x.StateTransitions()
	m.taskCalls += x.TaskCalls()
	m.taskTime += x.TaskTime()
	billed := USEast1.expressBilled(x.StopTime().Sub(x.StartTime()))
	m.expressGBs += gbSeconds(s.sc.StepFunctions.ExpressMemoryMB, billed)
}

// sample closes the current second of the time series.
func (m *metrics) sample(s *simulation) {
	c := m.cur
	c.T = len(m.series)
	c.QueueDepth = s.queue.depth()
	c.InFlightMessages = s.queue.inFlight()
	age := s.queue.oldestAge()
	c.OldestAgeS = age.Seconds()
	c.InFlightSagas = s.running
	c.LambdaConcurrency = s.lambda.active
	pt := s.fakes.Stats()[saga.FnPaymentCharge].Throttled + s.fakes.Stats()[saga.FnPaymentRefund].Throttled
	c.PaymentThrottles = int(pt - m.lastPaymentThrottles)
	m.lastPaymentThrottles = pt
	if c.Completions > 0 {
		c.LatencyMeanMS = float64(c.latencySum.Microseconds()) / 1000 / float64(c.Completions)
		c.LatencyMaxMS = float64(c.latencyMax.Microseconds()) / 1000
	}
	m.series = append(m.series, c)
	m.peakDepth = max(m.peakDepth, c.QueueDepth+c.InFlightMessages)
	m.peakAge = max(m.peakAge, age)
	m.cur = Second{}
}
