package saga

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/latency"
)

// answer is what one call came back with.
type answer struct {
	called bool
	out    any
	err    error
	at     time.Time
}

func (a *answer) errName() string {
	var se *states.Error
	if errors.As(a.err, &se) {
		return se.Name
	}
	if a.err != nil {
		return "?" + a.err.Error()
	}
	return ""
}

func (a *answer) payload(t *testing.T) map[string]any {
	t.Helper()
	if a.err != nil {
		t.Fatalf("call failed: %v", a.err)
	}
	m, ok := a.out.(map[string]any)
	if !ok || m["StatusCode"] != 200 || m["ExecutedVersion"] != "$LATEST" {
		t.Fatalf("output %#v is not shaped like lambda:invoke's", a.out)
	}
	p, ok := m["Payload"].(map[string]any)
	if !ok {
		t.Fatalf("output %#v has no Payload object", a.out)
	}
	return p
}

// call invokes fn for order with extra payload fields and returns a pointer
// that is filled in when done runs.
func call(f *Fakes, clk clock.Clock, fn, order string, attempt int, timeout time.Duration, extra ...any) *answer {
	payload := map[string]any{"orderId": order}
	for i := 0; i+1 < len(extra); i += 2 {
		payload[extra[i].(string)] = extra[i+1]
	}
	req := &asl.TaskRequest{
		Resource:  LambdaInvoke,
		State:     "Test",
		Input:     map[string]any{"FunctionName": fn, "Payload": payload},
		Execution: order,
		Attempt:   attempt,
		Timeout:   timeout,
	}
	a := &answer{}
	f.Resources()[LambdaInvoke].Invoke(context.Background(), req, func(out any, err error) {
		if a.called {
			panic("done called twice")
		}
		a.called, a.out, a.err, a.at = true, out, err, clk.Now()
	})
	return a
}

func newTestFakes(cfg FakeConfig) (*Fakes, *clock.Virtual) {
	clk := clock.NewVirtual(clock.Epoch)
	return NewFakes(cfg, clk, 1), clk
}

func kinds(effs []Effect) []EffectKind {
	var ks []EffectKind
	for _, e := range effs {
		ks = append(ks, e.Kind)
	}
	return ks
}

func TestUnknownFunction(t *testing.T) {
	f, clk := newTestFakes(FakeConfig{})
	a := call(f, clk, "yafdp-nope", "ord_1", 0, 0)
	if !a.called || a.errName() != "Lambda.ResourceNotFoundException" {
		t.Fatalf("got %v, want Lambda.ResourceNotFoundException", a.err)
	}
	a = call(f, clk, FnPaymentCharge, "", 0, 0)
	if a.errName() != "Payment.InvalidRequest" {
		t.Fatalf("charge without orderId: %v", a.err)
	}
	a = call(f, clk, FnNotifySend, "ord_1", 0, 0, "kind", "shipped")
	if a.errName() != "Notify.InvalidRequest" {
		t.Fatalf("notify with a bad kind: %v", a.err)
	}
}

func TestChargeIsIdempotent(t *testing.T) {
	f, clk := newTestFakes(FakeConfig{})
	a1 := call(f, clk, FnPaymentCharge, "ord_1", 0, 0)
	a2 := call(f, clk, FnPaymentCharge, "ord_1", 1, 0)
	if !a1.called {
		t.Fatal("a call without latency did not answer at once")
	}
	p1, p2 := a1.payload(t), a2.payload(t)
	if p1["paymentId"] != "pay_1" || p2["paymentId"] != p1["paymentId"] {
		t.Fatalf("paymentIds %v and %v, want pay_1 twice", p1["paymentId"], p2["paymentId"])
	}
	if got := kinds(f.Ledger().Effects("ord_1")); !slices.Equal(got, []EffectKind{Charged}) {
		t.Fatalf("effects %v, want one charge", got)
	}
	r1 := call(f, clk, FnPaymentRefund, "ord_1", 0, 0)
	r2 := call(f, clk, FnPaymentRefund, "ord_1", 0, 0)
	if r1.payload(t)["status"] != "refunded" || r2.payload(t)["status"] != "refunded" {
		t.Fatal("refund did not answer refunded")
	}
	late := call(f, clk, FnPaymentCharge, "ord_1", 2, 0)
	if late.errName() != "Payment.Declined" {
		t.Fatalf("charge after refund: %v, want Payment.Declined", late.err)
	}
	if got := kinds(f.Ledger().Effects("ord_1")); !slices.Equal(got, []EffectKind{Charged, Refunded}) {
		t.Fatalf("effects %v, want charge and one refund", got)
	}
}

// TestTombstones: a compensation that arrives before its step voids it, and
// the step, arriving late, is refused and never takes effect.
func TestTombstones(t *testing.T) {
	tests := []struct {
		step, undo   string
		voided       EffectKind
		refusedError string
	}{
		{FnPaymentCharge, FnPaymentRefund, PaymentVoided, "Payment.Declined"},
		{FnRestaurantPlace, FnRestaurantCancel, RestaurantVoided, "Restaurant.Rejected"},
		{FnDeliverySchedule, FnDeliveryCancel, DeliveryVoided, "Delivery.Cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			f, clk := newTestFakes(FakeConfig{})
			u := call(f, clk, tt.undo, "ord_9", 0, 0)
			if u.payload(t)["status"] != "voided" {
				t.Fatalf("undo before step answered %v, want voided", u.out)
			}
			call(f, clk, tt.undo, "ord_9", 1, 0).payload(t) // idempotent
			s := call(f, clk, tt.step, "ord_9", 0, 0)
			if s.errName() != tt.refusedError {
				t.Fatalf("late step: %v, want %s", s.err, tt.refusedError)
			}
			if got := kinds(f.Ledger().Effects("ord_9")); !slices.Equal(got, []EffectKind{tt.voided}) {
				t.Fatalf("effects %v, want only %v", got, tt.voided)
			}
		})
	}
}

func TestOrderStatus(t *testing.T) {
	f, clk := newTestFakes(FakeConfig{})
	if p := call(f, clk, FnOrdersConfirm, "ord_1", 0, 0).payload(t); p["status"] != StatusConfirmed {
		t.Fatalf("confirm answered %v", p)
	}
	call(f, clk, FnOrdersConfirm, "ord_1", 1, 0).payload(t)
	// Cancelling wins over a confirmation: the saga compensates only when it
	// never saw the confirmation succeed.
	if p := call(f, clk, FnOrdersCancel, "ord_1", 0, 0).payload(t); p["status"] != StatusCancelled {
		t.Fatalf("cancel answered %v", p)
	}
	if a := call(f, clk, FnOrdersConfirm, "ord_1", 2, 0); a.errName() != "Orders.Conflict" {
		t.Fatalf("confirm after cancel: %v, want Orders.Conflict", a.err)
	}
	call(f, clk, FnOrdersCancel, "ord_1", 1, 0).payload(t)
	if got := kinds(f.Ledger().Effects("ord_1")); !slices.Equal(got, []EffectKind{MarkedConfirmed, MarkedCancelled}) {
		t.Fatalf("effects %v", got)
	}
	if s, _ := f.Ledger().Summary("ord_1"); s.Status != StatusCancelled {
		t.Fatalf("status %s, want CANCELLED", s.Status)
	}
}

func TestNotifyDeduplicates(t *testing.T) {
	f, clk := newTestFakes(FakeConfig{})
	for _, tt := range []struct{ kind, want string }{
		{"confirmed", "sent"}, {"confirmed", "duplicate"}, {"cancelled", "sent"},
		{"cancelled", "duplicate"}, {"confirmed", "suppressed"},
	} {
		if p := call(f, clk, FnNotifySend, "ord_1", 0, 0, "kind", tt.kind).payload(t); p["status"] != tt.want {
			t.Fatalf("notify %s: %v, want %s", tt.kind, p["status"], tt.want)
		}
	}
	if got := kinds(f.Ledger().Effects("ord_1")); !slices.Equal(got, []EffectKind{NotifiedConfirmed, NotifiedCancelled}) {
		t.Fatalf("effects %v", got)
	}
}

// TestQuotaAdmitsRateTimesTimePlusBurst drives the payment quota far above
// its rate on a virtual clock: over [0, 10s] it admits exactly
// burst + rate × 10s. (With a burst of 1 and calls on a 1ms grid, tokens
// would be lost to the cap between calls, so the smallest burst here is 2.)
func TestQuotaAdmitsRateTimesTimePlusBurst(t *testing.T) {
	for _, tt := range []struct {
		tps   float64
		burst int
	}{{50, 100}, {300, 1300}, {7.5, 2}} {
		t.Run(fmt.Sprint(tt.tps, "/", tt.burst), func(t *testing.T) {
			var cfg FakeConfig
			cfg.Payment.RatePerSecond, cfg.Payment.Burst = tt.tps, tt.burst
			f, clk := newTestFakes(cfg)
			admitted, throttled := 0, 0
			for ms := 0; ms <= 10000; ms++ {
				clk.RunUntil(clock.Epoch.Add(time.Duration(ms) * time.Millisecond))
				a := call(f, clk, FnPaymentCharge, fmt.Sprintf("ord_%d", ms), 0, 0)
				switch a.errName() {
				case "":
					admitted++
				case "Payment.Throttled":
					throttled++
				default:
					t.Fatalf("unexpected %v", a.err)
				}
			}
			want := tt.burst + int(tt.tps*10)
			if admitted != want {
				t.Fatalf("admitted %d over 10s, want burst %d + %v/s × 10s = %d", admitted, tt.burst, tt.tps, want)
			}
			if st := f.Stats()[FnPaymentCharge]; st.Throttled != int64(throttled) || st.OK != int64(admitted) {
				t.Fatalf("stats %+v, counted %d ok and %d throttled", st, admitted, throttled)
			}
		})
	}
}

func TestOutageWindow(t *testing.T) {
	var cfg FakeConfig
	if err := cfg.ApplyFault("restaurant.outage=30s+2m"); err != nil {
		t.Fatal(err)
	}
	f, clk := newTestFakes(cfg)
	for i, tt := range []struct {
		at   time.Duration
		want string
	}{
		{0, ""}, {29 * time.Second, ""}, {30 * time.Second, "Restaurant.Unavailable"},
		{2*time.Minute + 29*time.Second, "Restaurant.Unavailable"}, {2*time.Minute + 30*time.Second, ""},
	} {
		clk.RunUntil(clock.Epoch.Add(tt.at))
		a := call(f, clk, FnRestaurantPlace, fmt.Sprintf("ord_%d", i), 0, 0)
		if a.errName() != tt.want {
			t.Errorf("at %v: %q, want %q", tt.at, a.errName(), tt.want)
		}
		// Compensations fail during an outage too.
		if c := call(f, clk, FnRestaurantCancel, fmt.Sprintf("ord_x%d", i), 0, 0); c.errName() != tt.want {
			t.Errorf("cancel at %v: %q, want %q", tt.at, c.errName(), tt.want)
		}
	}
	// Other services are not affected.
	if a := call(f, clk, FnPaymentCharge, "ord_p", 0, 0); a.err != nil {
		t.Fatal(a.err)
	}
}

func TestFaultRates(t *testing.T) {
	var cfg FakeConfig
	for _, s := range []string{"payment.decline=0.1", "payment.throttle=0.2", "payment.error=0.05"} {
		if err := cfg.ApplyFault(s); err != nil {
			t.Fatal(err)
		}
	}
	f, clk := newTestFakes(cfg)
	counts := map[string]int{}
	const n = 20000
	for i := 0; i < n; i++ {
		counts[call(f, clk, FnPaymentCharge, fmt.Sprintf("ord_%d", i), 0, 0).errName()]++
	}
	// Draws are independent and the first fault in field order wins:
	// throttle, then error, then the refusal.
	want := map[string]float64{
		"Payment.Throttled":   0.2,
		"Payment.Unavailable": 0.8 * 0.05,
		"Payment.Declined":    0.8 * 0.95 * 0.1,
	}
	for name, p := range want {
		got := float64(counts[name]) / n
		if got < p*0.85 || got > p*1.15 {
			t.Errorf("%s: %.4f of calls, want about %.4f", name, got, p)
		}
	}
	// Refusals never hit compensations; errors do.
	var cfg2 FakeConfig
	cfg2.Payment.RefusalRate = 1
	cfg2.Payment.ErrorRate = 0
	f2, clk2 := newTestFakes(cfg2)
	if a := call(f2, clk2, FnPaymentRefund, "ord_1", 0, 0); a.err != nil {
		t.Fatalf("refund with payment.decline=1: %v", a.err)
	}
	cfg2.Payment.ErrorRate = 1
	f3, clk3 := newTestFakes(cfg2)
	if a := call(f3, clk3, FnPaymentRefund, "ord_1", 0, 0); a.errName() != "Payment.Unavailable" {
		t.Fatalf("refund with payment.error=1: %v", a.err)
	}
}

// TestTimedOutCallLandsLater: a call with the timeout fault answers after
// twice the Task's timeout, and its effect lands then, not before.
func TestTimedOutCallLandsLater(t *testing.T) {
	var cfg FakeConfig
	cfg.Payment.TimeoutRate = 1
	f, clk := newTestFakes(cfg)
	a := call(f, clk, FnPaymentCharge, "ord_1", 0, 10*time.Second)
	if a.called {
		t.Fatal("a timed-out call answered at once")
	}
	if _, ok := f.Ledger().Summary("ord_1"); ok {
		t.Fatal("the charge landed before the call completed")
	}
	clk.Run()
	if !a.called || a.err != nil {
		t.Fatalf("called=%v err=%v", a.called, a.err)
	}
	if got := a.at.Sub(clock.Epoch); got != 20*time.Second {
		t.Fatalf("answered after %v, want 20s", got)
	}
	effs := f.Ledger().Effects("ord_1")
	if len(effs) != 1 || effs[0].Kind != Charged || !effs[0].At.Equal(clock.Epoch.Add(20*time.Second)) {
		t.Fatalf("effects %+v, want one charge at 20s", effs)
	}
	if st := f.Stats()[FnPaymentCharge]; st.Late != 1 {
		t.Fatalf("late = %d, want 1", st.Late)
	}

	// A refund that comes first voids it: the late charge never lands.
	f, clk = newTestFakes(cfg)
	charge := call(f, clk, FnPaymentCharge, "ord_2", 0, 10*time.Second)
	clk.Advance(11 * time.Second)
	f.svc[Payment].cfg.TimeoutRate = 0 // the refund itself is quick
	refund := call(f, clk, FnPaymentRefund, "ord_2", 0, 10*time.Second)
	clk.Run()
	if refund.err != nil || charge.errName() != "Payment.Declined" {
		t.Fatalf("refund %v, late charge %v", refund.err, charge.err)
	}
	if got := kinds(f.Ledger().Effects("ord_2")); !slices.Equal(got, []EffectKind{PaymentVoided}) {
		t.Fatalf("effects %v, want only the void", got)
	}
}

func TestLatency(t *testing.T) {
	var cfg FakeConfig
	cfg.Delivery.Latency = latency.Fixed(250 * time.Millisecond)
	cfg.Notify.Latency = latency.LogNormal(80*time.Millisecond, 250*time.Millisecond)
	cfg.Restaurant.Latency = latency.Uniform(20*time.Millisecond, 80*time.Millisecond)
	f, clk := newTestFakes(cfg)
	a := call(f, clk, FnDeliverySchedule, "ord_1", 0, 0)
	if a.called {
		t.Fatal("answered before its latency passed")
	}
	clk.Run()
	if got := a.at.Sub(clock.Epoch); got != 250*time.Millisecond {
		t.Fatalf("answered after %v, want 250ms", got)
	}

	sample := func(fn string) []time.Duration {
		var ds []time.Duration
		for i := 0; i < 5000; i++ {
			start := clk.Now()
			a := call(f, clk, fn, fmt.Sprintf("ord_%d", i), 0, 0, "kind", "confirmed")
			clk.Run()
			ds = append(ds, a.at.Sub(start))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds
	}
	ln := sample(FnNotifySend)
	if med, p99 := ln[len(ln)/2], ln[len(ln)*99/100]; med < 72*time.Millisecond || med > 88*time.Millisecond || p99 < 200*time.Millisecond || p99 > 300*time.Millisecond {
		t.Errorf("lognormal(80ms,250ms): median %v, p99 %v", med, p99)
	}
	un := sample(FnRestaurantPlace)
	if un[0] < 20*time.Millisecond || un[len(un)-1] >= 80*time.Millisecond {
		t.Errorf("uniform(20ms,80ms): range [%v, %v]", un[0], un[len(un)-1])
	}
}

// TestDeterminismAcrossCallOrders: the same calls made in another order, on
// other instants, by fresh fakes with the same seed, get the same answers.
func TestDeterminismAcrossCallOrders(t *testing.T) {
	var cfg FakeConfig
	for _, s := range []string{
		"payment.decline=0.2", "payment.throttle=0.2", "payment.error=0.1", "payment.timeout=0.1",
		"restaurant.reject=0.2", "delivery.nocourier=0.2", "notify.error=0.3",
	} {
		if err := cfg.ApplyFault(s); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Payment.Latency = latency.LogNormal(50*time.Millisecond, 400*time.Millisecond)
	type key struct {
		order, fn string
		attempt   int
	}
	var keys []key
	for i := 0; i < 200; i++ {
		for _, fn := range []string{FnPaymentCharge, FnRestaurantPlace, FnDeliverySchedule, FnNotifySend} {
			for attempt := 0; attempt < 3; attempt++ {
				// One call per order and function, so that idempotency does
				// not couple the answers.
				keys = append(keys, key{fmt.Sprintf("ord_%d_%d", i, attempt), fn, attempt})
			}
		}
	}
	run := func(ks []key, spread bool) map[key]string {
		clk := clock.NewVirtual(clock.Epoch)
		f := NewFakes(cfg, clk, 99)
		got := map[key]string{}
		answers := map[key]*answer{}
		starts := map[key]time.Time{}
		for i, k := range ks {
			if spread {
				clk.Advance(time.Duration(i%7) * time.Millisecond)
			}
			starts[k] = clk.Now()
			answers[k] = call(f, clk, k.fn, k.order, k.attempt, 5*time.Second, "kind", "confirmed")
		}
		clk.Run()
		for k, a := range answers {
			got[k] = fmt.Sprintf("%s after %v", a.errName(), a.at.Sub(starts[k]))
		}
		return got
	}
	a := run(keys, false)
	shuffled := slices.Clone(keys)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b := run(shuffled, true)
	for k, v := range a {
		if b[k] != v {
			t.Fatalf("%v: %s in one order, %s in another", k, v, b[k])
		}
	}
	// A different seed gives different answers.
	clk := clock.NewVirtual(clock.Epoch)
	other := NewFakes(cfg, clk, 100)
	differ := 0
	for _, k := range keys[:200] {
		start := clk.Now()
		ans := call(other, clk, k.fn, k.order, k.attempt, 5*time.Second, "kind", "confirmed")
		clk.Run()
		if fmt.Sprintf("%s after %v", ans.errName(), ans.at.Sub(start)) != a[k] {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("seeds 99 and 100 gave the same answers")
	}
}

func TestFakesConcurrentOnRealClock(t *testing.T) {
	var cfg FakeConfig
	cfg.Payment.Latency = latency.Uniform(0, time.Millisecond)
	f := NewFakes(cfg, clock.Real{}, 1)
	done := make(chan error, 400)
	for i := 0; i < 400; i++ {
		go func() {
			order := fmt.Sprintf("ord_%d", i%50)
			fn := FnPaymentCharge
			if i%2 == 1 {
				fn = FnPaymentRefund
			}
			req := &asl.TaskRequest{Resource: LambdaInvoke, Input: map[string]any{"FunctionName": fn, "Payload": map[string]any{"orderId": order}}, Execution: order, Attempt: i}
			f.Invoke(context.Background(), req, func(_ any, err error) { done <- err })
		}()
	}
	for i := 0; i < 400; i++ {
		<-done
	}
	for id, s := range f.Ledger().All() {
		if s.Charges > 1 || s.Refunds > s.Charges {
			t.Fatalf("%s: %+v", id, s)
		}
	}
}

func BenchmarkInvokeCharge(b *testing.B) {
	f := NewFakes(FakeConfig{}, clock.NewVirtual(clock.Epoch), 1)
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = fmt.Sprintf("ord_%d", i)
	}
	payloads := make([]map[string]any, len(ids))
	for i := range payloads {
		payloads[i] = map[string]any{"FunctionName": FnPaymentCharge, "Payload": map[string]any{"orderId": ids[i]}}
	}
	req := &asl.TaskRequest{Resource: LambdaInvoke}
	done := func(any, error) {}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		req.Input = payloads[i&(len(ids)-1)]
		f.Invoke(context.Background(), req, done)
	}
}

func BenchmarkInvokeRefundRepeat(b *testing.B) {
	f := NewFakes(FakeConfig{}, clock.NewVirtual(clock.Epoch), 1)
	req := &asl.TaskRequest{Resource: LambdaInvoke, Input: map[string]any{"FunctionName": FnPaymentRefund, "Payload": map[string]any{"orderId": "ord_1"}}}
	done := func(any, error) {}
	b.ReportAllocs()
	for b.Loop() {
		f.Invoke(context.Background(), req, done)
	}
}

// The fakes vouch for their answers' size (TaskRequest.AnswerWithin): every
// answer of every function keeps within the bound, for an order id that
// JSON must escape.
func TestAnswersKeepWithinTheSizeTheyVouchFor(t *testing.T) {
	for _, id := range []string{"o", "ord_sim1z", "ord_\"quoted\"\u2028\x01é"} {
		f, clk := newTestFakes(FakeConfig{})
		var answers []*answer
		for _, fn := range FunctionNames() {
			extra := []any{}
			if fn == FnNotifySend {
				extra = []any{"kind", "confirmed"}
			}
			answers = append(answers, call(f, clk, fn, id, 0, 0, extra...))
		}
		// And the compensations' other answers, after the forward steps.
		for _, fn := range []string{FnPaymentRefund, FnRestaurantCancel, FnDeliveryCancel, FnOrdersCancel} {
			answers = append(answers, call(f, clk, fn, id, 1, 0))
		}
		clk.Run()
		for i, a := range answers {
			if !a.called || a.err != nil {
				continue
			}
			if n, limit := value.EncodedSize(a.out), answerOverhead+6*len(id); n > limit {
				t.Errorf("answer %d for %q: %d bytes, vouched for %d", i, id, n, limit)
			}
		}
	}
}

// Answers handed back by the engine are reused for later forward steps,
// never the shared answers of the other functions (which would then change
// under every saga that holds them).
func TestRecycledAnswersStayCorrect(t *testing.T) {
	f, clk := newTestFakes(FakeConfig{})
	sent := call(f, clk, FnNotifySend, "o1", 0, 0, "kind", "confirmed")
	charged := call(f, clk, FnPaymentCharge, "o1", 0, 0)
	clk.Run()
	wantSent := value.MustEncodeString(sent.out)
	f.RecycleAnswer(sent.out)
	f.RecycleAnswer(charged.out)
	for i, c := range []struct{ fn, want string }{
		{FnRestaurantPlace, `{"restaurantOrderId":"rso_o2","status":"accepted"}`},
		{FnDeliverySchedule, `{"deliveryId":"dlv_o3","status":"scheduled"}`},
		{FnPaymentCharge, `{"paymentId":"pay_o4","status":"charged"}`},
		{FnPaymentCharge, `{"paymentId":"pay_o5","status":"charged"}`},
		{FnRestaurantPlace, `{"restaurantOrderId":"rso_o6","status":"accepted"}`},
	} {
		a := call(f, clk, c.fn, fmt.Sprint("o", i+2), 0, 0)
		clk.Run()
		if got := value.MustEncodeString(a.payload(t)); got != c.want {
			t.Fatalf("%s answered %s, want %s", c.fn, got, c.want)
		}
		f.RecycleAnswer(a.out)
	}
	if got := value.MustEncodeString(sent.out); got != wantSent {
		t.Fatalf("the shared notify answer changed: %s, was %s", got, wantSent)
	}
	// Answers of one kind are reused for that kind alone.
	for k := range forwards {
		for forwards[k].spare.Get() != nil {
		}
	}
	for _, fn := range []string{FnRestaurantPlace, FnDeliverySchedule} {
		a := call(f, clk, fn, "o7", 0, 0)
		clk.Run()
		f.RecycleAnswer(a.out)
	}
	a := call(f, clk, FnPaymentCharge, "o8", 0, 0)
	clk.Run()
	if got, want := value.MustEncodeString(a.payload(t)), `{"paymentId":"pay_o8","status":"charged"}`; got != want {
		t.Fatalf("a charge after other kinds came back answered %s, want %s", got, want)
	}
}
