package load

import (
	"fmt"
	"sort"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Merge combines the reports of the shards of one run into one, as if one
// process had sent every order: counts add up, histograms merge exactly,
// the series add second by second (each from its shard's start), and
// thresholds are checked again against the whole. The reports must share
// their run key and cover different shards.
func Merge(reports []*Report, thresholds []Threshold) (*Report, error) {
	if len(reports) == 0 {
		return nil, fmt.Errorf("no reports to merge")
	}
	out := &Report{Version: ReportVersion, Scenario: reports[0].Scenario, Target: reports[0].Target, RunKey: reports[0].RunKey,
		Drained: true, Orders: Counts{Errors: map[string]int64{}, SendErrors: map[string]int64{}}}
	hists := map[string]*hdrhistogram.Histogram{}
	shards := map[string]bool{}
	for i, r := range reports {
		if r.Version != ReportVersion {
			return nil, fmt.Errorf("report %d: version %d, not %d: not a report of this yafdp load", i+1, r.Version, ReportVersion)
		}
		if r.RunKey != out.RunKey {
			return nil, fmt.Errorf("report %d: run key %s, not %s: the reports are not shards of one run (give each shard the same --run-key)", i+1, r.RunKey, out.RunKey)
		}
		for _, s := range r.Shards {
			if shards[s] {
				return nil, fmt.Errorf("report %d: shard %s is in another report too", i+1, s)
			}
			shards[s] = true
			out.Shards = append(out.Shards, s)
		}
		addCounts(&out.Orders, &r.Orders)
		out.addRun(r)
		out.mergeLambdaLog(r.LambdaLog)
		names := make([]string, 0, len(r.Histograms))
		for n := range r.Histograms {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			h, err := decodeHistogram(n, r.Histograms[n])
			if err != nil {
				return nil, fmt.Errorf("report %d: %v", i+1, err)
			}
			if hists[n] == nil {
				hists[n] = newHistogram()
			}
			hists[n].Merge(h)
		}
	}
	sort.Slice(out.Shards, func(i, j int) bool { return out.Shards[i] < out.Shards[j] })
	if span := out.Pacing.LastSend.Sub(out.Pacing.FirstSend); span > 0 && out.Pacing.Sent > 1 {
		out.Pacing.AchievedPerS = float64(out.Pacing.Sent-1) / span.Seconds()
	}
	out.Accounting = out.Orders.check()
	for _, n := range []string{HistAccept, HistQueueWait, HistSaga, HistE2E, HistJitter} {
		if hists[n] == nil {
			hists[n] = newHistogram()
		}
	}
	if err := out.summarise(hists); err != nil {
		return nil, err
	}
	out.hists = hists
	out.Thresholds = []ThresholdResult{}
	for i := range thresholds {
		out.Thresholds = append(out.Thresholds, thresholds[i].Check(out))
	}
	out.hists = nil
	return out, nil
}

// mergeLambdaLog keeps the largest count of the shards': each shard reads
// the same log group over its own window, so each counts the throttles of
// every shard's orders, and adding them up would count them again.
func (r *Report) mergeLambdaLog(l *LambdaLog) {
	if l == nil {
		return
	}
	if r.LambdaLog == nil || l.Read() && (!r.LambdaLog.Read() || l.StartThrottles > r.LambdaLog.StartThrottles) {
		c := *l
		r.LambdaLog = &c
	}
}

// ThresholdsOf parses the thresholds a report was checked against.
func ThresholdsOf(r *Report) ([]Threshold, error) {
	var out []Threshold
	for _, t := range r.Thresholds {
		th, err := ParseThreshold(t.Threshold)
		if err != nil {
			return nil, err
		}
		out = append(out, th)
	}
	return out, nil
}

// SameThresholds reports whether the reports were checked against the
// same thresholds.
func SameThresholds(reports []*Report) bool {
	key := func(r *Report) string {
		var b strings.Builder
		for _, t := range r.Thresholds {
			b.WriteString(t.Threshold)
			b.WriteByte(0)
		}
		return b.String()
	}
	for _, r := range reports[1:] {
		if key(r) != key(reports[0]) {
			return false
		}
	}
	return true
}

func addCounts(a, b *Counts) {
	a.Planned += b.Planned
	a.Unsent += b.Unsent
	a.Submitted += b.Submitted
	a.Accepted += b.Accepted
	a.NotAccepted += b.NotAccepted
	a.Succeeded += b.Succeeded
	a.Failed += b.Failed
	a.TimedOut += b.TimedOut
	a.Aborted += b.Aborted
	a.DLQ += b.DLQ
	a.StillRunning += b.StillRunning
	a.NotStarted += b.NotStarted
	a.Late += b.Late
	a.SQSThrottles += b.SQSThrottles
	a.API429 += b.API429
	a.PaymentThrottles += b.PaymentThrottles
	for k, v := range b.Errors {
		a.Errors[k] += v
	}
	for k, v := range b.SendErrors {
		a.SendErrors[k] += v
	}
}

func addSecond(a, b *Second) {
	ends := a.Succeeded + a.Failed
	bends := b.Succeeded + b.Failed
	if ends+bends > 0 {
		a.E2EMeanMS = (a.E2EMeanMS*float64(ends) + b.E2EMeanMS*float64(bends)) / float64(ends+bends)
	}
	a.E2EMaxMS = max(a.E2EMaxMS, b.E2EMaxMS)
	a.Sent += b.Sent
	a.Accepted += b.Accepted
	a.NotAccepted += b.NotAccepted
	a.Late += b.Late
	a.Throttles += b.Throttles
	a.Started += b.Started
	a.Succeeded += b.Succeeded
	a.Failed += b.Failed
	a.DLQ += b.DLQ
	a.InFlight += b.InFlight
}

// addRun merges r's events, outcome, span, pacing and series into m.
func (m *Report) addRun(r *Report) {
	m.Events.Counted += r.Events.Counted
	m.Events.Foreign += r.Events.Foreign
	m.Events.Duplicate += r.Events.Duplicate
	m.Interrupted = m.Interrupted || r.Interrupted
	m.Drained = m.Drained && r.Drained
	if m.Aborted == "" {
		m.Aborted = r.Aborted
	}
	if m.TrackError == "" {
		m.TrackError = r.TrackError
	}
	if m.StartedAt.IsZero() || r.StartedAt.Before(m.StartedAt) {
		m.StartedAt = r.StartedAt
	}
	if r.EndedAt.After(m.EndedAt) {
		m.EndedAt = r.EndedAt
	}
	p := &m.Pacing
	p.AskedPerS += r.Pacing.AskedPerS
	p.Sent += r.Pacing.Sent
	p.Senders += r.Pacing.Senders
	p.MaxSenders += r.Pacing.MaxSenders
	p.HeldForSender += r.Pacing.HeldForSender
	if !r.Pacing.FirstSend.IsZero() && (p.FirstSend.IsZero() || r.Pacing.FirstSend.Before(p.FirstSend)) {
		p.FirstSend = r.Pacing.FirstSend
	}
	if r.Pacing.LastSend.After(p.LastSend) {
		p.LastSend = r.Pacing.LastSend
	}
	for len(m.Series) < len(r.Series) {
		m.Series = append(m.Series, Second{T: len(m.Series)})
	}
	for j, s := range r.Series {
		addSecond(&m.Series[j], &s)
	}
}
