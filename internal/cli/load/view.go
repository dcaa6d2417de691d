package load

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/yafdp/yafdp/internal/cli/simulate"
	"github.com/yafdp/yafdp/internal/load"
	"github.com/yafdp/yafdp/internal/sim"
	"github.com/yafdp/yafdp/internal/ui"
)

type estimate struct {
	orders            int64
	standard, express float64
}

func estimateCost(ctx context.Context, sc sim.Scenario, shard load.Shard) (estimate, error) {
	e, err := load.EstimateCost(ctx, sc, shard)
	return estimate{orders: e.Orders, standard: e.Standard, express: e.Express}, err
}

func fmtCount(n int64) string { return ui.Count(n) }

func dollars(v float64) string { return simulate.Dollars(v) }

func ms(v float64) string { return ui.Duration(time.Duration(v * float64(time.Millisecond))) }

func quantiles(q sim.Quantiles) string {
	return fmt.Sprintf("p50 %s · p90 %s · p99 %s · max %s", ms(q.P50), ms(q.P90), ms(q.P99), ms(q.Max))
}

// tableView renders a report for people.
type tableView struct {
	r          *load.Report
	prediction *sim.Report
}

func (v *tableView) render(w io.Writer, s *ui.Styles) error {
	r := v.r
	io.WriteString(w, headline(r, s))
	if err := renderOrders(w, s, r.Orders); err != nil {
		return err
	}
	io.WriteString(w, "\n")
	f := ui.NewFacts(s)
	latencyFacts(f, s, r)
	runFacts(f, s, r)
	if err := f.Render(w); err != nil {
		return err
	}
	if v.prediction != nil {
		io.WriteString(w, "\n")
		return renderComparison(w, s, compare(v.prediction, r))
	}
	return nil
}

// headline says what the run was and where it went.
func headline(r *load.Report, s *ui.Styles) string {
	var b strings.Builder
	b.WriteString(s.Headline("Load:", fmt.Sprintf("%s · seed %d", simulate.DescribeArrivals(r.Scenario), r.Scenario.Seed)))
	target := r.Target.Endpoint
	if target == "" {
		target = "AWS"
	}
	if r.Target.Queue != "" {
		target += " · queue " + r.Target.Queue
	}
	b.WriteString(s.Headline("Target:", fmt.Sprintf("via %s to %s · tracking %s · shards %s · run key %s", r.Target.Via, target, r.Target.Track, strings.Join(r.Shards, " "), r.RunKey)))
	b.WriteString("\n")
	return b.String()
}

// renderOrders is the table of what became of the orders, with the
// errors they failed with and the front door's refusals.
func renderOrders(w io.Writer, s *ui.Styles, o load.Counts) error {
	t := ui.NewShares(s, o.Submitted, "Orders", "Count", "Share")
	t.Add("submitted", o.Submitted, ui.ToneNone, true)
	t.Add("succeeded", o.Succeeded, ui.ToneSuccess, true)
	t.Add("failed", o.Failed, ui.ToneWarning, true)
	t.Add("timed out", o.TimedOut, ui.ToneFailure, false)
	t.Add("aborted", o.Aborted, ui.ToneWarning, false)
	t.Add("in the dead-letter queue", o.DLQ, ui.ToneFailure, true)
	t.Add("still running at the end", o.StillRunning, ui.ToneWarning, true)
	t.Add("not accepted by the front door", o.NotAccepted, ui.ToneFailure, true)
	if err := t.Render(w); err != nil {
		return err
	}
	if len(o.Errors) > 0 {
		io.WriteString(w, "\n")
		if err := ui.RenderCounts(w, s, "Failed with", "Orders", o.Errors); err != nil {
			return err
		}
	}
	if len(o.SendErrors) > 0 {
		io.WriteString(w, "\n")
		if err := ui.RenderCounts(w, s, "Not accepted", "Orders", o.SendErrors); err != nil {
			return err
		}
	}
	return nil
}

// latencyFacts are the latencies from the intended send time, the steps'
// durations, the pacing and the throttles.
func latencyFacts(f *ui.Facts, s *ui.Styles, r *load.Report) {
	o := r.Orders
	l := r.LatencyMS
	f.Add("Accept", quantiles(l.Accept)+"  (intended send → front door's answer)")
	f.Add("Queue wait", quantiles(l.QueueWait)+"  (intended send → saga start)")
	f.Add("Saga", quantiles(l.Saga)+"  (saga start → stop)")
	f.Add("End to end", quantiles(l.EndToEnd)+"  (intended send → saga stop)")
	for _, name := range sortedSteps(r.StepsMS) {
		q := r.StepsMS[name]
		f.Add("  "+name, fmt.Sprintf("p50 %s · p99 %s · max %s", ms(q.P50), ms(q.P99), ms(q.Max)))
	}
	p := r.Pacing
	f.Add("Pacing", fmt.Sprintf("asked %.1f/s · achieved %.1f/s · jitter p50 %s · p99 %s · max %s · %s late",
		p.AskedPerS, p.AchievedPerS, ms(l.Jitter.P50), ms(l.Jitter.P99), ms(l.Jitter.Max), ui.Count(o.Late)))
	if o.Unsent > 0 {
		f.Add("", s.Warning(fmt.Sprintf("%s orders not sent: the pacer fell behind and the arrivals' time ran out", ui.Count(o.Unsent))))
	}
	f.Add("Connections", fmt.Sprintf("%s at most, of %s · %s calls waited for a free one", ui.Count(p.Senders), ui.Count(p.MaxSenders), ui.Count(p.HeldForSender)))
	if p.HeldForSender > 0 && p.MaxSenders > 0 && p.Senders >= p.MaxSenders {
		f.Add("", s.Warning(fmt.Sprintf("all %s connections were busy at times: raise --max-connections", ui.Count(p.MaxSenders))))
	}
	sample := ""
	if h := r.Target.HistorySample; h > 0 && h < 1 {
		sample = fmt.Sprintf(" (in the %s of the sagas whose history was read)", ui.Percent(h))
	}
	f.Add("Throttles", fmt.Sprintf("SQS %s · API 429 %s · Payment.Throttled %s%s", ui.Count(o.SQSThrottles), ui.Count(o.API429), ui.Count(o.PaymentThrottles), sample))
	switch l := r.LambdaLog; {
	case l == nil:
	case l.Error != "":
		f.Add("StartExecution", s.Warning(fmt.Sprintf("throttles not counted: %s", l.Error)))
	case l.Group != "":
		f.Add("StartExecution", fmt.Sprintf("%s throttled  (ThrottlingException in %s over the run)", ui.Count(l.StartThrottles), l.Group))
	case l.Note != "":
		f.Add("StartExecution", s.Muted("throttles "+l.Note))
	}
}

// runFacts are the accounting, the drain, how the run ended and the
// thresholds.
func runFacts(f *ui.Facts, s *ui.Styles, r *load.Report) {
	o := r.Orders
	acct := s.SuccessIcon() + " " + fmt.Sprintf("every one of the %s orders counted once", ui.Count(o.Submitted))
	if !r.Accounting.Holds {
		acct = s.FailureIcon() + " " + s.Failure(fmt.Sprintf("%s orders in the buckets, %s submitted", ui.Count(r.Accounting.Sum), ui.Count(o.Submitted)))
	}
	f.Add("Accounting", acct)
	if e := r.Events; e.Foreign+e.Duplicate > 0 {
		f.Add("Events ignored", fmt.Sprintf("%s for orders this run did not send · %s repeated", ui.Count(e.Foreign), ui.Count(e.Duplicate)))
	}
	switch {
	case r.Target.Track == "none":
		f.Add("Drain", s.Muted("not followed (--track none)"))
	case r.Drained:
		f.Add("Drain", "every accepted order reached its end")
	default:
		f.Add("Drain", s.Warning(fmt.Sprintf("%s orders still running when --drain-timeout ran out", ui.Count(o.StillRunning))))
	}
	f.Add("Elapsed", ui.Duration(r.EndedAt.Sub(r.StartedAt).Round(time.Millisecond)))
	if r.Interrupted {
		f.Add("Interrupted", s.Warning("yes: the report covers what was sent"))
	}
	if r.Aborted != "" {
		f.Add("Aborted", s.Warning("threshold "+r.Aborted+" was breached for good (--abort-on-fail)"))
	}
	if r.TrackError != "" {
		f.Add("Tracking", s.Failure(r.TrackError))
	}
	for _, th := range r.Thresholds {
		mark := s.SuccessIcon()
		if !th.Pass {
			mark = s.FailureIcon()
		}
		f.Add("Threshold", fmt.Sprintf("%s %s  (observed %s)", mark, th.Threshold, observed(th)))
	}
}

// observed words a threshold's observed value.
func observed(th load.ThresholdResult) string {
	t, err := load.ParseThreshold(th.Threshold)
	if err != nil {
		return fmt.Sprint(th.Value)
	}
	switch {
	case t.Agg == "rate":
		return ui.Percent(th.Value)
	case t.Agg == "count":
		return ui.Count(int64(th.Value))
	}
	return ms(th.Value)
}

func sortedSteps(m map[string]sim.Quantiles) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ComparisonRow is one figure as the simulation predicted it and as the
// run observed it.
type ComparisonRow struct {
	Metric    string  `json:"metric"`
	Unit      string  `json:"unit"`
	Predicted float64 `json:"predicted"`
	Observed  float64 `json:"observed"`
}

// compare lines up the simulation's figures with the run's.
func compare(p *sim.Report, r *load.Report) []ComparisonRow {
	po := p.Orders
	ended := func(n ...int64) float64 {
		var s int64
		for _, x := range n {
			s += x
		}
		return float64(s)
	}
	predEnded := ended(po.Succeeded, po.Failed, po.TimedOut, po.Aborted)
	o := r.Orders
	obsEnded := ended(o.Succeeded, o.Failed, o.TimedOut, o.Aborted)
	elapsed := r.EndedAt.Sub(r.StartedAt).Seconds()
	share := func(n, of float64) float64 {
		if of == 0 {
			return 0
		}
		return n / of
	}
	rows := []ComparisonRow{
		{"throughput (sagas ended)", "/s", share(predEnded, p.SimulatedS), share(obsEnded, elapsed)},
		{"end to end p50", "ms", p.LatencyMS.P50, r.LatencyMS.EndToEnd.P50},
		{"end to end p99", "ms", p.LatencyMS.P99, r.LatencyMS.EndToEnd.P99},
		{"queue wait p50", "ms", p.QueueWaitMS.P50, r.LatencyMS.QueueWait.P50},
		{"queue wait p99", "ms", p.QueueWaitMS.P99, r.LatencyMS.QueueWait.P99},
		{"share failed", "%", 100 * share(ended(po.Failed, po.TimedOut, po.Aborted), float64(po.Offered)), 100 * share(ended(o.Failed, o.TimedOut, o.Aborted), float64(o.Submitted))},
		{"dead-letter queue", "orders", float64(po.InDLQ), float64(o.DLQ)},
		{"payment throttles", "calls", float64(p.Payment.Throttled), paymentThrottles(r)},
	}
	if r.LambdaLog.Read() {
		rows = append(rows, ComparisonRow{"StartExecution throttles", "calls", float64(p.StartExecution.Throttled), float64(r.LambdaLog.StartThrottles)})
	}
	rows = append(rows, ComparisonRow{"still running at the end", "orders", float64(po.StillQueued), float64(o.StillRunning)})
	return rows
}

// paymentThrottles estimates the run's payment throttles from the
// histories read (a sample of the ended sagas), or 0 when none were read.
func paymentThrottles(r *load.Report) float64 {
	if r.Target.HistorySample <= 0 {
		return 0
	}
	return float64(r.Orders.PaymentThrottles) / r.Target.HistorySample
}

func renderComparison(w io.Writer, s *ui.Styles, rows []ComparisonRow) error {
	t := ui.Table{Headers: []string{"Simulated vs observed", "Predicted", "Observed", "Difference"},
		Align: []ui.Align{ui.AlignLeft, ui.AlignRight, ui.AlignRight, ui.AlignRight}}
	for _, r := range rows {
		diff := "-"
		if r.Predicted != 0 {
			diff = fmt.Sprintf("%+.1f%%", 100*(r.Observed-r.Predicted)/r.Predicted)
		} else if r.Observed == 0 {
			diff = "0"
		}
		t.Rows = append(t.Rows, []string{r.Metric, value(r.Predicted, r.Unit), value(r.Observed, r.Unit), diff})
	}
	return ui.RenderTable(w, t, s)
}

func value(v float64, unit string) string {
	switch unit {
	case "ms":
		return ms(v)
	case "%":
		return fmt.Sprintf("%.2f%%", v)
	case "/s":
		return fmt.Sprintf("%.1f/s", v)
	}
	return ui.Count(int64(v))
}

// liveView redraws a few lines on standard error each second.
type liveView struct {
	mu      sync.Mutex
	w       io.Writer
	s       *ui.Styles
	planned int64
	lines   int
}

func newLiveView(w io.Writer, color bool, planned int64) *liveView {
	return &liveView{w: w, s: ui.NewStyles(color), planned: planned}
}

// draw replaces the previous lines with the snapshot's.
func (v *liveView) draw(r *load.Report) {
	if v == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	o := r.Orders
	var sec load.Second
	if len(r.Series) > 0 {
		sec = r.Series[0]
	}
	pct := ""
	if v.planned > 0 {
		pct = ui.Percent(float64(o.Submitted) / float64(v.planned))
	}
	ended := o.Succeeded + o.Failed + o.TimedOut + o.Aborted
	lines := []string{
		fmt.Sprintf("  sent %s/%s %s · %d/s · late %s · not accepted %s", ui.Count(o.Submitted), ui.Count(v.planned), pct, sec.Sent, ui.Count(o.Late), ui.Count(o.NotAccepted)),
		fmt.Sprintf("  sagas in flight %s · ended %s (%d/s) · failed %s · DLQ %s · end to end p50 %s p99 %s",
			ui.Count(o.StillRunning), ui.Count(ended), sec.Succeeded+sec.Failed, ui.Count(o.Failed+o.TimedOut+o.Aborted), ui.Count(o.DLQ),
			ms(r.LatencyMS.EndToEnd.P50), ms(r.LatencyMS.EndToEnd.P99)),
	}
	if len(o.Errors)+len(o.SendErrors) > 0 {
		var parts []string
		for _, m := range []map[string]int64{o.Errors, o.SendErrors} {
			for _, name := range ui.SortedByCount(m) {
				parts = append(parts, fmt.Sprintf("%s %s", name, ui.Count(m[name])))
			}
		}
		if len(parts) > 5 {
			parts = parts[:5]
		}
		lines = append(lines, "  errors: "+v.s.Warning(strings.Join(parts, " · ")))
	}
	var b strings.Builder
	v.clear(&b)
	for _, l := range lines {
		b.WriteString("\033[K" + l + "\n")
	}
	v.lines = len(lines)
	io.WriteString(v.w, b.String())
}

// clear moves up over the lines drawn last and clears them.
func (v *liveView) clear(b *strings.Builder) {
	for range v.lines {
		b.WriteString("\033[1A\033[K")
	}
}

// done clears the view; a nil view does nothing.
func (v *liveView) done() {
	if v == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	var b strings.Builder
	v.clear(&b)
	v.lines = 0
	io.WriteString(v.w, b.String())
}

// charts maps the per-second series to the charts of --report.
func charts(r *load.Report) []ui.Chart {
	n := len(r.Series)
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i)
	}
	line := func(name string, f func(load.Second) float64) ui.ChartSeries {
		v := make([]float64, n)
		for i, s := range r.Series {
			v[i] = f(s)
		}
		return ui.ChartSeries{Name: name, Values: v}
	}
	return []ui.Chart{
		{Title: "Orders per second", XLabel: "s", X: x, Series: []ui.ChartSeries{
			line("sent", func(s load.Second) float64 { return float64(s.Sent) }),
			line("accepted", func(s load.Second) float64 { return float64(s.Accepted) }),
			line("not accepted", func(s load.Second) float64 { return float64(s.NotAccepted) }),
			line("late", func(s load.Second) float64 { return float64(s.Late) }),
		}},
		{Title: "Sagas per second", XLabel: "s", X: x, Series: []ui.ChartSeries{
			line("started", func(s load.Second) float64 { return float64(s.Started) }),
			line("succeeded", func(s load.Second) float64 { return float64(s.Succeeded) }),
			line("failed", func(s load.Second) float64 { return float64(s.Failed) }),
			line("dead-lettered", func(s load.Second) float64 { return float64(s.DLQ) }),
		}},
		{Title: "In flight and throttles", XLabel: "s", X: x, Series: []ui.ChartSeries{
			line("sagas in flight", func(s load.Second) float64 { return float64(s.InFlight) }),
			line("throttles", func(s load.Second) float64 { return float64(s.Throttles) }),
		}},
		{Title: "End to end (intended send → saga stop)", XLabel: "s", YLabel: "ms", X: x, Series: []ui.ChartSeries{
			line("mean", func(s load.Second) float64 { return s.E2EMeanMS }),
			line("max", func(s load.Second) float64 { return s.E2EMaxMS }),
		}},
	}
}

// writeReport writes the report as charts or JSON, by the file's
// extension.
func writeReport(w io.Writer, path string, rep *load.Report) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return writeJSON(w, rep)
	case ".png":
		return ui.WritePNG(w, charts(rep))
	}
	return ui.WriteHTML(w, "yafdp load: "+rep.Scenario.Name, charts(rep))
}
