package simulate

import (
	"fmt"
	"io"
	"sort"
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
	sc := r.Scenario
	var b strings.Builder
	name := sc.Name + " · "
	if sc.Name == "flags" {
		name = ""
	}
	fmt.Fprintf(&b, "%s %s%s · seed %d\n", s.Header("Simulation:"), name, describeArrivals(sc), sc.Seed)
	if sc.Question != "" {
		fmt.Fprintf(&b, "%s %s\n", s.Header("Question:"), sc.Question)
	}
	fmt.Fprintf(&b, "%s %s\n", s.Header("Settings:"), describeSettings(sc))
	b.WriteString("\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}

	o := r.Orders
	share := func(n int64) string {
		if o.Offered == 0 {
			return "-"
		}
		return ui.Percent(float64(n) / float64(o.Offered))
	}
	t := ui.Table{Headers: []string{"Orders", "Count", "Share"}, Align: []ui.Align{ui.AlignLeft, ui.AlignRight, ui.AlignRight}}
	row := func(label string, n int64, tone ui.Tone, always bool) {
		if n == 0 && !always {
			return
		}
		t.Rows = append(t.Rows, []string{s.Render(tone, label), ui.Count(n), share(n)})
	}
	row("offered", o.Offered, ui.ToneNone, true)
	row("rejected by API Gateway (429)", o.Rejected429, ui.ToneWarning, false)
	row("succeeded", o.Succeeded, ui.ToneSuccess, true)
	row("failed, compensated", o.Failed-o.CompensationFailed, ui.ToneWarning, true)
	row("failed, needs manual repair", o.CompensationFailed, ui.ToneFailure, false)
	row("timed out", o.TimedOut, ui.ToneFailure, false)
	row("aborted at the end of the run", o.Aborted, ui.ToneWarning, false)
	row("in the dead-letter queue", o.InDLQ, ui.ToneFailure, false)
	row("still queued at the end", o.StillQueued, ui.ToneWarning, false)
	if err := ui.RenderTable(w, t, s); err != nil {
		return err
	}
	if len(o.Errors) > 0 {
		io.WriteString(w, "\n")
		et := ui.Table{Headers: []string{"Failed with", "Orders"}, Align: []ui.Align{ui.AlignLeft, ui.AlignRight}}
		for _, name := range sortedKeys(o.Errors) {
			et.Rows = append(et.Rows, []string{name, ui.Count(o.Errors[name])})
		}
		if err := ui.RenderTable(w, et, s); err != nil {
			return err
		}
	}

	io.WriteString(w, "\n")
	f := ui.Table{}
	fact := func(label, value string) { f.Rows = append(f.Rows, []string{s.Header(label), value}) }
	l := r.LatencyMS
	fact("Latency", fmt.Sprintf("p50 %s · p90 %s · p99 %s · p99.9 %s · max %s  (accepted → saga end)", ms(l.P50), ms(l.P90), ms(l.P99), ms(l.P999), ms(l.Max)))
	fact("", s.Muted(ui.Sparkline(series(r, func(x sim.Second) float64 { return x.LatencyMaxMS }), sparkWidth))+"  "+s.Muted("slowest saga ending each second"))
	fact("Queue wait", fmt.Sprintf("p50 %s · p99 %s · max %s  (accepted → first delivery)", ms(r.QueueWaitMS.P50), ms(r.QueueWaitMS.P99), ms(r.QueueWaitMS.Max)))
	fact("Queue depth", fmt.Sprintf("peak %s · final %s · oldest message up to %s", ui.Count(int64(r.Queue.PeakDepth)), ui.Count(int64(r.Queue.FinalDepth)), ui.Duration(secs(r.Queue.PeakOldestAgeS))))
	fact("", s.Muted(ui.Sparkline(series(r, func(x sim.Second) float64 { return float64(x.QueueDepth + x.InFlightMessages) }), sparkWidth))+"  "+s.Muted("messages in the queue each second"))
	if r.Queue.OverLimitReceives > 0 {
		fact("", s.Warning(fmt.Sprintf("SQS refused %s receives: 120,000 messages were in flight (its limit)", ui.Count(r.Queue.OverLimitReceives))))
	}
	fact("Payment", fmt.Sprintf("%s charges, %s refunds, %s throttled by the provider", ui.Count(r.Payment.Charges), ui.Count(r.Payment.Refunds), ui.Count(r.Payment.Throttled)))
	fact("Saga retries", ui.Count(r.Payment.Retries))
	fact("StartExecution", fmt.Sprintf("%s started, %s throttled (the message returns after its visibility timeout)", ui.Count(r.StartExecution.Executions), ui.Count(r.StartExecution.Throttled)))
	fact("New-order Lambda", fmt.Sprintf("peak %d concurrent batches, %s invocations, %s with failed items", r.Lambda.PeakConcurrency, ui.Count(r.Lambda.Invocations), ui.Count(r.Lambda.FailedBatches)))
	fact("State transitions", ui.Count(r.Sagas.StateTransitions))
	switch {
	case r.DrainS < 0:
		fact("Drain", s.Warning(fmt.Sprintf("not drained within max_drain (%s) after the arrivals stopped", sc.MaxDrain)))
	default:
		fact("Drain", fmt.Sprintf("empty %s after the arrivals stopped", ui.Duration(secs(r.DrainS))))
	}
	c := r.Cost
	fact("Cost per 1M orders", fmt.Sprintf("Standard %s · Express %s", dollars(c.PerMillion.Standard), dollars(c.PerMillion.Express)))
	fact("Cost per month", fmt.Sprintf("Standard %s · Express %s  (at the offered rate, %s orders a month)", dollars(c.PerMonth.Standard), dollars(c.PerMonth.Express), ui.Count(int64(c.OrdersPerMonth))))
	inv := r.Invariant
	switch {
	case inv.Violations > 0:
		fact("Invariant", s.FailureIcon()+" "+s.Failure(fmt.Sprintf("violated for %s orders", ui.Count(int64(inv.Violations)))))
	default:
		fact("Invariant", s.SuccessIcon()+" "+s.Success(fmt.Sprintf("holds for all %s orders that ran", ui.Count(int64(inv.Orders)))))
	}
	fact("Simulated", fmt.Sprintf("%s in %s", ui.Duration(secs(r.SimulatedS)), ui.Duration(v.wall)))
	if r.Interrupted {
		fact("Interrupted", s.Warning("yes: the report covers what was simulated"))
	}
	if err := ui.RenderTable(w, f, s); err != nil {
		return err
	}
	if inv.Violations > 0 {
		io.WriteString(w, "\n")
		vt := ui.Table{Headers: []string{"Order", "Violation"}}
		for _, x := range inv.ViolatingOrders {
			vt.Rows = append(vt.Rows, []string{x.OrderID, s.Failure(x.Reason)})
		}
		return ui.RenderTable(w, vt, s)
	}
	return nil
}

func describeArrivals(sc sim.Scenario) string {
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

func dollars(v float64) string {
	switch {
	case v >= 100:
		return "$" + ui.Count(int64(v+0.5))
	case v >= 1:
		return fmt.Sprintf("$%.2f", v)
	default:
		return fmt.Sprintf("$%.4f", v)
	}
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
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
