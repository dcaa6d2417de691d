package load

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/load/track"
)

// runShard runs one shard of a 2,000-order run on a fake clock, its sagas
// ending as the fake tracker decides, and returns its report through JSON.
func runShard(t *testing.T, shard Shard) *Report {
	t.Helper()
	clk := newFakeClock()
	t0 := clk.t
	sent := make(chan Outgoing, 10000)
	snd := &fakeSender{clock: clk, batch: 10, sent: sent}
	tr := &fakeTracker{t0: func() time.Time { return t0 }, in: sent, end: func(o Outgoing) (track.Kind, string, string) {
		if o.Index%10 == 3 {
			return track.Ended, "FAILED", "Payment.Declined"
		}
		return track.Ended, "SUCCEEDED", ""
	}}
	th, _ := ParseThreshold("failed<5%")
	sc := steady(1000, 2*time.Second, "constant")
	rep, err := Run(context.Background(), Options{Scenario: sc, Shard: shard, Sender: snd, Tracker: tr, Clock: clk, RunKey: 7,
		Thresholds: []Threshold{th}, BatchWindow: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	return &back
}

func TestMergeOfShardsIsTheWhole(t *testing.T) {
	whole := runShard(t, Whole)
	a, b := runShard(t, Shard{1, 2}), runShard(t, Shard{2, 2})
	if a.Orders.Submitted != 1000 || b.Orders.Submitted != 1000 {
		t.Fatalf("shards sent %d and %d", a.Orders.Submitted, b.Orders.Submitted)
	}
	th, _ := ThresholdsOf(a)
	m, err := Merge([]*Report{b, a}, th)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(m.Orders, whole.Orders) || !m.Accounting.Holds || m.Accounting.Sum != 2000 {
		t.Fatalf("merged %+v\nwhole  %+v", m.Orders, whole.Orders)
	}
	// The histograms merge exactly: the shards' union is the whole run.
	for _, name := range []string{HistQueueWait, HistSaga, HistE2E} {
		if m.Histograms[name] != whole.Histograms[name] {
			mh, _ := decodeHistogram(name, m.Histograms[name])
			wh, _ := decodeHistogram(name, whole.Histograms[name])
			if !mh.Equals(wh) {
				t.Errorf("%s: merged histogram differs from the whole run's", name)
			}
		}
	}
	if m.LatencyMS.EndToEnd != whole.LatencyMS.EndToEnd || m.StepsMS["ProcessPayment"] != whole.StepsMS["ProcessPayment"] {
		t.Fatalf("merged %+v, whole %+v", m.LatencyMS, whole.LatencyMS)
	}
	// One order in ten failed: failed<5% fails, for the whole as merged.
	if len(m.Thresholds) != 1 || m.Thresholds[0] != whole.Thresholds[0] || m.Thresholds[0].Pass || m.Thresholds[0].Value != 0.1 {
		t.Fatalf("thresholds %+v, whole %+v", m.Thresholds, whole.Thresholds)
	}
	if !cmp.Equal(m.Shards, []string{"1/2", "2/2"}) || m.Pacing.AskedPerS != 1000 {
		t.Fatalf("shards %v pacing %+v", m.Shards, m.Pacing)
	}
	if _, err := Merge([]*Report{a, a}, nil); err == nil {
		t.Fatal("the same shard merged twice")
	}
	other := *b
	other.RunKey = "8"
	if _, err := Merge([]*Report{a, &other}, nil); err == nil {
		t.Fatal("shards of two runs merged")
	}
}

// Shards read the same log group, each over its own window: the merge
// keeps the largest count read rather than adding them up, and a shard
// that read nothing does not hide one that did.
func TestMergeLambdaLog(t *testing.T) {
	var r Report
	r.mergeLambdaLog(nil)
	if r.LambdaLog != nil {
		t.Fatal("nothing read, yet a lambda log")
	}
	r.mergeLambdaLog(&LambdaLog{Note: "not read"})
	r.mergeLambdaLog(&LambdaLog{Group: "/aws/lambda/new-order", StartThrottles: 7})
	r.mergeLambdaLog(&LambdaLog{Group: "/aws/lambda/new-order", StartThrottles: 5})
	r.mergeLambdaLog(&LambdaLog{Group: "/aws/lambda/new-order", Error: "timed out"})
	if l := r.LambdaLog; !l.Read() || l.StartThrottles != 7 {
		t.Fatalf("%+v, want the 7 read", l)
	}
}
