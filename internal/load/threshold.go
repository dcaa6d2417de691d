package load

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/sim"
)

// A Threshold is a pass/fail criterion on a run, as in k6:
//
//	threshold := metric ["." aggregation] op value
//	metric    := accept | queue_wait | saga | e2e | jitter        (latencies)
//	           | submitted | accepted | not_accepted | succeeded | failed
//	           | timed_out | aborted | dlq | still_running | send_errors
//	           | late | throttles | sqs_throttles | api_429 | payment_throttles
//	aggregation := p50 | p90 | p99 | p99.9 | max | mean | count   (latencies)
//	             | count | rate                                  (counts)
//	op        := < | <= | > | >= | == | !=
//	value     := a number; a latency takes a duration (30s, 250ms, or a
//	             plain number of milliseconds); a count's rate takes a
//	             share (1% or 0.01)
//
// A latency needs an aggregation. A count without one is its count, or
// its rate when the value ends in %: failed<1% is failed.rate<0.01.
type Threshold struct {
	Source string
	Metric string
	Agg    string
	Op     string
	// Value is in milliseconds for latencies, a fraction for rates, and a
	// number for counts.
	Value float64
}

// ThresholdResult is a threshold checked against a run.
type ThresholdResult struct {
	Threshold string  `json:"threshold"`
	Value     float64 `json:"value"`
	Pass      bool    `json:"pass"`
}

var latencyMetrics = map[string]func(*Latencies) sim.Quantiles{
	"accept":     func(l *Latencies) sim.Quantiles { return l.Accept },
	"queue_wait": func(l *Latencies) sim.Quantiles { return l.QueueWait },
	"saga":       func(l *Latencies) sim.Quantiles { return l.Saga },
	"e2e":        func(l *Latencies) sim.Quantiles { return l.EndToEnd },
	"jitter":     func(l *Latencies) sim.Quantiles { return l.Jitter },
}

var latencyHists = map[string]string{
	"accept": HistAccept, "queue_wait": HistQueueWait, "saga": HistSaga, "e2e": HistE2E, "jitter": HistJitter,
}

func sumMap(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

var countMetrics = map[string]func(*Counts) int64{
	"submitted":         func(c *Counts) int64 { return c.Submitted },
	"accepted":          func(c *Counts) int64 { return c.Accepted },
	"not_accepted":      func(c *Counts) int64 { return c.NotAccepted },
	"succeeded":         func(c *Counts) int64 { return c.Succeeded },
	"failed":            func(c *Counts) int64 { return c.Failed },
	"timed_out":         func(c *Counts) int64 { return c.TimedOut },
	"aborted":           func(c *Counts) int64 { return c.Aborted },
	"dlq":               func(c *Counts) int64 { return c.DLQ },
	"still_running":     func(c *Counts) int64 { return c.StillRunning },
	"send_errors":       func(c *Counts) int64 { return sumMap(c.SendErrors) },
	"late":              func(c *Counts) int64 { return c.Late },
	"throttles":         func(c *Counts) int64 { return c.SQSThrottles + c.API429 + c.PaymentThrottles },
	"sqs_throttles":     func(c *Counts) int64 { return c.SQSThrottles },
	"api_429":           func(c *Counts) int64 { return c.API429 },
	"payment_throttles": func(c *Counts) int64 { return c.PaymentThrottles },
}

// growing are the counts that never go down during a run (still_running
// does).
func growing(metric string) bool { return metric != "still_running" }

var latencyAggs = map[string]bool{"p50": true, "p90": true, "p99": true, "p99.9": true, "max": true, "mean": true, "count": true}

// ops in the order they are tried, longest first.
var ops = []string{"<=", ">=", "==", "!=", "<", ">"}

const thresholdFix = "write METRIC[.AGG]OP VALUE such as saga.p99<30s, dlq==0 or failed<1%"

// ParseThreshold reads one threshold; the error names the problem and the
// fix in one line.
func ParseThreshold(s string) (Threshold, error) {
	src := strings.TrimSpace(s)
	t := Threshold{Source: src}
	i, op := -1, ""
	for _, o := range ops {
		if k := strings.Index(src, o); k >= 0 && (i < 0 || k < i) {
			i, op = k, o
		}
	}
	if i <= 0 {
		return t, fmt.Errorf("%q has no comparison (<, <=, >, >=, == or !=); %s", s, thresholdFix)
	}
	t.Op = op
	lhs, rhs := strings.TrimSpace(src[:i]), strings.TrimSpace(src[i+len(op):])
	if rhs == "" {
		return t, fmt.Errorf("%q has no value after %s; %s", s, op, thresholdFix)
	}
	if strings.ContainsAny(rhs, "<>=!") {
		return t, fmt.Errorf("%q has more than one comparison; %s", s, thresholdFix)
	}
	metric, agg, _ := strings.Cut(lhs, ".")
	metric = strings.ReplaceAll(strings.ToLower(metric), "-", "_")
	agg = strings.ToLower(agg)
	t.Metric, t.Agg = metric, agg
	if _, ok := latencyMetrics[metric]; ok {
		if agg == "" {
			return t, fmt.Errorf("%q: %s is a latency and needs an aggregation (p50, p90, p99, p99.9, max, mean, count), such as %s.p99<30s", s, metric, metric)
		}
		if !latencyAggs[agg] {
			return t, fmt.Errorf("%q: %q is not an aggregation of a latency; use p50, p90, p99, p99.9, max, mean or count", s, agg)
		}
		if agg == "count" {
			v, err := number(rhs)
			if err != nil {
				return t, fmt.Errorf("%q: %v", s, err)
			}
			t.Value = v
			return t, nil
		}
		d, err := latencyValue(rhs)
		if err != nil {
			return t, fmt.Errorf("%q: %v", s, err)
		}
		t.Value = d
		return t, nil
	}
	if _, ok := countMetrics[metric]; !ok {
		return t, fmt.Errorf("%q: unknown metric %q; use one of accept, queue_wait, saga, e2e, jitter (latencies) or submitted, accepted, not_accepted, succeeded, failed, timed_out, aborted, dlq, still_running, send_errors, late, throttles, sqs_throttles, api_429, payment_throttles", s, metric)
	}
	percent := strings.HasSuffix(rhs, "%")
	switch agg {
	case "":
		t.Agg = "count"
		if percent {
			t.Agg = "rate"
		}
	case "count", "rate":
	default:
		return t, fmt.Errorf("%q: %q is not an aggregation of a count; use count or rate (or a %% value, such as %s<1%%)", s, agg, metric)
	}
	if t.Agg == "count" && percent {
		return t, fmt.Errorf("%q: a count is compared with a number; for a share write %s.rate or drop .count", s, metric)
	}
	v, err := number(strings.TrimSuffix(rhs, "%"))
	if err != nil {
		return t, fmt.Errorf("%q: %v", s, err)
	}
	if percent {
		v /= 100
	}
	if t.Agg == "rate" && (v < 0 || v > 1) {
		return t, fmt.Errorf("%q: a rate is a share from 0 to 1 (or 0%% to 100%%)", s)
	}
	t.Value = v
	return t, nil
}

func number(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}

// latencyValue reads a duration (30s, 250ms, 1m30s) or a plain number of
// milliseconds, into milliseconds.
func latencyValue(s string) (float64, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
		return v, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 30s or 250ms", s)
	}
	return float64(d) / float64(time.Millisecond), nil
}

// observed is the threshold's metric in r.
func (t *Threshold) observed(r *Report) float64 {
	if q, ok := latencyMetrics[t.Metric]; ok {
		v := q(&r.LatencyMS)
		switch t.Agg {
		case "p50":
			return v.P50
		case "p90":
			return v.P90
		case "p99":
			return v.P99
		case "p99.9":
			return v.P999
		case "max":
			return v.Max
		case "mean":
			return v.Mean
		}
		return float64(r.histCount(latencyHists[t.Metric]))
	}
	n := countMetrics[t.Metric](&r.Orders)
	if t.Agg == "rate" {
		return r.Share(n)
	}
	return float64(n)
}

func (t *Threshold) holds(v float64) bool {
	switch t.Op {
	case "<":
		return v < t.Value
	case "<=":
		return v <= t.Value
	case ">":
		return v > t.Value
	case ">=":
		return v >= t.Value
	case "==":
		return v == t.Value
	}
	return v != t.Value
}

// Check evaluates the threshold against a finished run.
func (t *Threshold) Check(r *Report) ThresholdResult {
	v := t.observed(r)
	return ThresholdResult{Threshold: t.Source, Value: v, Pass: t.holds(v)}
}

// decided reports that the threshold is breached in a run still going on
// and can no longer pass: a count (or max) that only grows is already
// past a bound from above. A rate is decided against planned, the most
// orders the run will submit, when planned is exact.
func (t *Threshold) decided(r *Report, planned int64, plannedExact bool) bool {
	if t.Op != "<" && t.Op != "<=" && t.Op != "==" {
		return false
	}
	if _, ok := latencyMetrics[t.Metric]; ok {
		if t.Agg != "max" && t.Agg != "count" {
			return false
		}
		return !t.holds(t.observed(r)) && (t.Op != "==" || t.observed(r) > t.Value)
	}
	if !growing(t.Metric) {
		return false
	}
	n := float64(countMetrics[t.Metric](&r.Orders))
	if t.Agg == "rate" {
		if !plannedExact || planned <= 0 {
			return false
		}
		n /= float64(planned)
	}
	return !t.holds(n) && (t.Op != "==" || n > t.Value)
}

// histCount is how many values the named histogram holds.
func (r *Report) histCount(name string) int64 {
	if r.hists != nil {
		if h := r.hists[name]; h != nil {
			return h.TotalCount()
		}
		return 0
	}
	enc, ok := r.Histograms[name]
	if !ok {
		return 0
	}
	h, err := decodeHistogram(name, enc)
	if err != nil {
		return 0
	}
	return h.TotalCount()
}
