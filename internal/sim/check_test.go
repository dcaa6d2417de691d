package sim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/saga"
)

// brokenSaga is the built-in saga with edit applied to its decoded states.
func brokenSaga(t *testing.T, edit func(states map[string]any)) *asl.StateMachine {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(saga.Definition, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc["States"].(map[string]any))
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	m, err := asl.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func checkScenario(faults ...string) Scenario {
	sc := Defaults()
	sc.Arrivals.Rate = rate.PerSecond(100)
	sc.Arrivals.Duration = Duration(10 * time.Second)
	sc.Faults = faults
	return sc
}

func wantViolations(t *testing.T, r *Report, reason string) {
	t.Helper()
	if r.Invariant.Violations == 0 || len(r.Invariant.ViolatingOrders) == 0 {
		t.Fatalf("no violation found: %+v", r.Invariant)
	}
	for _, v := range r.Invariant.ViolatingOrders {
		if !strings.Contains(v.Reason, reason) {
			t.Fatalf("violation %+v, want one about %q", v, reason)
		}
	}
	if r.Invariant.Orders != int(r.Orders.Succeeded+r.Orders.Failed+r.Orders.TimedOut+r.Orders.Aborted) {
		t.Fatalf("checked %d orders, %+v ended", r.Invariant.Orders, r.Orders)
	}
}

// Each order is judged as soon as its saga settles and its effects leave
// the ledger; a definition that skips the refund must still be caught for
// every order it charged and then failed.
func TestInvariantCatchesASagaThatSkipsTheRefund(t *testing.T) {
	m := brokenSaga(t, func(st map[string]any) {
		st["RefundPayment"] = map[string]any{"Type": "Pass", "ResultPath": nil, "Next": "MarkCancelled"}
	})
	r := run(t, checkScenario("restaurant.reject=0.3"), m)
	wantViolations(t, r, "charges and 0 refunds")
	// Only the charged and rejected orders break the invariant.
	if got, failed := int64(r.Invariant.Violations), r.Orders.Failed; got == 0 || got > failed {
		t.Fatalf("%d violations for %d failed orders", got, failed)
	}
}

// A booking whose call timed out lands after the saga has ended. A saga
// that never cancels it leaves a courier booked for a cancelled order: the
// checker must wait for that late effect (the saga has not settled until
// every call answered) and see it.
func TestInvariantSeesEffectsThatLandAfterTheSagaEnded(t *testing.T) {
	m := brokenSaga(t, func(st map[string]any) {
		sd := st["ScheduleDelivery"].(map[string]any)
		delete(sd, "Retry")
		sd["Catch"].([]any)[0].(map[string]any)["Next"] = "CancelRestaurantOrder"
	})
	r := run(t, checkScenario("delivery.timeout=1"), m)
	wantViolations(t, r, "delivery not cancelled")
	if r.Orders.Succeeded != 0 || r.Invariant.Violations != int(r.Orders.Failed) {
		t.Fatalf("every order should fail with its late booking left in place: %+v, %+v", r.Orders, r.Invariant)
	}
}
