package saga

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/saga"
	"github.com/yafdp/yafdp/internal/ui"
)

// batchReport is the record `saga run` prints: the JSON form is for
// scripts (stable snake_case keys), render is for people.
type batchReport struct {
	Orders             int                       `json:"orders"`
	Seed               uint64                    `json:"seed"`
	Clock              string                    `json:"clock"`
	Definition         string                    `json:"definition"`
	Faults             []string                  `json:"faults"`
	Succeeded          int                       `json:"succeeded"`
	Failed             int                       `json:"failed"`
	CompensationFailed int                       `json:"compensationFailed"`
	TimedOut           int                       `json:"timedOut"`
	Aborted            int                       `json:"aborted"`
	Errors             map[string]int            `json:"errors"`
	Retries            int64                     `json:"retries"`
	Compensated        int                       `json:"compensated"`
	CompensationSteps  int64                     `json:"compensationSteps"`
	StateTransitions   int64                     `json:"stateTransitions"`
	LatencyMS          latencyMS                 `json:"latencyMs"`
	Invariant          string                    `json:"invariant"`
	Violations         int                       `json:"violations"`
	ViolatingOrders    []violation               `json:"violatingOrders"`
	Calls              map[string]saga.CallStats `json:"calls"`
	ElapsedMS          float64                   `json:"elapsedMs"`
	WallMS             float64                   `json:"wallMs"`
	Interrupted        bool                      `json:"interrupted"`
	Timeline           []saga.Step               `json:"timeline,omitempty"`
	Execution          *executionSummary         `json:"execution,omitempty"`
	categories         map[saga.Category]int
}

type latencyMS struct {
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

type violation struct {
	OrderID string `json:"orderId"`
	Reason  string `json:"reason"`
}

type executionSummary struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	Cause  string `json:"cause,omitempty"`
}

// Invariant verdicts.
const (
	invariantHolds    = "holds"
	invariantViolated = "violated"
	invariantSkipped  = "not checked"
)

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func newBatchReport(o *RunOptions, res *saga.BatchResult, wall time.Duration) *batchReport {
	r := &batchReport{
		Orders:             res.Orders,
		Seed:               o.Seed,
		Clock:              "real",
		Definition:         "built-in",
		Faults:             append(append([]string{}, o.Faults...), latencySpecs(o.Latencies)...),
		Succeeded:          res.Succeeded,
		Failed:             res.Failed,
		CompensationFailed: res.ManualRepair,
		TimedOut:           res.TimedOut,
		Aborted:            res.Aborted,
		Errors:             res.Errors,
		Retries:            res.Retries,
		Compensated:        res.Compensated,
		CompensationSteps:  res.CompensationSteps,
		StateTransitions:   res.StateTransitions,
		LatencyMS: latencyMS{P50: ms(res.Latency.P50), P95: ms(res.Latency.P95), P99: ms(res.Latency.P99),
			Max: ms(res.Latency.Max), Mean: ms(res.Latency.Mean)},
		Calls:           res.Calls,
		ElapsedMS:       ms(res.Elapsed),
		WallMS:          ms(wall),
		Interrupted:     res.Interrupted,
		ViolatingOrders: []violation{},
		categories:      map[saga.Category]int{},
	}
	if o.Virtual {
		r.Clock = "virtual"
	}
	if o.DefinitionFile != "" {
		r.Definition = o.DefinitionFile
	}
	switch {
	case !res.CheckRan:
		r.Invariant = invariantSkipped
	case res.Check.OK():
		r.Invariant = invariantHolds
	default:
		r.Invariant = invariantViolated
	}
	for _, v := range res.Check.Violations {
		r.ViolatingOrders = append(r.ViolatingOrders, violation{OrderID: v.OrderID, Reason: v.Reason})
	}
	r.Violations = len(r.ViolatingOrders)
	for _, c := range saga.Categories() {
		r.categories[c] = res.Check.Count(c)
	}
	if len(res.Executions) == 1 && res.Executions[0] != nil {
		x := res.Executions[0]
		status, _, errName, cause := x.Result()
		r.Execution = &executionSummary{Name: x.Name, Status: string(status), Error: errName, Cause: cause}
		r.Timeline = saga.Timeline(x.Events())
	}
	return r
}

func latencySpecs(specs []string) []string {
	out := make([]string, 0, len(specs))
	for _, s := range specs {
		out = append(out, "latency:"+s)
	}
	return out
}

// render writes the summary for people.
func (r *batchReport) render(w io.Writer, s *ui.Styles) error {
	if err := r.renderHeader(w, s); err != nil {
		return err
	}
	outcomes := ui.NewShares(s, int64(r.Orders), "Outcome", "Orders", "Share")
	outcomes.Add("succeeded", int64(r.Succeeded), ui.ToneSuccess, true)
	outcomes.Add("failed, compensated", int64(r.Failed-r.CompensationFailed), ui.ToneWarning, true)
	outcomes.Add("failed, needs manual repair ("+saga.ErrCompensationFailed+")", int64(r.CompensationFailed), ui.ToneFailure, false)
	outcomes.Add("timed out", int64(r.TimedOut), ui.ToneFailure, false)
	outcomes.Add("aborted", int64(r.Aborted), ui.ToneFailure, false)
	if err := outcomes.Render(w); err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		io.WriteString(w, "\n")
		if err := ui.RenderCounts(w, s, "Failed with", "Orders", r.Errors); err != nil {
			return err
		}
	}
	io.WriteString(w, "\n")
	if err := r.facts(s).Render(w); err != nil {
		return err
	}
	if r.Violations > 0 {
		io.WriteString(w, "\n")
		v := ui.Table{Headers: []string{"Order", "Violation"}}
		for _, x := range r.ViolatingOrders {
			v.Rows = append(v.Rows, []string{x.OrderID, s.Failure(x.Reason)})
		}
		return ui.RenderTable(w, v, s)
	}
	return nil
}

// renderHeader writes what ran, and the timeline of a single order.
func (r *batchReport) renderHeader(w io.Writer, s *ui.Styles) error {
	var b strings.Builder
	clock := "real time"
	if r.Clock == "virtual" {
		clock = "virtual time"
	}
	faults := "no faults"
	if len(r.Faults) > 0 {
		faults = strings.Join(r.Faults, " ")
	}
	b.WriteString(s.Headline("Saga run:", fmt.Sprintf("%s · seed %d · %s · %s", ui.Plural(r.Orders, "order"), r.Seed, clock, faults)))
	if r.Definition != "built-in" {
		b.WriteString(s.Headline("Definition:", r.Definition))
	}
	if r.Execution != nil {
		b.WriteString("\n")
		r.renderTimeline(&b, s)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// facts are the run's figures: retries, compensations, latency, the
// invariant, time.
func (r *batchReport) facts(s *ui.Styles) *ui.Facts {
	f := ui.NewFacts(s)
	f.Add("Retries", ui.Count(r.Retries))
	f.Add("Compensations", fmt.Sprintf("%s, %s", ui.Plural(r.Compensated, "order"), ui.Plural(int(r.CompensationSteps), "compensation step")))
	f.Add("State transitions", ui.Count(r.StateTransitions))
	f.Add("Saga latency", fmt.Sprintf("p50 %s · p95 %s · p99 %s · max %s", msDur(r.LatencyMS.P50), msDur(r.LatencyMS.P95), msDur(r.LatencyMS.P99), msDur(r.LatencyMS.Max)))
	if payment, ok := r.Calls[saga.FnPaymentCharge]; ok && payment.Calls > 0 {
		f.Add("Payment charges", fmt.Sprintf("%s, %s throttled", ui.Plural(int(payment.Calls), "call"), ui.Count(payment.Throttled)))
	}
	switch r.Invariant {
	case invariantHolds:
		f.Add("Invariant", s.SuccessIcon()+" "+s.Success("holds for "+map[bool]string{true: "the order", false: "all " + ui.Plural(r.Orders, "order")}[r.Orders == 1]))
	case invariantViolated:
		f.Add("Invariant", s.FailureIcon()+" "+s.Failure("violated for "+ui.Plural(r.Violations, "order")))
	default:
		f.Add("Invariant", s.Muted("not checked: the definition never called the fake services"))
	}
	elapsed := msDur(r.ElapsedMS)
	if r.Clock == "virtual" {
		elapsed += " simulated in " + msDur(r.WallMS)
	}
	f.Add("Elapsed", elapsed)
	if r.Interrupted {
		f.Add("Interrupted", s.Warning("yes: orders not yet started were skipped, running ones aborted"))
	}
	return f
}

// renderTimeline writes the one-order timeline.
func (r *batchReport) renderTimeline(b *strings.Builder, s *ui.Styles) {
	x := r.Execution
	renderExecutionTimeline(b, s, x.Name, x.Status, x.Error, x.Cause, r.Timeline)
}

func msDur(v float64) string { return ui.Duration(time.Duration(v * float64(time.Millisecond))) }
