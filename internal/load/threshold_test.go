package load

import (
	"strings"
	"testing"
)

func TestParseThreshold(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Threshold
	}{
		{"saga.p99<30s", Threshold{Metric: "saga", Agg: "p99", Op: "<", Value: 30000}},
		{"dlq==0", Threshold{Metric: "dlq", Agg: "count", Op: "==", Value: 0}},
		{"failed<1%", Threshold{Metric: "failed", Agg: "rate", Op: "<", Value: 0.01}},
		{"failed.rate <= 0.02", Threshold{Metric: "failed", Agg: "rate", Op: "<=", Value: 0.02}},
		{" e2e.p99.9 >= 250ms ", Threshold{Metric: "e2e", Agg: "p99.9", Op: ">=", Value: 250}},
		{"queue-wait.max!=1500", Threshold{Metric: "queue_wait", Agg: "max", Op: "!=", Value: 1500}},
		{"accept.count>100", Threshold{Metric: "accept", Agg: "count", Op: ">", Value: 100}},
		{"payment_throttles.count<10", Threshold{Metric: "payment_throttles", Agg: "count", Op: "<", Value: 10}},
		{"jitter.mean<1.5ms", Threshold{Metric: "jitter", Agg: "mean", Op: "<", Value: 1.5}},
	} {
		got, err := ParseThreshold(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		got.Source = ""
		if got != c.want {
			t.Errorf("%q: %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestParseThresholdErrorsNameTheFix(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"saga.p99", "has no comparison"},
		{"saga.p99<", "has no value"},
		{"<5", "has no comparison"},
		{"saga<30s", "needs an aggregation"},
		{"saga.p42<30s", `"p42" is not an aggregation of a latency`},
		{"saga.p99<soon", "is not a duration such as 30s"},
		{"sagas.p99<30s", `unknown metric "sagas"`},
		{"dlq.p99<1", `"p99" is not an aggregation of a count`},
		{"dlq.count<1%", "a count is compared with a number"},
		{"failed<150%", "a rate is a share from 0 to 1"},
		{"dlq==zero", `"zero" is not a number`},
		{"dlq<1<2", "more than one comparison"},
	} {
		_, err := ParseThreshold(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v, want one line with %q", c.in, err, c.want)
		}
	}
}

func TestThresholdCheckAndDecided(t *testing.T) {
	r := &Report{Orders: Counts{Submitted: 1000, Failed: 30, DLQ: 2, StillRunning: 5}}
	r.LatencyMS.Saga.P99 = 31000
	r.LatencyMS.Saga.Max = 45000
	for _, c := range []struct {
		in            string
		pass, decided bool
	}{
		{"saga.p99<30s", false, false}, // a percentile may still come down
		{"saga.max<40s", false, true},  // a maximum never does
		{"dlq==0", false, true},
		{"dlq<=2", true, false},
		{"failed<1%", false, true}, // 30 of at most 1,000 planned
		{"failed<5%", true, false},
		{"failed>10", true, false},
		{"succeeded>990", false, false}, // may still get there
		{"still_running==0", false, false},
	} {
		th, err := ParseThreshold(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if res := th.Check(r); res.Pass != c.pass {
			t.Errorf("%s: pass %v (value %v), want %v", c.in, res.Pass, res.Value, c.pass)
		}
		if got := th.decided(r, 1000, true); got != c.decided {
			t.Errorf("%s: decided %v, want %v", c.in, got, c.decided)
		}
	}
	// Without an exact plan a rate is never decided early.
	th, _ := ParseThreshold("failed<1%")
	if th.decided(r, 1000, false) {
		t.Error("a rate was decided against an inexact plan")
	}
}

// FuzzParseThreshold: any input is parsed or refused with one line, and a
// parsed threshold parses again from its own source to the same.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"saga.p99<30s", "dlq==0", "failed<1%", "e2e.p99.9>=1m", "x", "<<", "a.b.c<1", "failed<1e400%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(s, "\n") {
				t.Fatalf("%q: two-line error %q", s, err)
			}
			return
		}
		again, err := ParseThreshold(th.Source)
		if err != nil || again != th {
			t.Fatalf("%q: %+v, again %+v %v", s, th, again, err)
		}
	})
}
