package saga_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/latency"
	"github.com/yafdp/yafdp/internal/saga"
)

func virtualBatch(t *testing.T, opts saga.BatchOptions) *saga.BatchResult {
	t.Helper()
	opts.Clock = clock.NewVirtual(clock.Epoch)
	res, err := saga.RunBatch(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func faults(t *testing.T, specs ...string) saga.FakeConfig {
	t.Helper()
	var cfg saga.FakeConfig
	for _, s := range specs {
		if err := cfg.ApplyFault(s); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

func TestRunBatchAccountsForEveryOrder(t *testing.T) {
	cfg := faults(t, "payment.decline=0.05", "restaurant.reject=0.03", "payment.throttle=0.2", "delivery.error=0.1")
	if err := cfg.ApplyLatency("payment=lognormal(80ms,400ms)"); err != nil {
		t.Fatal(err)
	}
	res := virtualBatch(t, saga.BatchOptions{Orders: 500, Seed: 7, Faults: cfg})
	if got := res.Succeeded + res.Failed + res.TimedOut + res.Aborted; got != 500 || res.Started != 500 {
		t.Fatalf("outcomes add up to %d (started %d), want 500", got, res.Started)
	}
	if !res.CheckRan || !res.Check.OK() {
		t.Fatalf("invariant: %s", res.Check.String())
	}
	if res.Failed == 0 || res.Succeeded == 0 {
		t.Fatalf("with 5%% declines and 3%% rejections both outcomes should occur: %+v", res)
	}
	if res.Errors["Payment.Declined"] == 0 || res.Errors["Restaurant.Rejected"] == 0 {
		t.Fatalf("errors %v", res.Errors)
	}
	if res.Retries == 0 {
		t.Fatal("20% throttling must cause retries")
	}
	if res.Compensated != res.Failed {
		t.Fatalf("every failed order compensates: compensated %d, failed %d", res.Compensated, res.Failed)
	}
	if res.Latency.P50 <= 0 || res.Latency.P50 > res.Latency.P95 || res.Latency.P95 > res.Latency.P99 || res.Latency.P99 > res.Latency.Max {
		t.Fatalf("latency %+v", res.Latency)
	}
	if res.Calls[saga.FnPaymentCharge].Calls < 500 {
		t.Fatalf("payment calls %+v", res.Calls[saga.FnPaymentCharge])
	}
}

func TestRunBatchIsReproducible(t *testing.T) {
	opts := saga.BatchOptions{Orders: 300, Seed: 99, Faults: faults(t, "payment.throttle=0.3", "notify.error=0.2", "delivery.nocourier=0.05")}
	a := virtualBatch(t, opts)
	b := virtualBatch(t, opts)
	if diff := cmp.Diff(a, b, cmpopts.IgnoreUnexported(saga.Report{})); diff != "" {
		t.Fatalf("same seed, different result (-first +second):\n%s", diff)
	}
	opts.Seed = 100
	c := virtualBatch(t, opts)
	if cmp.Equal(a.Errors, c.Errors) && a.Retries == c.Retries && a.Latency == c.Latency {
		t.Fatal("a different seed gave the very same run")
	}
}

func TestRunBatchConcurrencyLimit(t *testing.T) {
	cfg := faults(t)
	if err := cfg.ApplyLatency("payment=fixed(1s)"); err != nil {
		t.Fatal(err)
	}
	res := virtualBatch(t, saga.BatchOptions{Orders: 10, Seed: 1, Faults: cfg, Concurrency: 2})
	if res.Succeeded != 10 {
		t.Fatalf("%+v", res)
	}
	// Ten orders, two at a time, one second of payment each.
	if res.Elapsed != 5*time.Second {
		t.Fatalf("elapsed %v, want 5s", res.Elapsed)
	}
}

func TestRunBatchRealClock(t *testing.T) {
	res, err := saga.RunBatch(context.Background(), saga.BatchOptions{Orders: 50, Seed: 3, Faults: faults(t, "payment.decline=0.1")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Succeeded+res.Failed != 50 || !res.Check.OK() {
		t.Fatalf("%+v\n%s", res, res.Check.String())
	}
}

func TestRunBatchInterrupted(t *testing.T) {
	cfg := faults(t)
	if err := cfg.ApplyLatency("delivery=fixed(10s)"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	vc := clock.NewVirtual(clock.Epoch)
	// Cancel once virtual time has reached 5 s: every order is stuck in
	// ScheduleDelivery by then.
	vc.AfterFunc(5*time.Second, cancel)
	res, err := saga.RunBatch(ctx, saga.BatchOptions{Orders: 20, Seed: 1, Faults: cfg, Clock: vc, Concurrency: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Aborted != 5 || res.Started != 5 {
		t.Fatalf("want 5 started and aborted: %+v", res)
	}
	if len(res.Check.Violations) != 0 {
		t.Fatalf("an interrupted run is not a violation: %s", res.Check.String())
	}
}

func TestRunBatchCustomDefinitionWithoutFakes(t *testing.T) {
	m, err := asl.Parse([]byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	res := virtualBatch(t, saga.BatchOptions{Machine: m, MachineName: "custom", Orders: 5, Seed: 1})
	if res.Succeeded != 5 || res.CheckRan {
		t.Fatalf("%+v", res)
	}
}

func TestTimelineOfACompensatedOrder(t *testing.T) {
	res := virtualBatch(t, saga.BatchOptions{Orders: 1, Seed: 1, Faults: faults(t, "delivery.nocourier=1"), KeepExecutions: true})
	steps := saga.Timeline(res.Executions[0].Events())
	var got []string
	for _, s := range steps {
		mark := ""
		if s.Compensation {
			mark = "*"
		}
		got = append(got, s.State+mark+":"+s.Outcome)
	}
	want := []string{
		"ProcessPayment:succeeded", "PlaceRestaurantOrder:succeeded", "ScheduleDelivery:caught",
		"CancelDelivery*:succeeded", "CancelRestaurantOrder*:succeeded", "RefundPayment*:succeeded",
		"MarkCancelled*:succeeded", "NotifyCancelled*:succeeded", "CheckCompensations*:succeeded", "OrderFailed*:failed",
	}
	if !cmp.Equal(got, want) {
		t.Fatalf("timeline\n got %v\nwant %v", got, want)
	}
	if f := steps[2].Failures; len(f) != 1 || f[0].Error != "Delivery.NoCourier" {
		t.Fatalf("ScheduleDelivery failures %+v", f)
	}
}

// TestInvariantOverTenThousandSeeds is the property test of the saga: for
// each of 10,000 seeds it draws faults for every service (errors and
// timeouts that hit compensations too, throttling, refusals, outages,
// latency, a payment quota), runs a few orders in virtual time and lets the
// checker prove the invariant from the ledger.
func TestInvariantOverTenThousandSeeds(t *testing.T) {
	seeds := 10000
	if testing.Short() {
		seeds = 500
	}
	m, err := saga.BuiltIn()
	if err != nil {
		t.Fatal(err)
	}
	var total, failed, manual int
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		r := rand.New(rand.NewPCG(seed, 0x5A6A))
		cfg := randomFaults(r)
		opts := saga.BatchOptions{Machine: m, Orders: 1 + r.IntN(6), Seed: seed, Faults: cfg}
		res := virtualBatch(t, opts)
		total += res.Orders
		failed += res.Failed
		manual += res.ManualRepair
		if res.Succeeded+res.Failed != res.Orders {
			t.Fatalf("seed %d: %d orders, %d succeeded, %d failed, %d timed out", seed, res.Orders, res.Succeeded, res.Failed, res.TimedOut)
		}
		if !res.Check.OK() {
			t.Fatalf("seed %d (faults %+v): invariant broken:\n%s", seed, cfg, res.Check.String())
		}
	}
	t.Logf("%d seeds, %d orders: %d failed and compensated, %d ended in %s", seeds, total, failed-manual, manual, saga.ErrCompensationFailed)
	if failed == 0 || manual == 0 {
		t.Fatal("the random faults never produced a compensation or a manual repair; the property test is not exercising them")
	}
}

func randomFaults(r *rand.Rand) saga.FakeConfig {
	pick := func(choices ...float64) float64 { return choices[r.IntN(len(choices))] }
	var cfg saga.FakeConfig
	for _, s := range saga.Services() {
		sc := cfg.Service(s)
		sc.ErrorRate = pick(0, 0, 0.05, 0.3, 0.8)
		sc.TimeoutRate = pick(0, 0, 0, 0.05, 0.3)
		sc.ThrottleRate = pick(0, 0, 0.1, 0.5)
		if s != saga.Notify && s != saga.Orders {
			sc.RefusalRate = pick(0, 0, 0.1, 0.5)
		}
		if r.IntN(4) == 0 {
			sc.Outages = []saga.Outage{{Start: time.Duration(r.IntN(30)) * time.Second, Duration: time.Duration(1+r.IntN(600)) * time.Second}}
		}
		if r.IntN(2) == 0 {
			sc.Latency = latency.LogNormal(time.Duration(1+r.IntN(200))*time.Millisecond, time.Duration(200+r.IntN(20000))*time.Millisecond)
		}
	}
	if r.IntN(3) == 0 {
		cfg.Payment.RatePerSecond = float64(1 + r.IntN(20))
		cfg.Payment.Burst = 1 + r.IntN(10)
	}
	return cfg
}

func TestTimelineJSONInMilliseconds(t *testing.T) {
	b, err := json.Marshal(saga.Step{State: "S", Start: 1500 * time.Millisecond, End: 2 * time.Second,
		Failures: []saga.StepFailure{{At: 250 * time.Millisecond, Error: "E"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"startMs":1500`, `"endMs":2000`, `"atMs":250`, `"error":"E"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
}

// A step that times out fails the order with States.Timeout, the error
// that happened. The error output of a timeout has no Cause, and the saga's
// Fail state used to take its cause from $.failure.Cause, which then
// failed the state itself with States.Runtime.
func TestTimedOutStepFailsWithStatesTimeout(t *testing.T) {
	res := virtualBatch(t, saga.BatchOptions{Orders: 300, Seed: 1, Faults: faults(t, "delivery.timeout=0.5")})
	if res.Errors["States.Runtime"] != 0 || res.Errors["States.Timeout"] == 0 {
		t.Fatalf("errors %v, want States.Timeout and no States.Runtime", res.Errors)
	}
	if !res.Check.OK() {
		t.Fatalf("invariant: %s", res.Check.String())
	}
}

// A call that times out lands its effect after its execution has ended; the
// batch checks the invariant only once every call has answered, so a
// definition that never cancels such a delivery is caught for every order.
func TestLateEffectsAreChecked(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(saga.Definition, &doc); err != nil {
		t.Fatal(err)
	}
	sd := doc["States"].(map[string]any)["ScheduleDelivery"].(map[string]any)
	delete(sd, "Retry")
	sd["Catch"].([]any)[0].(map[string]any)["Next"] = "CancelRestaurantOrder" // CancelDelivery skipped
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	m, err := asl.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	res := virtualBatch(t, saga.BatchOptions{Machine: m, Orders: 200, Seed: 1, Faults: faults(t, "delivery.timeout=1")})
	if res.Failed != 200 || len(res.Check.Violations) != 200 {
		t.Fatalf("%d failed, %d violations found; want every order's late delivery booking caught: %s", res.Failed, len(res.Check.Violations), res.Check.String())
	}
}
