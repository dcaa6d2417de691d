package simulate

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/sim"
	"github.com/yafdp/yafdp/internal/ui"
)

// tableView renders a report for people.
type tableView struct {
	r    *sim.Report
	wall time.Duration
}

const sparkWidth = 48

func (v *tableView) render(w io.Writer, s *ui.Styles) error {
	r := v.r
	if err := v.renderHeader(w, s); err != nil {
		return err
	}
	o := r.Orders
	t := ui.NewShares(s, o.Offered, "Orders", "Count", "Share")
	t.Add("offered", o.Offered, ui.ToneNone, true)
	t.Add("rejected by API Gateway (429)", o.Rejected429, ui.ToneWarning, false)
	t.Add("succeeded", o.Succeeded, ui.ToneSuccess, true)
	t.Add("failed, compensated", o.Failed-o.CompensationFailed, ui.ToneWarning, true)
	t.Add("failed, needs manual repair", o.CompensationFailed, ui.ToneFailure, false)
	t.Add("timed out", o.TimedOut, ui.ToneFailure, false)
	t.Add("aborted at the end of the run", o.Aborted, ui.ToneWarning, false)
	t.Add("in the dead-letter queue", o.InDLQ, ui.ToneFailure, false)
	t.Add("still queued at the end", o.StillQueued, ui.ToneWarning, false)
	if err := t.Render(w); err != nil {
		return err
	}
	if len(o.Errors) > 0 {
		io.WriteString(w, "\n")
		if err := ui.RenderCounts(w, s, "Failed with", "Orders", o.Errors); err != nil {
			return err
		}
	}
	io.WriteString(w, "\n")
	f := ui.NewFacts(s)
	v.pipelineFacts(f, s)
	v.outcomeFacts(f, s)
	if err := f.Render(w); err != nil {
		return err
	}
	if inv := r.Invariant; inv.Violations > 0 {
		io.WriteString(w, "\n")
		vt := ui.Table{Headers: []string{"Order", "Violation"}}
		for _, x := range inv.ViolatingOrders {
			vt.Rows = append(vt.Rows, []string{x.OrderID, s.Failure(x.Reason)})
		}
		return ui.RenderTable(w, vt, s)
	}
	return nil
}

// renderHeader writes what was simulated.
func (v *tableView) renderHeader(w io.Writer, s *ui.Styles) error {
	sc := v.r.Scenario
	var b strings.Builder
	name := sc.Name + " · "
	if sc.Name == "flags" {
		name = ""
	}
	b.WriteString(s.Headline("Simulation:", fmt.Sprintf("%s%s · seed %d", name, DescribeArrivals(sc), sc.Seed)))
	if sc.Question != "" {
		b.WriteString(s.Headline("Question:", sc.Question))
	}
	b.WriteString(s.Headline("Settings:", describeSettings(sc)))
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// pipelineFacts are how the pipeline held up: latency, the queue, the
// payment provider, the throttles, the function.
func (v *tableView) pipelineFacts(f *ui.Facts, s *ui.Styles) {
	r := v.r
	l := r.LatencyMS
	f.Add("Latency", fmt.Sprintf("p50 %s · p90 %s · p99 %s · p99.9 %s · max %s  (accepted → saga end)", ms(l.P50), ms(l.P90), ms(l.P99), ms(l.P999), ms(l.Max)))
	f.Add("", s.Muted(ui.Sparkline(series(r, func(x sim.Second) float64 { return x.LatencyMaxMS }), sparkWidth))+"  "+s.Muted("slowest saga ending each second"))
	f.Add("Queue wait", fmt.Sprintf("p50 %s · p99 %s · max %s  (accepted → first delivery)", ms(r.QueueWaitMS.P50), ms(r.QueueWaitMS.P99), ms(r.QueueWaitMS.Max)))
	f.Add("Queue depth", fmt.Sprintf("peak %s · final %s · oldest message up to %s", ui.Count(int64(r.Queue.PeakDepth)), ui.Count(int64(r.Queue.FinalDepth)), ui.Duration(secs(r.Queue.PeakOldestAgeS))))
	f.Add("", s.Muted(ui.Sparkline(series(r, func(x sim.Second) float64 { return float64(x.QueueDepth + x.InFlightMessages) }), sparkWidth))+"  "+s.Muted("messages in the queue each second"))
	if r.Queue.OverLimitReceives > 0 {
		f.Add("", s.Warning(fmt.Sprintf("SQS refused %s receives: 120,000 messages were in flight (its limit)", ui.Count(r.Queue.OverLimitReceives))))
	}
	f.Add("Payment", fmt.Sprintf("%s charges, %s refunds, %s throttled by the provider", ui.Count(r.Payment.Charges), ui.Count(r.Payment.Refunds), ui.Count(r.Payment.Throttled)))
	f.Add("Saga retries", ui.Count(r.Payment.Retries))
	f.Add("StartExecution", fmt.Sprintf("%s started, %s throttled (the message returns after its visibility timeout)", ui.Count(r.StartExecution.Executions), ui.Count(r.StartExecution.Throttled)))
	f.Add("New-order Lambda", fmt.Sprintf("peak %d concurrent batches, %s invocations, %s with failed items", r.Lambda.PeakConcurrency, ui.Count(r.Lambda.Invocations), ui.Count(r.Lambda.FailedBatches)))
	f.Add("State transitions", ui.Count(r.Sagas.StateTransitions))
	if x := r.Express; x != nil {
		f.Add("Express", fmt.Sprintf("%s timed out at the 5-minute limit (%s orders left with effects no compensation undid)", ui.Count(x.TimedOut), ui.Count(int64(x.InterruptedWithEffects))))
		f.Add("", fmt.Sprintf("%s starts ran twice (at-least-once), %s redelivered orders ran again; %s payment charge calls from those runs",
			ui.Count(x.DuplicateRuns), ui.Count(x.RedeliveredRuns), ui.Count(x.DuplicatePaymentCalls)))
		f.Add("", fmt.Sprintf("%s orders had overlapping runs, %s ended differently, %s were charged twice", ui.Count(x.OverlappingRuns), ui.Count(x.Diverged), ui.Count(x.ChargedTwice)))
	}
}

// outcomeFacts are what the run came to: drain, cost, the invariant,
// time.
func (v *tableView) outcomeFacts(f *ui.Facts, s *ui.Styles) {
	r := v.r
	switch {
	case r.Interrupted && r.SimulatedS < r.Scenario.ArrivalDuration().Seconds():
		f.Add("Drain", s.Warning("interrupted while orders were still arriving"))
	case r.Interrupted && r.DrainS < 0:
		f.Add("Drain", s.Warning(fmt.Sprintf("interrupted %s after the arrivals stopped, before the queue was empty", ui.Duration(secs(r.SimulatedS-r.ArrivalsS)))))
	case r.DrainS < 0:
		f.Add("Drain", s.Warning(fmt.Sprintf("not drained within max_drain (%s) after the arrivals stopped", r.Scenario.MaxDrain)))
	default:
		f.Add("Drain", fmt.Sprintf("empty %s after the arrivals stopped", ui.Duration(secs(r.DrainS))))
	}
	c := r.Cost
	f.Add("Cost per 1M orders", fmt.Sprintf("Standard %s · Express %s", Dollars(c.PerMillion.Standard), Dollars(c.PerMillion.Express)))
	f.Add("Cost per month", fmt.Sprintf("Standard %s · Express %s  (at the offered rate, %s orders a month)", Dollars(c.PerMonth.Standard), Dollars(c.PerMonth.Express), ui.Count(int64(c.OrdersPerMonth))))
	unchecked := ""
	if inv := r.Invariant; inv.Unchecked > 0 {
		unchecked = fmt.Sprintf(" (%s orders never called the fake services: not checked)", ui.Count(int64(inv.Unchecked)))
	}
	switch inv := r.Invariant; {
	case inv.Violations > 0:
		f.Add("Invariant", s.FailureIcon()+" "+s.Failure(fmt.Sprintf("violated for %s orders", ui.Count(int64(inv.Violations))))+unchecked)
	case inv.Orders == 0 && inv.Unchecked > 0:
		f.Add("Invariant", "not checked: the definition never called the fake services")
	default:
		f.Add("Invariant", s.SuccessIcon()+" "+s.Success(fmt.Sprintf("holds for all %s orders that ran", ui.Count(int64(inv.Orders))))+unchecked)
	}
	f.Add("Simulated", fmt.Sprintf("%s in %s", ui.Duration(secs(r.SimulatedS)), ui.Duration(v.wall)))
	if r.Interrupted {
		f.Add("Interrupted", s.Warning("yes: the report covers what was simulated"))
	}
}

// DescribeArrivals says how orders arrive in sc, for people: "10m0s of
// arrivals at 500/s (poisson)", or its phases.
func DescribeArrivals(sc sim.Scenario) string {
	a := sc.Arrivals
	if len(a.Phases) == 0 {
		return fmt.Sprintf("%s of arrivals at %s (%s)", a.Duration, a.Rate, a.Process)
	}
	var parts []string
	for _, p := range a.Phases {
		if p.Rate != nil {
			parts = append(parts, fmt.Sprintf("%s at %s", p.For, p.Rate))
		} else {
			parts = append(parts, fmt.Sprintf("%s ramp %s→%s", p.For, p.From, p.To))
		}
	}
	return strings.Join(parts, ", ") + " (" + a.Process + ")"
}

func describeSettings(sc sim.Scenario) string {
	quota := "no payment quota"
	if sc.Payment.TPS.PerSecond() > 0 {
		quota = "payment quota " + sc.Payment.TPS.String()
	}
	mc := "unset"
	if sc.Lambda.MaximumConcurrency > 0 {
		mc = fmt.Sprint(sc.Lambda.MaximumConcurrency)
	}
	s := fmt.Sprintf("%s · batch size %d · MaximumConcurrency %s · StartExecution %s (burst %d) · visibility %s · maxReceiveCount %d",
		quota, sc.Lambda.BatchSize, mc, sc.StepFunctions.StartRate, sc.StepFunctions.StartBurst, sc.Queue.VisibilityTimeout, sc.Queue.MaxReceiveCount)
	if len(sc.Faults) > 0 {
		s += " · faults " + strings.Join(sc.Faults, " ")
	}
	if sc.StepFunctions.Type == sim.TypeExpress {
		s += fmt.Sprintf(" · Express (duplicate starts %g)", *sc.StepFunctions.DuplicateStarts)
	}
	return s
}

func series(r *sim.Report, f func(sim.Second) float64) []float64 {
	out := make([]float64, len(r.Series))
	for i, x := range r.Series {
		out[i] = f(x)
	}
	return out
}

func secs(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }

func ms(v float64) string { return ui.Duration(time.Duration(v * float64(time.Millisecond))) }

// Dollars formats an amount of US dollars: whole dollars from $100, cents
// from $1, four decimals below.
func Dollars(v float64) string {
	switch {
	case v >= 100:
		return "$" + ui.Count(int64(v+0.5))
	case v >= 1:
		return fmt.Sprintf("$%.2f", v)
	default:
		return fmt.Sprintf("$%.4f", v)
	}
}

// charts maps the per-second series to the charts of --report.
func charts(r *sim.Report) []ui.Chart {
	x := series(r, func(s sim.Second) float64 { return float64(s.T) })
	line := func(name string, f func(sim.Second) float64) ui.ChartSeries {
		return ui.ChartSeries{Name: name, Values: series(r, f)}
	}
	return []ui.Chart{
		{Title: "Orders per second", XLabel: "s", X: x, Series: []ui.ChartSeries{
			line("arrivals", func(s sim.Second) float64 { return float64(s.Arrivals) }),
			line("sagas ended", func(s sim.Second) float64 { return float64(s.Completions) }),
			line("failed", func(s sim.Second) float64 { return float64(s.Failures) }),
			line("rejected (429)", func(s sim.Second) float64 { return float64(s.Rejected) }),
		}},
		{Title: "Queue", XLabel: "s", X: x, Series: []ui.ChartSeries{
			line("visible messages", func(s sim.Second) float64 { return float64(s.QueueDepth) }),
			line("in flight", func(s sim.Second) float64 { return float64(s.InFlightMessages) }),
			line("sagas running", func(s sim.Second) float64 { return float64(s.InFlightSagas) }),
		}},
		{Title: "Throttling per second", XLabel: "s", X: x, Series: []ui.ChartSeries{
			line("payment throttled", func(s sim.Second) float64 { return float64(s.PaymentThrottles) }),
			line("StartExecution throttled", func(s sim.Second) float64 { return float64(s.StartThrottles) }),
			line("Lambda concurrency", func(s sim.Second) float64 { return float64(s.LambdaConcurrency) }),
		}},
		{Title: "Saga latency (accepted → end)", XLabel: "s", YLabel: "ms", X: x, Series: []ui.ChartSeries{
			line("mean", func(s sim.Second) float64 { return s.LatencyMeanMS }),
			line("max", func(s sim.Second) float64 { return s.LatencyMaxMS }),
		}},
	}
}
