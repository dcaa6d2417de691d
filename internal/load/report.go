package load

import (
	"encoding/base64"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/yafdp/yafdp/internal/sim"
)

// ReportVersion is the version of the report's JSON; merge refuses others.
const ReportVersion = 1

// Report is what a load run (or a merge of shards) observed. Its JSON is
// the input of `yafdp load merge`: the histograms are kept encoded, so
// shards merge exactly.
type Report struct {
	Version int `json:"version"`
	// Scenario is what was asked: the arrivals, and what --compare
	// simulates.
	Scenario sim.Scenario `json:"scenario"`
	Target   Target       `json:"target"`
	// Shards are the shards the report covers, such as ["1/2", "2/2"].
	Shards []string `json:"shards"`
	RunKey string   `json:"runKey"`

	Orders     Counts      `json:"orders"`
	Accounting Accounting  `json:"accounting"`
	Events     EventCounts `json:"events"`
	Pacing     Pacing      `json:"pacing"`
	// LambdaLog is what the new-order function's log said about
	// StartExecution throttles over the run's window; nil when the report
	// was made without asking it (a merge of reports that did not).
	LambdaLog  *LambdaLog               `json:"lambdaLog,omitempty"`
	LatencyMS  Latencies                `json:"latencyMs"`
	StepsMS    map[string]sim.Quantiles `json:"stepsMs,omitempty"`
	Thresholds []ThresholdResult        `json:"thresholds"`
	// Interrupted: Ctrl-C stopped the run; Aborted: a threshold did
	// (--abort-on-fail); Drained: every accepted order reached its end.
	Interrupted bool      `json:"interrupted"`
	Aborted     string    `json:"aborted,omitempty"`
	Drained     bool      `json:"drained"`
	TrackError  string    `json:"trackError,omitempty"`
	StartedAt   time.Time `json:"startedAt"`
	EndedAt     time.Time `json:"endedAt"`
	Series      []Second  `json:"series"`
	// Histograms hold the HDR histograms, encoded, by name (accept,
	// queueWait, saga, e2e, jitter, step.NAME); values in microseconds.
	Histograms map[string]string `json:"histograms"`

	// hists are the live histograms while the report is being made.
	hists map[string]*hdrhistogram.Histogram
}

// Target is where the orders went and how they were followed.
type Target struct {
	Via      string `json:"via"`
	Endpoint string `json:"endpoint"`
	Queue    string `json:"queue,omitempty"`
	Track    string `json:"track"`
	// HistorySample is the share of ended sagas whose history was read:
	// the per-state durations and payment throttles come from them.
	HistorySample float64 `json:"historySample"`
}

// Counts are the orders by what became of them. Submitted is every order
// the run tried to send; Succeeded + Failed + TimedOut + Aborted + DLQ +
// StillRunning + NotAccepted = Submitted.
type Counts struct {
	Planned int64 `json:"planned"`
	// Unsent are the planned orders a pacer that fell behind had not sent
	// when the arrivals' time was over.
	Unsent       int64 `json:"unsent"`
	Submitted    int64 `json:"submitted"`
	Accepted     int64 `json:"accepted"`
	NotAccepted  int64 `json:"notAccepted"`
	Succeeded    int64 `json:"succeeded"`
	Failed       int64 `json:"failed"`
	TimedOut     int64 `json:"timedOut"`
	Aborted      int64 `json:"aborted"`
	DLQ          int64 `json:"dlq"`
	StillRunning int64 `json:"stillRunning"`
	// NotStarted are the still-running orders whose saga never started
	// (still queued, as far as the tracker saw).
	NotStarted int64 `json:"notStarted"`
	// Errors counts the failed, timed-out and aborted sagas by error name.
	Errors map[string]int64 `json:"errors"`
	// SendErrors counts the orders not accepted by why.
	SendErrors       map[string]int64 `json:"sendErrors"`
	Late             int64            `json:"late"`
	SQSThrottles     int64            `json:"sqsThrottles"`
	API429           int64            `json:"api429"`
	PaymentThrottles int64            `json:"paymentThrottles"`
}

// Accounting checks that every submitted order is in exactly one bucket.
type Accounting struct {
	Sum   int64 `json:"sum"`
	Holds bool  `json:"holds"`
}

// EventCounts are the tracker's events that were not counted.
type EventCounts struct {
	Counted int64 `json:"counted"`
	// Foreign are events for orders this run did not send.
	Foreign int64 `json:"foreign"`
	// Duplicate are second events of the same kind for one order, or a
	// second end (an order that already ended and is then dead-lettered).
	Duplicate int64 `json:"duplicate"`
}

// LambdaLog is the count of StartExecution throttles in the new-order
// function's log group (FilterLogEvents with the pattern
// ThrottlingException), over the run's window: the throttles of every
// order the function handled then, this run's or not.
type LambdaLog struct {
	// Group is the log group read; empty when none was, and Note then
	// says where it would be read from.
	Group string `json:"group,omitempty"`
	// StartThrottles counts the matching events; Pages the calls.
	StartThrottles int64  `json:"startThrottles"`
	Pages          int    `json:"pages,omitempty"`
	Error          string `json:"error,omitempty"`
	Note           string `json:"note,omitempty"`
}

// Read reports whether the count was made; false for nil.
func (l *LambdaLog) Read() bool { return l != nil && l.Group != "" && l.Error == "" }

// Pacing compares what was asked with what was sent.
type Pacing struct {
	AskedPerS    float64   `json:"askedPerS"`
	AchievedPerS float64   `json:"achievedPerS"`
	FirstSend    time.Time `json:"firstSend"`
	LastSend     time.Time `json:"lastSend"`
	Sent         int64     `json:"sent"`
	// Senders is how many senders (calls in flight at most, and so
	// connections) the run started, of MaxSenders it may; HeldForSender
	// how many batches the pacer held because all were busy and no more
	// could start yet.
	Senders       int64 `json:"senders"`
	MaxSenders    int64 `json:"maxSenders"`
	HeldForSender int64 `json:"heldForSender"`
}

// Latencies are the run's latency distributions, from the intended send
// time where it applies (no coordinated omission).
type Latencies struct {
	// Accept: answer from the front door − intended send time.
	Accept sim.Quantiles `json:"accept"`
	// QueueWait: execution start − intended send time.
	QueueWait sim.Quantiles `json:"queueWait"`
	// Saga: execution stop − start.
	Saga sim.Quantiles `json:"saga"`
	// EndToEnd: execution stop − intended send time.
	EndToEnd sim.Quantiles `json:"endToEnd"`
	// Jitter: actual − intended send time.
	Jitter sim.Quantiles `json:"jitter"`
}

// Second is one second of the run, from its start.
type Second struct {
	T           int     `json:"t"`
	Sent        int     `json:"sent"`
	Accepted    int     `json:"accepted"`
	NotAccepted int     `json:"notAccepted"`
	Late        int     `json:"late"`
	Throttles   int     `json:"throttles"`
	Started     int     `json:"started"`
	Succeeded   int     `json:"succeeded"`
	Failed      int     `json:"failed"`
	DLQ         int     `json:"dlq"`
	InFlight    int     `json:"inFlight"`
	E2EMeanMS   float64 `json:"e2eMeanMs"`
	E2EMaxMS    float64 `json:"e2eMaxMs"`
	e2eSum      time.Duration
	e2eMax      time.Duration
	ends        int
}

// Histogram names.
const (
	HistAccept    = "accept"
	HistQueueWait = "queueWait"
	HistSaga      = "saga"
	HistE2E       = "e2e"
	HistJitter    = "jitter"
	histStep      = "step."
)

// newHistogram is a latency histogram in microseconds, 1 µs to a day,
// three significant digits: the simulator's.
func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, int64(24*time.Hour/time.Microsecond), 3)
}

// record adds d to h in microseconds, within the histogram's range.
func record(h *hdrhistogram.Histogram, d time.Duration) {
	us := d.Microseconds()
	us = max(us, 0)
	us = min(us, h.HighestTrackableValue())
	_ = h.RecordValue(us)
}

// Quantiles summarises h in milliseconds.
func Quantiles(h *hdrhistogram.Histogram) sim.Quantiles {
	if h == nil || h.TotalCount() == 0 {
		return sim.Quantiles{}
	}
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return sim.Quantiles{
		P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)), P99: ms(h.ValueAtQuantile(99)),
		P999: ms(h.ValueAtQuantile(99.9)), Max: ms(h.Max()), Mean: math.Round(h.Mean()) / 1000,
	}
}

func encodeHistogram(h *hdrhistogram.Histogram) (string, error) {
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func decodeHistogram(name, s string) (*hdrhistogram.Histogram, error) {
	if _, err := base64.StdEncoding.DecodeString(s); err != nil {
		return nil, fmt.Errorf("histogram %s: not base64", name)
	}
	h, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("histogram %s: %v", name, err)
	}
	return h, nil
}

// summarise fills the report's quantiles from its histograms.
func (r *Report) summarise(hs map[string]*hdrhistogram.Histogram) error {
	r.Histograms = map[string]string{}
	r.StepsMS = map[string]sim.Quantiles{}
	names := make([]string, 0, len(hs))
	for n := range hs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		h := hs[n]
		enc, err := encodeHistogram(h)
		if err != nil {
			return err
		}
		r.Histograms[n] = enc
		if len(n) > len(histStep) && n[:len(histStep)] == histStep {
			r.StepsMS[n[len(histStep):]] = Quantiles(h)
		}
	}
	r.LatencyMS = Latencies{
		Accept: Quantiles(hs[HistAccept]), QueueWait: Quantiles(hs[HistQueueWait]), Saga: Quantiles(hs[HistSaga]),
		EndToEnd: Quantiles(hs[HistE2E]), Jitter: Quantiles(hs[HistJitter]),
	}
	if len(r.StepsMS) == 0 {
		r.StepsMS = nil
	}
	return nil
}

// check recomputes the accounting sum.
func (c *Counts) check() Accounting {
	sum := c.Succeeded + c.Failed + c.TimedOut + c.Aborted + c.DLQ + c.StillRunning + c.NotAccepted
	return Accounting{Sum: sum, Holds: sum == c.Submitted}
}

// Share is n as a share of the submitted orders.
func (r *Report) Share(n int64) float64 {
	if r.Orders.Submitted == 0 {
		return 0
	}
	return float64(n) / float64(r.Orders.Submitted)
}
