package saga_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/latency"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/saga"
)

// These tests run the real definition on the ASL engine against the fakes,
// in virtual time, and let the checker prove the invariant from the ledger.

type sagaRun struct {
	outcomes []saga.Outcome
	outputs  map[string]any
	report   saga.Report
	fakes    *saga.Fakes
	end      time.Time
}

// tb is what both *testing.T and *rapid.T offer.
type tb interface {
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

func runSagas(t tb, cfg saga.FakeConfig, seed uint64, n int, gap time.Duration) *sagaRun {
	return runSagasOf(t, saga.Definition, cfg, seed, n, gap)
}

// runSagasOf is runSagas for the saga written as def.
func runSagasOf(t tb, def []byte, cfg saga.FakeConfig, seed uint64, n int, gap time.Duration) *sagaRun {
	m, err := asl.Parse(def)
	if err != nil {
		t.Fatalf("asl.Parse: %v", err)
	}
	clk := clock.NewVirtual(clock.Epoch)
	fakes := saga.NewFakes(cfg, clk, seed)
	eng := &asl.Engine{Clock: clk, Resources: fakes.Resources(), Seed: seed, History: asl.HistoryNone}
	run := &sagaRun{outputs: map[string]any{}, fakes: fakes}
	for i, o := range order.Generate(seed, n, clock.Epoch) {
		clk.AfterFunc(time.Duration(i)*gap, func() {
			_, err := eng.Start(context.Background(), m, asl.StartOptions{
				Name:             o.OrderID,
				Input:            o.Value(),
				StateMachineName: saga.StateMachineName,
				OnDone: func(x *asl.Execution) {
					status, out, errName, cause := x.Result()
					run.outcomes = append(run.outcomes, saga.Outcome{OrderID: x.Name, Status: string(status), Error: errName, Cause: cause})
					run.outputs[x.Name] = out
				},
			})
			if err != nil {
				t.Errorf("start %s: %v", o.OrderID, err)
			}
		})
	}
	clk.Run()
	run.end = clk.Now()
	if len(run.outcomes) != n {
		t.Fatalf("%d of %d executions ended", len(run.outcomes), n)
	}
	run.report = saga.Check(run.outcomes, fakes.Ledger())
	return run
}

func (r *sagaRun) errors() map[string]int {
	m := map[string]int{}
	for _, o := range r.outcomes {
		m[o.Status+" "+o.Error]++
	}
	return m
}

func requireOK(t tb, r *sagaRun) {
	if !r.report.OK() {
		for i, v := range r.report.Violations {
			if i == 10 {
				break
			}
			t.Errorf("%s: %s", v.OrderID, v.Reason)
		}
		t.Fatalf("invariant broken: %s; outcomes %v", r.report.String(), r.errors())
	}
}

func TestSagaHappyPath(t *testing.T) {
	r := runSagas(t, saga.FakeConfig{}, 1, 100, 10*time.Millisecond)
	requireOK(t, r)
	if r.report.Count(saga.Confirmed) != 100 {
		t.Fatalf("%s", r.report.String())
	}
	o := r.outcomes[0]
	out, _ := r.outputs[o.OrderID].(map[string]any)
	id := strings.TrimPrefix(o.OrderID, "ord_")
	for path, want := range map[string]string{"payment.paymentId": "pay_" + id, "restaurant.restaurantOrderId": "rso_" + id, "delivery.deliveryId": "dlv_" + id, "orderStatus.status": "CONFIRMED"} {
		a, b, _ := strings.Cut(path, ".")
		if got := out[a].(map[string]any)[b]; got != want {
			t.Errorf("output %s = %v, want %s", path, got, want)
		}
	}
}

func TestSagaFailures(t *testing.T) {
	tests := []struct {
		faults []string
		// wantError is the error of every execution; for
		// Saga.CompensationFailed, wantNamed is what the cause names.
		wantError string
		wantNamed []string
		category  saga.Category
	}{
		{[]string{"payment.decline=1"}, "Payment.Declined", nil, saga.Compensated},
		{[]string{"restaurant.reject=1"}, "Restaurant.Rejected", nil, saga.Compensated},
		{[]string{"delivery.nocourier=1"}, "Delivery.NoCourier", nil, saga.Compensated},
		// A service that is down or slow for every call fails its
		// compensation too: the loud state, naming it.
		{[]string{"payment.error=1"}, "Saga.CompensationFailed", []string{"refundPayment"}, saga.ManualRepair},
		{[]string{"payment.timeout=1"}, "Saga.CompensationFailed", []string{"refundPayment"}, saga.ManualRepair},
		{[]string{"restaurant.error=1"}, "Saga.CompensationFailed", []string{"cancelRestaurantOrder"}, saga.ManualRepair},
		{[]string{"restaurant.timeout=1"}, "Saga.CompensationFailed", []string{"cancelRestaurantOrder"}, saga.ManualRepair},
		{[]string{"delivery.error=1"}, "Saga.CompensationFailed", []string{"cancelDelivery"}, saga.ManualRepair},
		{[]string{"delivery.timeout=1"}, "Saga.CompensationFailed", []string{"cancelDelivery"}, saga.ManualRepair},
		{[]string{"notify.error=1"}, "Saga.CompensationFailed", []string{"notifyCancelled"}, saga.ManualRepair},
		{[]string{"notify.timeout=1"}, "Saga.CompensationFailed", []string{"notifyCancelled"}, saga.ManualRepair},
		{[]string{"orders.error=1"}, "Saga.CompensationFailed", []string{"markCancelled"}, saga.ManualRepair},
		{[]string{"orders.timeout=1"}, "Saga.CompensationFailed", []string{"markCancelled"}, saga.ManualRepair},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.faults, ","), func(t *testing.T) {
			var cfg saga.FakeConfig
			for _, f := range tt.faults {
				if err := cfg.ApplyFault(f); err != nil {
					t.Fatal(err)
				}
			}
			r := runSagas(t, cfg, 2, 20, 100*time.Millisecond)
			requireOK(t, r)
			if got := r.report.Count(tt.category); got != 20 {
				t.Fatalf("%s, want 20 %v; outcomes %v", r.report.String(), tt.category, r.errors())
			}
			for _, o := range r.outcomes {
				if o.Status != saga.Failed || o.Error != tt.wantError {
					t.Fatalf("%s: %s %s (%s), want FAILED %s", o.OrderID, o.Status, o.Error, o.Cause, tt.wantError)
				}
				for _, n := range tt.wantNamed {
					if !strings.Contains(o.Cause, `"`+n+`"`) {
						t.Fatalf("%s: cause %q does not name %s", o.OrderID, o.Cause, n)
					}
				}
			}
		})
	}
}

// TestSagaOutageThenRecovery: a payment outage long enough to exhaust the
// charge's retries but not the refund's: orders fail and are compensated,
// and none needs manual repair.
func TestSagaOutageThenRecovery(t *testing.T) {
	var cfg saga.FakeConfig
	if err := cfg.ApplyFault("payment.outage=1s+20s"); err != nil {
		t.Fatal(err)
	}
	r := runSagas(t, cfg, 3, 300, 100*time.Millisecond)
	requireOK(t, r)
	errs := r.errors()
	if errs["FAILED Payment.Unavailable"] == 0 || r.report.Count(saga.Confirmed) == 0 {
		t.Fatalf("outcomes %v", errs)
	}
}

// TestSagaThrottledPayment: 300 orders in 3 seconds against a 20/s quota
// with a burst of 10. Retries with back-off and jitter get most through.
func TestSagaThrottledPayment(t *testing.T) {
	var cfg saga.FakeConfig
	for _, f := range []string{"payment.tps=20", "payment.burst=10"} {
		if err := cfg.ApplyFault(f); err != nil {
			t.Fatal(err)
		}
	}
	r := runSagas(t, cfg, 4, 300, 10*time.Millisecond)
	requireOK(t, r)
	st := r.fakes.Stats()[saga.FnPaymentCharge]
	if st.Throttled == 0 || r.report.Count(saga.Confirmed) < 150 {
		t.Fatalf("%s; charge stats %+v; outcomes %v", r.report.String(), st, r.errors())
	}
}

func TestSagaIsReproducible(t *testing.T) {
	var cfg saga.FakeConfig
	for _, f := range []string{"payment.throttle=0.3", "payment.timeout=0.05", "delivery.nocourier=0.1", "restaurant.error=0.2", "payment.tps=30"} {
		if err := cfg.ApplyFault(f); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Payment.Latency = latency.LogNormal(80*time.Millisecond, 250*time.Millisecond)
	a := runSagas(t, cfg, 5, 200, 5*time.Millisecond)
	b := runSagas(t, cfg, 5, 200, 5*time.Millisecond)
	requireOK(t, a)
	key := func(r *sagaRun) []string {
		var ks []string
		for _, o := range r.outcomes {
			ks = append(ks, fmt.Sprint(o))
		}
		sort.Strings(ks)
		return ks
	}
	ka, kb := key(a), key(b)
	for i := range ka {
		if ka[i] != kb[i] {
			t.Fatalf("run 1: %s\nrun 2: %s", ka[i], kb[i])
		}
	}
	if !a.end.Equal(b.end) {
		t.Fatalf("runs ended at %v and %v", a.end, b.end)
	}
}

// TestSagaInvariantUnderRandomFaults is the property every simulation
// relies on: whatever the faults, every order ends consistent or loudly
// marked for manual repair.
func TestSagaInvariantUnderRandomFaults(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var cfg saga.FakeConfig
		rate := func(label string) float64 {
			return rapid.SampledFrom([]float64{0, 0, 0.05, 0.2, 0.5, 1}).Draw(rt, label)
		}
		for _, s := range saga.Services() {
			sc := cfg.Service(s)
			sc.ErrorRate = rate(s.String() + ".error")
			sc.TimeoutRate = rate(s.String() + ".timeout")
			sc.RefusalRate = rate(s.String() + ".refusal")
			if rapid.Bool().Draw(rt, s.String()+".outage?") {
				sc.Outages = []saga.Outage{{
					Start:    time.Duration(rapid.IntRange(0, 20).Draw(rt, s.String()+".outage.start")) * time.Second,
					Duration: time.Duration(rapid.IntRange(1, 300).Draw(rt, s.String()+".outage.duration")) * time.Second,
				}}
			}
			if rapid.Bool().Draw(rt, s.String()+".latency?") {
				sc.Latency = latency.LogNormal(50*time.Millisecond, time.Duration(rapid.IntRange(50, 20000).Draw(rt, s.String()+".p99ms"))*time.Millisecond)
			}
		}
		cfg.Payment.ThrottleRate = rate("payment.throttle")
		if rapid.Bool().Draw(rt, "quota?") {
			cfg.Payment.RatePerSecond = float64(rapid.IntRange(1, 50).Draw(rt, "tps"))
			cfg.Payment.Burst = rapid.IntRange(1, 20).Draw(rt, "burst")
		}
		seed := rapid.Uint64().Draw(rt, "seed")
		r := runSagas(rt, cfg, seed, 30, time.Duration(rapid.IntRange(0, 500).Draw(rt, "gapms"))*time.Millisecond)
		requireOK(rt, r)
		if n := r.report.Count(saga.Interrupted); n != 0 {
			rt.Fatalf("%d interrupted executions", n)
		}
	})
}

func BenchmarkSagaVirtual(b *testing.B) {
	var cfg saga.FakeConfig
	for _, f := range []string{"payment.throttle=0.1", "payment.decline=0.02", "delivery.nocourier=0.02"} {
		if err := cfg.ApplyFault(f); err != nil {
			b.Fatal(err)
		}
	}
	const n = 2000
	b.ReportAllocs()
	for b.Loop() {
		runSagas(b, cfg, 9, n, time.Millisecond)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/order")
}

// TestJSONataSagaMatchesJSONPathSaga runs the saga written in JSONata with
// variables and the JSONPath one with the same seeds and faults: every order
// must end the same way (status, error, cause), and the invariant must hold
// over the JSONata saga's ledger too.
func TestJSONataSagaMatchesJSONPathSaga(t *testing.T) {
	faultSets := [][]string{
		nil,
		{"payment.decline=0.1", "restaurant.reject=0.1", "delivery.nocourier=0.1"},
		{"payment.throttle=0.4", "restaurant.timeout=0.05", "notify.error=0.2"},
		{"payment.error=1"},
		{"delivery.timeout=1"},
		{"orders.error=0.5", "payment.decline=0.2"},
		{"notify.timeout=1"},
		{"payment.tps=20", "payment.burst=5"},
	}
	for i, faults := range faultSets {
		t.Run(strings.Join(faults, ","), func(t *testing.T) {
			var cfg saga.FakeConfig
			for _, f := range faults {
				if err := cfg.ApplyFault(f); err != nil {
					t.Fatal(err)
				}
			}
			seed := uint64(100 + i)
			jp := runSagas(t, cfg, seed, 200, 5*time.Millisecond)
			ja := runSagasOf(t, saga.DefinitionJSONata, cfg, seed, 200, 5*time.Millisecond)
			requireOK(t, ja)
			want := outcomesByOrder(jp.outcomes)
			got := outcomesByOrder(ja.outcomes)
			for id, w := range want {
				if g := got[id]; g != w {
					t.Errorf("order %s: JSONata saga ended %+v, JSONPath saga %+v", id, g, w)
				}
			}
			if jp.report.String() != ja.report.String() {
				t.Errorf("checker reports differ:\nJSONPath %s\nJSONata  %s", jp.report.String(), ja.report.String())
			}
		})
	}
}

func outcomesByOrder(list []saga.Outcome) map[string]saga.Outcome {
	m := make(map[string]saga.Outcome, len(list))
	for _, o := range list {
		m[o.OrderID] = o
	}
	return m
}
