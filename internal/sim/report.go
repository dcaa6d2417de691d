package sim

import (
	"math"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/yafdp/yafdp/internal/saga"
)

// Report is what a simulation found. Its JSON form is byte-identical for
// the same scenario and seed: it holds no wall-clock time.
type Report struct {
	Scenario Scenario `json:"scenario"`

	Orders    Orders    `json:"orders"`
	LatencyMS Quantiles `json:"latencyMs"`
	// QueueWaitMS is from acceptance to the first delivery to the function.
	QueueWaitMS    Quantiles      `json:"queueWaitMs"`
	Payment        PaymentStats   `json:"payment"`
	StartExecution StartStats     `json:"startExecution"`
	Queue          QueueStats     `json:"queue"`
	Lambda         LambdaStats    `json:"lambda"`
	Sagas          SagaStats      `json:"sagas"`
	Cost           Cost           `json:"cost"`
	Invariant      InvariantCheck `json:"invariant"`
	// Express is what Express semantics changed (type express only).
	Express *ExpressStats `json:"express,omitempty"`
	// ArrivalsS is how long orders arrived; SimulatedS how long the model
	// ran; DrainS how long after the arrivals the pipeline was empty (-1:
	// not within max_drain).
	ArrivalsS   float64  `json:"arrivalsS"`
	SimulatedS  float64  `json:"simulatedS"`
	DrainS      float64  `json:"drainS"`
	Interrupted bool     `json:"interrupted"`
	Series      []Second `json:"series"`
}

// Orders counts orders by what became of them.
type Orders struct {
	Offered            int64            `json:"offered"`
	Accepted           int64            `json:"accepted"`
	Rejected429        int64            `json:"rejected429"`
	Succeeded          int64            `json:"succeeded"`
	Failed             int64            `json:"failed"`
	CompensationFailed int64            `json:"compensationFailed"`
	TimedOut           int64            `json:"timedOut"`
	Aborted            int64            `json:"aborted"`
	InDLQ              int64            `json:"inDlq"`
	StillQueued        int64            `json:"stillQueued"`
	Errors             map[string]int64 `json:"errors"`
}

// Quantiles of a latency distribution, in milliseconds.
type Quantiles struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// PaymentStats are the payment provider's calls as the fake saw them.
type PaymentStats struct {
	Charges   int64 `json:"charges"`
	Refunds   int64 `json:"refunds"`
	Throttled int64 `json:"throttled"`
	// Retries counts every Task/Parallel/Map retry of the sagas, payment's
	// throttling first among them.
	Retries int64 `json:"retries"`
}

// StartStats are the new-order function's StartExecution calls.
type StartStats struct {
	Executions int64 `json:"executions"`
	Throttled  int64 `json:"throttled"`
	Duplicates int64 `json:"duplicates"`
}

// QueueStats describe the orders queue over the run.
type QueueStats struct {
	PeakDepth      int     `json:"peakDepth"`
	FinalDepth     int     `json:"finalDepth"`
	PeakOldestAgeS float64 `json:"peakOldestAgeS"`
	FinalOldestAge float64 `json:"finalOldestAgeS"`
	DLQ            int     `json:"dlq"`
	Requests       int64   `json:"requests"`
	// OverLimitReceives are receives SQS refused because 120,000 messages
	// were in flight.
	OverLimitReceives int64 `json:"overLimitReceives"`
}

// LambdaStats describe the new-order function.
type LambdaStats struct {
	PeakConcurrency int   `json:"peakConcurrency"`
	Invocations     int64 `json:"invocations"`
	FailedBatches   int64 `json:"batchesWithFailures"`
}

// SagaStats count the executions' work.
type SagaStats struct {
	StateTransitions int64 `json:"stateTransitions"`
	TaskCalls        int64 `json:"taskCalls"`
}

// InvariantCheck is the saga checker's verdict over every order.
type InvariantCheck struct {
	Orders          int         `json:"orders"`
	Violations      int         `json:"violations"`
	ViolatingOrders []Violation `json:"violatingOrders"`
	ManualRepair    int         `json:"manualRepair"`
	Interrupted     int         `json:"interrupted"`
	// Unchecked counts the orders of a definition other than the built-in
	// saga that never called the fake services: the saga's invariant says
	// nothing about them.
	Unchecked int `json:"unchecked,omitempty"`
}

// Violation is one order that breaks the invariant.
type Violation struct {
	OrderID string `json:"orderId"`
	Reason  string `json:"reason"`
}

func quantiles(h *hdrhistogram.Histogram) Quantiles {
	if h.TotalCount() == 0 {
		return Quantiles{}
	}
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return Quantiles{
		P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)), P99: ms(h.ValueAtQuantile(99)),
		P999: ms(h.ValueAtQuantile(99.9)), Max: ms(h.Max()), Mean: math.Round(h.Mean()) / 1000,
	}
}

// add sums o, another partition's counts, into sm; the checks and series
// are merged apart.
func (sm *sagaMetrics) add(o *sagaMetrics) {
	sm.succeeded += o.succeeded
	sm.failed += o.failed
	sm.manual += o.manual
	sm.timedOut += o.timedOut
	sm.aborted += o.aborted
	for name, n := range o.errors {
		sm.errors[name] += n
	}
	sm.retries += o.retries
	sm.transitions += o.transitions
	sm.taskCalls += o.taskCalls
	sm.taskTime += o.taskTime
	sm.expressGBs += o.expressGBs
	sm.dupPaymentCalls += o.dupPaymentCalls
	sm.overlapping += o.overlapping
	sm.diverged += o.diverged
	sm.chargedTwice += o.chargedTwice
	sm.e2e.Merge(o.e2e)
}

func (s *simulation) report() *Report {
	m := &s.m
	// The sagas' counts, summed over the partitions in partition order.
	sm := sagaMetrics{errors: map[string]int64{}, e2e: latencyHistogram()}
	var checks []saga.Report
	unchecked := 0
	var charge, refund saga.CallStats
	var seriesParts [][]sagaSecond
	for _, p := range s.parts {
		sm.add(&p.m)
		checks = append(checks, p.m.check.Report())
		unchecked += p.m.unchecked
		stats := p.fakes.Stats()
		charge = charge.Add(stats[saga.FnPaymentCharge])
		refund = refund.Add(stats[saga.FnPaymentRefund])
		seriesParts = append(seriesParts, p.m.series)
	}
	// A tick at second i+1 closes point i; the series ends with the last
	// tick at or before the end of the run.
	n := int(m.endedAt / time.Second)
	r := &Report{Scenario: s.sc, Series: mergeSeries(n, m.series, seriesParts...), Interrupted: m.interrupted}
	r.Orders = Orders{
		Offered: m.offered, Accepted: m.accepted, Rejected429: m.rejected,
		Succeeded: sm.succeeded, Failed: sm.failed, CompensationFailed: sm.manual,
		TimedOut: sm.timedOut, Aborted: sm.aborted, InDLQ: int64(s.queue.dead()),
		StillQueued: int64(s.queue.depth() + s.queue.inFlight() + s.queue.delayed()),
		Errors:      sm.errors,
	}
	r.LatencyMS = quantiles(sm.e2e)
	r.QueueWaitMS = quantiles(m.wait)
	r.Payment = PaymentStats{Charges: charge.Calls, Refunds: refund.Calls, Throttled: charge.Throttled + refund.Throttled, Retries: sm.retries}
	r.StartExecution = StartStats{Executions: m.executions, Throttled: m.startThrottled, Duplicates: m.duplicateStarts}
	r.Queue = QueueStats{
		PeakDepth: m.peakDepth, FinalDepth: s.queue.depth() + s.queue.inFlight(),
		PeakOldestAgeS: m.peakAge.Seconds(), FinalOldestAge: s.queue.oldestAge().Seconds(),
		DLQ: s.queue.dead(), Requests: s.queue.sent + m.sqsRequests,
		OverLimitReceives: m.overLimit,
	}
	r.Lambda = LambdaStats{PeakConcurrency: s.lambda.scaler.Peak(), Invocations: m.invocations, FailedBatches: m.failedBatches}
	r.Sagas = SagaStats{StateTransitions: sm.transitions, TaskCalls: sm.taskCalls}
	// An interrupted run's arrivals lasted only as long as the run.
	arrived := min(s.arrEnd, m.endedAt)
	r.ArrivalsS = arrived.Seconds()
	r.SimulatedS = m.endedAt.Seconds()
	r.DrainS = -1
	if m.drained {
		r.DrainS = math.Max(0, (m.drainedAt - s.arrEnd).Seconds())
	}
	completed := sm.succeeded + sm.failed + sm.timedOut
	r.Cost = USEast1.Bill(Usage{
		APIRequests:       m.accepted,
		SQSRequests:       r.Queue.Requests,
		LambdaInvocations: m.invocations,
		LambdaGBSeconds:   m.lambdaGBs,
		Executions:        m.executions,
		StateTransitions:  sm.transitions,
		ExpressGBSeconds:  sm.expressGBs,
		TaskInvocations:   sm.taskCalls,
		TaskGBSeconds:     gbSeconds(USEast1.TaskFunctionMemoryMB, sm.taskTime),
		CompletedOrders:   completed,
		OfferedRatePerSec: float64(m.offered) / math.Max(arrived.Seconds(), 1e-9),
		APIGatewayKind:    s.sc.APIGateway.Kind,
	})
	merged := saga.MergeReports(checks...)
	r.Invariant = invariant(merged)
	r.Invariant.Unchecked = unchecked
	if s.sc.express() {
		r.Express = &ExpressStats{
			TimedOut: sm.timedOut, InterruptedWithEffects: merged.InterruptedWithEffects,
			DuplicateRuns: m.duplicateRuns, RedeliveredRuns: m.redeliveredRuns, DuplicatePaymentCalls: sm.dupPaymentCalls,
			OverlappingRuns: sm.overlapping, Diverged: sm.diverged, ChargedTwice: sm.chargedTwice,
		}
	}
	return r
}

// violationsShown is how many violating orders a report lists; each
// partition's tally keeps no more.
const violationsShown = 20

// invariant is the checker's verdict, with the first 20 violating orders.
func invariant(check saga.Report) InvariantCheck {
	ic := InvariantCheck{
		Orders:          check.Orders,
		Violations:      check.Count(saga.Violation),
		ViolatingOrders: []Violation{},
		ManualRepair:    check.Count(saga.ManualRepair),
		Interrupted:     check.Count(saga.Interrupted),
	}
	for i, v := range check.Violations {
		if i == violationsShown {
			break
		}
		ic.ViolatingOrders = append(ic.ViolatingOrders, Violation{OrderID: v.OrderID, Reason: v.Reason})
	}
	return ic
}

// drainDuration is the report's drain time as a duration (negative when
// the pipeline did not drain).
func (r *Report) drainDuration() time.Duration {
	return time.Duration(r.DrainS * float64(time.Second))
}
