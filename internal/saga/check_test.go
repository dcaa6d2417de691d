package saga

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// ledgerOf builds a ledger from order id → effects, one second apart.
func ledgerOf(orders map[string][]EffectKind) *Ledger {
	l := NewLedger(clock.Epoch)
	for id, effs := range orders {
		for i, k := range effs {
			l.Record(id, clock.Epoch.Add(time.Duration(i)*time.Second), k)
		}
	}
	return l
}

var (
	happy       = []EffectKind{Charged, RestaurantPlaced, DeliveryScheduled, NotifiedConfirmed, MarkedConfirmed}
	compensated = []EffectKind{Charged, RestaurantPlaced, DeliveryVoided, RestaurantCancelled, Refunded, MarkedCancelled, NotifiedCancelled}
)

func causeNaming(names ...string) string {
	var parts []string
	for _, n := range names {
		parts = append(parts, `"`+n+`":{"Error":"Payment.Unavailable","Cause":"down"}`)
	}
	return "Order ord_x failed with Delivery.NoCourier and these compensations still failed after their retries; do them by hand: {" + strings.Join(parts, ",") + "}"
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		name    string
		outcome Outcome
		effects []EffectKind
		want    Category
		reason  string // part of the violation reason
	}{
		{"succeeded", Outcome{Status: Succeeded}, happy, Confirmed, ""},
		{"succeeded, duplicate notification", Outcome{Status: Succeeded}, append(happy, NotifiedConfirmed), Confirmed, ""},
		{"succeeded but refunded", Outcome{Status: Succeeded}, append(happy, Refunded), Violation, "payment refunded"},
		{"succeeded, charged twice", Outcome{Status: Succeeded}, append(happy, Charged), Violation, "charged 2 times"},
		{"succeeded, never charged", Outcome{Status: Succeeded}, happy[1:], Violation, "charged 0 times"},
		{"succeeded, restaurant cancelled", Outcome{Status: Succeeded}, append(happy, RestaurantCancelled), Violation, "restaurant order cancelled"},
		{"succeeded, delivery cancelled", Outcome{Status: Succeeded}, append(happy, DeliveryCancelled), Violation, "delivery cancelled"},
		{"succeeded, not notified", Outcome{Status: Succeeded}, []EffectKind{Charged, RestaurantPlaced, DeliveryScheduled, MarkedConfirmed}, Violation, "not told it is confirmed"},
		{"succeeded, status pending", Outcome{Status: Succeeded}, happy[:4], Violation, "status PENDING"},
		{"succeeded, told cancelled", Outcome{Status: Succeeded}, append(happy, NotifiedCancelled), Violation, "told it is cancelled"},
		{"succeeded, nothing at all", Outcome{Status: Succeeded}, nil, Violation, "SUCCEEDED but charged 0 times"},

		{"failed and compensated", Outcome{Status: Failed, Error: "Delivery.NoCourier"}, compensated, Compensated, ""},
		{"declined: only voids", Outcome{Status: Failed, Error: "Payment.Declined"}, []EffectKind{PaymentVoided, MarkedCancelled, NotifiedCancelled}, Compensated, ""},
		{"confirmed late, then cancelled", Outcome{Status: Failed, Error: "States.Timeout"},
			[]EffectKind{Charged, RestaurantPlaced, DeliveryScheduled, NotifiedConfirmed, MarkedConfirmed, DeliveryCancelled, RestaurantCancelled, Refunded, MarkedCancelled, NotifiedCancelled}, Compensated, ""},
		{"failed, charge not refunded", Outcome{Status: Failed, Error: "Restaurant.Rejected"}, []EffectKind{Charged, RestaurantVoided, MarkedCancelled, NotifiedCancelled}, Violation, "1 charges and 0 refunds"},
		{"failed, restaurant not cancelled", Outcome{Status: Failed, Error: "X"}, []EffectKind{RestaurantPlaced, MarkedCancelled, NotifiedCancelled}, Violation, "restaurant order not cancelled"},
		{"failed, delivery not cancelled", Outcome{Status: Failed, Error: "X"}, []EffectKind{DeliveryScheduled, MarkedCancelled, NotifiedCancelled}, Violation, "delivery not cancelled"},
		{"failed, status confirmed", Outcome{Status: Failed, Error: "X"}, []EffectKind{MarkedConfirmed, NotifiedCancelled}, Violation, "status CONFIRMED"},
		{"failed, customer not told", Outcome{Status: Failed, Error: "X"}, []EffectKind{MarkedCancelled}, Violation, "not told it is cancelled"},

		{"honest compensation failure", Outcome{Status: Failed, Error: ErrCompensationFailed, Cause: causeNaming(CompRefundPayment)},
			[]EffectKind{Charged, RestaurantVoided, MarkedCancelled, NotifiedCancelled}, ManualRepair, ""},
		{"honest, naming more than outstanding", Outcome{Status: Failed, Error: ErrCompensationFailed, Cause: causeNaming(CompRefundPayment, CompCancelDelivery)},
			[]EffectKind{Charged, DeliveryVoided, MarkedCancelled, NotifiedCancelled}, ManualRepair, ""},
		{"honest, several outstanding", Outcome{Status: Failed, Error: ErrCompensationFailed, Cause: causeNaming(CompRefundPayment, CompMarkCancelled, CompNotifyCancelled)},
			[]EffectKind{Charged}, ManualRepair, ""},
		{"dishonest: misses the refund", Outcome{Status: Failed, Error: ErrCompensationFailed, Cause: causeNaming(CompCancelDelivery)},
			[]EffectKind{Charged, DeliveryScheduled, MarkedCancelled, NotifiedCancelled}, Violation, "does not name refundPayment"},
		{"dishonest: misses the notification", Outcome{Status: Failed, Error: ErrCompensationFailed, Cause: causeNaming(CompRefundPayment)},
			[]EffectKind{Charged, MarkedCancelled}, Violation, "does not name notifyCancelled"},
		{"plain-text cause from another definition", Outcome{Status: Failed, Error: ErrCompensationFailed, Cause: "please run RefundPayment and CancelRestaurantOrder by hand"},
			[]EffectKind{Charged, RestaurantPlaced, MarkedCancelled, NotifiedCancelled}, ManualRepair, ""},
		{"plain-text cause missing one", Outcome{Status: Failed, Error: ErrCompensationFailed, Cause: "please run RefundPayment by hand"},
			[]EffectKind{Charged, RestaurantPlaced, MarkedCancelled, NotifiedCancelled}, Violation, "does not name cancelRestaurantOrder"},

		{"timed out", Outcome{Status: TimedOut}, []EffectKind{Charged}, Interrupted, ""},
		{"aborted", Outcome{Status: Aborted}, nil, Interrupted, ""},
		{"unknown status", Outcome{Status: "RUNNING"}, nil, Violation, `unknown execution status "RUNNING"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.outcome.OrderID = "ord_x"
			l := ledgerOf(map[string][]EffectKind{"ord_x": tt.effects})
			s, _ := l.Summary("ord_x")
			got, reason := Verdict(tt.outcome, s)
			if got != tt.want {
				t.Fatalf("Verdict = %v (%s), want %v", got, reason, tt.want)
			}
			if !strings.Contains(reason, tt.reason) {
				t.Fatalf("reason %q lacks %q", reason, tt.reason)
			}
			if strings.Contains(reason, "\n") {
				t.Fatalf("reason %q is more than one line", reason)
			}
		})
	}
}

func TestCheckReport(t *testing.T) {
	l := ledgerOf(map[string][]EffectKind{
		"ord_ok":       happy,
		"ord_comp":     compensated,
		"ord_manual":   {Charged, MarkedCancelled, NotifiedCancelled},
		"ord_bad":      {Charged, MarkedCancelled, NotifiedCancelled},
		"ord_orphan":   {Charged},
		"ord_timedout": {Charged, RestaurantPlaced},
		"ord_dup":      happy,
	})
	outcomes := []Outcome{
		{OrderID: "ord_ok", Status: Succeeded},
		{OrderID: "ord_comp", Status: Failed, Error: "Delivery.NoCourier"},
		{OrderID: "ord_manual", Status: Failed, Error: ErrCompensationFailed, Cause: causeNaming(CompRefundPayment)},
		{OrderID: "ord_bad", Status: Failed, Error: "Payment.Declined"},
		{OrderID: "ord_timedout", Status: TimedOut},
		{OrderID: "ord_dup", Status: Succeeded},
		{OrderID: "ord_dup", Status: Succeeded},
		{OrderID: "ord_nothing", Status: Failed, Error: "Payment.Declined"}, // no effects: not even cancelled
	}
	r := Check(outcomes, l)
	want := map[Category]int{Confirmed: 2, Compensated: 1, ManualRepair: 1, Interrupted: 1, Violation: 4}
	for c, n := range want {
		if r.Count(c) != n {
			t.Errorf("%v: %d, want %d (%s)", c, r.Count(c), n, r.String())
		}
	}
	if r.Orders != 9 || r.InterruptedWithEffects != 1 || r.OK() {
		t.Errorf("orders %d, interrupted with effects %d, ok %v", r.Orders, r.InterruptedWithEffects, r.OK())
	}
	wantIDs := []string{"ord_bad", "ord_dup", "ord_nothing", "ord_orphan"}
	if len(r.Violations) != len(wantIDs) {
		t.Fatalf("violations %+v", r.Violations)
	}
	for i, v := range r.Violations {
		if v.OrderID != wantIDs[i] {
			t.Errorf("violation %d is %s, want %s", i, v.OrderID, wantIDs[i])
		}
	}
	if !strings.Contains(r.Violations[3].Reason, "effects but no outcome: 1 charged") {
		t.Errorf("orphan reason %q", r.Violations[3].Reason)
	}
	if !strings.Contains(r.Violations[1].Reason, "more than one outcome") {
		t.Errorf("duplicate reason %q", r.Violations[1].Reason)
	}
	if got := r.String(); got != "9 orders: 2 confirmed, 1 compensated, 1 manual-repair, 1 interrupted, 4 violation" {
		t.Errorf("String() = %q", got)
	}
}

func TestLedgerKeepsTimes(t *testing.T) {
	l := NewLedger(clock.Epoch)
	at := clock.Epoch.Add(36*time.Hour + 123456789*time.Nanosecond)
	l.Record("ord_1", at, Charged)
	l.Record("ord_1", clock.Epoch.Add(-time.Minute), Refunded)
	effs := l.Effects("ord_1")
	if len(effs) != 2 || !effs[0].At.Equal(at) || effs[0].Kind != Charged || !effs[1].At.Equal(clock.Epoch.Add(-time.Minute)) {
		t.Fatalf("effects %+v", effs)
	}
	if l.Len() != 1 || len(l.OrderIDs()) != 1 {
		t.Fatalf("len %d", l.Len())
	}
	if s, _ := l.Summary("ord_1"); len(s.Outstanding()) != 2 {
		t.Fatalf("outstanding %v, want markCancelled and notifyCancelled", s.Outstanding())
	}
	if Charged.String() != "payment.charged" || MarkedCancelled.String() != "status.cancelled" {
		t.Fatal("effect names")
	}
}

// TestLedgerTakeReusesRecordsEmpty: records taken out go to later orders,
// which start from nothing, also after one that needed more room than a
// record holds.
func TestLedgerTakeReusesRecordsEmpty(t *testing.T) {
	l := NewLedger(clock.Epoch)
	for i := range 2000 {
		id := fmt.Sprintf("ord_%d", i)
		charges := 1 + i%12 // past the eight a record holds now and then
		for range charges {
			l.Record(id, clock.Epoch, Charged)
		}
		l.Record(id, clock.Epoch, Refunded)
		s, ok := l.Take(id)
		if !ok || s.Charges != charges || s.Refunds != 1 {
			t.Fatalf("order %d: took %+v, %v; want %d charges and a refund", i, s, ok, charges)
		}
	}
	if l.Len() != 0 {
		t.Fatalf("%d orders left after taking them all", l.Len())
	}
}

// A Tally with Keep holds at most twice Keep violations whatever their
// number, counts them all, and reports the same first Keep by order id as
// one that keeps every violation.
func TestTallyKeepsTheFirstViolations(t *testing.T) {
	var all, kept Tally
	kept.Keep = 5
	ids := []int{}
	for i := range 1000 {
		ids = append(ids, (i*7919)%1000) // every id once, out of order
	}
	for _, i := range ids {
		o := Outcome{OrderID: fmt.Sprintf("ord_%04d", i), Status: Succeeded}
		var s Summary // never charged: a violation
		all.Add(o, s)
		kept.Add(o, s)
		if n := len(kept.r.Violations); n >= 2*kept.Keep {
			t.Fatalf("the tally holds %d violations, Keep is %d", n, kept.Keep)
		}
	}
	kept.AddOrphan("ord_0000", Summary{})
	all.AddOrphan("ord_0000", Summary{})
	a, k := all.Report(), kept.Report()
	if k.Count(Violation) != 1001 || a.Count(Violation) != 1001 || k.Orders != a.Orders {
		t.Fatalf("counted %d and %d violations of %d and %d orders, want 1,001", k.Count(Violation), a.Count(Violation), k.Orders, a.Orders)
	}
	if fmt.Sprint(k.Violations) != fmt.Sprint(a.Violations[:5]) {
		t.Fatalf("kept %v, want %v", k.Violations, a.Violations[:5])
	}
}
