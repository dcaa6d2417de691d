package saga

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Execution statuses, as Step Functions reports them.
const (
	Succeeded = "SUCCEEDED"
	Failed    = "FAILED"
	TimedOut  = "TIMED_OUT"
	Aborted   = "ABORTED"
)

// Outcome is how one saga execution ended.
type Outcome struct {
	// OrderID is the order, which is also the execution name.
	OrderID string
	// Status is SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
	Status string
	// Error and Cause are the failure, for FAILED.
	Error, Cause string
}

// Category is what the checker makes of one order.
type Category uint8

// The categories of the report.
const (
	// Confirmed: SUCCEEDED, and every effect is in place.
	Confirmed Category = iota
	// Compensated: FAILED, and every effect that landed was undone.
	Compensated
	// ManualRepair: FAILED with Saga.CompensationFailed, whose cause names
	// every compensation still outstanding.
	ManualRepair
	// Interrupted: TIMED_OUT or ABORTED; the saga promises nothing about an
	// execution stopped from outside.
	Interrupted
	// Violation: the invariant does not hold.
	Violation
	numCategories
)

// Categories lists the categories in report order.
func Categories() []Category {
	return []Category{Confirmed, Compensated, ManualRepair, Interrupted, Violation}
}

var categoryNames = [numCategories]string{"confirmed", "compensated", "manual-repair", "interrupted", "violation"}

// String names the category.
func (c Category) String() string {
	if c < numCategories {
		return categoryNames[c]
	}
	return "category(?)"
}

// OrderViolation is one order for which the invariant does not hold.
type OrderViolation struct {
	OrderID string
	// Reason is one line, e.g. "SUCCEEDED but payment refunded".
	Reason string
}

// Report is the checker's verdict over a run.
type Report struct {
	// Orders counts the outcomes checked plus the orders with effects but
	// no outcome.
	Orders int
	// Counts is the number of orders per category.
	Counts [numCategories]int
	// InterruptedWithEffects counts interrupted orders that left effects
	// not compensated: they need a look, though the saga broke no promise.
	InterruptedWithEffects int
	// Violations lists every order that breaks the invariant, sorted by
	// order id.
	Violations []OrderViolation
}

// OK reports whether the invariant holds for every order.
func (r *Report) OK() bool { return len(r.Violations) == 0 }

// Count returns the number of orders in a category.
func (r *Report) Count(c Category) int { return r.Counts[c] }

// String summarises the report in one line.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d orders:", r.Orders)
	for c := Category(0); c < numCategories; c++ {
		fmt.Fprintf(&b, " %d %s", r.Counts[c], c)
		if c < numCategories-1 {
			b.WriteByte(',')
		}
	}
	return b.String()
}

// Check proves the saga consistency invariant for every order from the
// ledger of effects, in time linear in the number of orders:
//
//   - SUCCEEDED: charged exactly once and not refunded, restaurant order
//     placed once and not cancelled, delivery scheduled once and not
//     cancelled, customer told "confirmed" and not "cancelled", status
//     CONFIRMED.
//   - FAILED: every charge refunded, every restaurant order and delivery
//     cancelled, status CANCELLED, customer told "cancelled".
//   - FAILED with Saga.CompensationFailed: counted as needing manual
//     repair; its cause must name every compensation that is really still
//     outstanding.
//   - Effects for an order without an outcome, two outcomes for one order
//     and an unknown status are violations too.
//
// Check must run once every call has completed (on a virtual clock: after
// Run), since a timed-out call may still land.
func Check(outcomes []Outcome, ledger *Ledger) Report {
	var t Tally
	seen := make(map[string]struct{}, len(outcomes))
	for i := range outcomes {
		o := &outcomes[i]
		if _, dup := seen[o.OrderID]; dup {
			t.violation(o.OrderID, "more than one outcome for the order")
			continue
		}
		seen[o.OrderID] = struct{}{}
		s, _ := ledger.Summary(o.OrderID)
		t.Add(*o, s)
	}
	for id, s := range ledger.All() {
		if _, ok := seen[id]; !ok {
			t.AddOrphan(id, s)
		}
	}
	return t.Report()
}

// Tally adds up the checker's verdicts one order at a time. Check uses it
// over a whole run; a long simulation instead judges each order as soon as
// nothing more can happen to it (its execution has ended and every call it
// made has answered), takes its effects out of the ledger and keeps only
// the counts and the violations. The verdicts are the same, without holding
// every outcome and effect until the end.
//
// Tally does not see duplicate outcomes for an order it has already judged:
// a caller that feeds it incrementally must start one execution per order.
type Tally struct {
	r Report
	// Keep, when above zero, bounds the violations kept to the Keep first
	// by order id (a report shows a few), so that a definition that breaks
	// the invariant for every order does not keep every order in memory;
	// Counts[Violation] still counts them all.
	Keep int
}

// Add judges one order from its outcome and the summary of its effects.
func (t *Tally) Add(o Outcome, s Summary) {
	t.r.Orders++
	c, reason := Verdict(o, s)
	if c == Interrupted && s.hasEffects() {
		t.r.InterruptedWithEffects++
	}
	t.r.Counts[c]++
	if c == Violation {
		t.keep(OrderViolation{o.OrderID, reason})
	}
}

// AddOrphan counts an order that has effects but no outcome: a violation.
func (t *Tally) AddOrphan(orderID string, s Summary) {
	t.violation(orderID, "effects but no outcome: "+s.describe())
}

func (t *Tally) violation(orderID, reason string) {
	t.r.Orders++
	t.r.Counts[Violation]++
	t.keep(OrderViolation{orderID, reason})
}

// keep adds v to the violations, and once twice Keep are held, keeps the
// Keep first by order id (ties in the order they came, as Report sorts).
func (t *Tally) keep(v OrderViolation) {
	vs := append(t.r.Violations, v)
	if t.Keep > 0 && len(vs) >= 2*t.Keep {
		sortViolations(vs)
		clear(vs[t.Keep:])
		vs = vs[:t.Keep]
	}
	t.r.Violations = vs
}

func sortViolations(vs []OrderViolation) {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].OrderID < vs[j].OrderID })
}

// Report returns the verdict so far, violations sorted by order id.
func (t *Tally) Report() Report {
	r := t.r
	r.Violations = append([]OrderViolation(nil), t.r.Violations...)
	sortViolations(r.Violations)
	if t.Keep > 0 && len(r.Violations) > t.Keep {
		r.Violations = r.Violations[:t.Keep]
	}
	return r
}

// MergeReports adds up reports of disjoint sets of orders (tallies kept
// apart, one per simulation partition), violations sorted by order id.
func MergeReports(rs ...Report) Report {
	var t Tally
	for _, r := range rs {
		t.r.Orders += r.Orders
		t.r.InterruptedWithEffects += r.InterruptedWithEffects
		for c := range t.r.Counts {
			t.r.Counts[c] += r.Counts[c]
		}
		t.r.Violations = append(t.r.Violations, r.Violations...)
	}
	return t.Report()
}

// Verdict judges one order's outcome against its effects; for a Violation
// the reason is one line naming what is wrong.
func Verdict(o Outcome, s Summary) (Category, string) {
	var bad []string
	switch o.Status {
	case Succeeded:
		if s.Charges != 1 {
			bad = append(bad, fmt.Sprintf("charged %d times", s.Charges))
		}
		if s.Refunds > 0 || s.PaymentVoided {
			bad = append(bad, "payment refunded")
		}
		if s.RestaurantOrders != 1 {
			bad = append(bad, fmt.Sprintf("restaurant order placed %d times", s.RestaurantOrders))
		}
		if s.RestaurantCancellations > 0 || s.RestaurantVoided {
			bad = append(bad, "restaurant order cancelled")
		}
		if s.Deliveries != 1 {
			bad = append(bad, fmt.Sprintf("delivery scheduled %d times", s.Deliveries))
		}
		if s.DeliveryCancellations > 0 || s.DeliveryVoided {
			bad = append(bad, "delivery cancelled")
		}
		if s.NotifiedConfirmed == 0 {
			bad = append(bad, "customer not told it is confirmed")
		}
		if s.NotifiedCancelled > 0 {
			bad = append(bad, "customer told it is cancelled")
		}
		if s.Status != StatusConfirmed {
			bad = append(bad, "status "+s.Status)
		}
		if len(bad) == 0 {
			return Confirmed, ""
		}
		return Violation, "SUCCEEDED but " + strings.Join(bad, ", ")
	case Failed:
		owed := s.owed()
		if o.Error == ErrCompensationFailed {
			named := namedCompensations(o.Cause)
			if missing := owed &^ named; missing != 0 {
				return Violation, "Saga.CompensationFailed but the cause does not name " + strings.Join(missing.names(), ", ") + ", still outstanding"
			}
			return ManualRepair, ""
		}
		if owed == 0 {
			return Compensated, ""
		}
		return Violation, "FAILED (" + o.Error + ") but " + owedReasons(owed, s)
	case TimedOut, Aborted:
		return Interrupted, ""
	}
	return Violation, fmt.Sprintf("unknown execution status %q", o.Status)
}

func owedReasons(owed outstanding, s Summary) string {
	var bad []string
	if owed&owesRefundPayment != 0 {
		bad = append(bad, fmt.Sprintf("%d charges and %d refunds", s.Charges, s.Refunds))
	}
	if owed&owesCancelRestaurantOrder != 0 {
		bad = append(bad, "restaurant order not cancelled")
	}
	if owed&owesCancelDelivery != 0 {
		bad = append(bad, "delivery not cancelled")
	}
	if owed&owesMarkCancelled != 0 {
		bad = append(bad, "status "+s.Status)
	}
	if owed&owesNotifyCancelled != 0 {
		bad = append(bad, "customer not told it is cancelled")
	}
	return strings.Join(bad, ", ")
}

// namedCompensations finds the compensations a Saga.CompensationFailed cause
// names. The saga's cause ends in the JSON of $.compensationErrors, whose
// keys are the names; a cause from another definition counts a compensation
// as named when its key or state name (RefundPayment) appears anywhere in it,
// in any case.
func namedCompensations(cause string) outstanding {
	var named outstanding
	if i := strings.IndexByte(cause, '{'); i >= 0 {
		var errs map[string]json.RawMessage
		if json.Unmarshal([]byte(cause[i:]), &errs) == nil {
			for k := range errs {
				for j, n := range Compensations() {
					if strings.EqualFold(k, n) {
						named |= 1 << j
					}
				}
			}
			return named
		}
	}
	lower := strings.ToLower(cause)
	for j, n := range Compensations() {
		if strings.Contains(lower, strings.ToLower(n)) {
			named |= 1 << j
		}
	}
	return named
}

// hasEffects reports a charge, restaurant order or delivery not undone.
func (s *Summary) hasEffects() bool {
	return s.owed()&(owesRefundPayment|owesCancelRestaurantOrder|owesCancelDelivery) != 0
}

// describe lists what landed, for an order nobody accounts for.
func (s *Summary) describe() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(s.Charges, "charged")
	add(s.Refunds, "refunded")
	add(s.RestaurantOrders, "restaurant placed")
	add(s.RestaurantCancellations, "restaurant cancelled")
	add(s.Deliveries, "delivery scheduled")
	add(s.DeliveryCancellations, "delivery cancelled")
	add(s.NotifiedConfirmed, "notified confirmed")
	add(s.NotifiedCancelled, "notified cancelled")
	if s.Status != StatusPending {
		parts = append(parts, "status "+s.Status)
	}
	if len(parts) == 0 {
		return "only voids"
	}
	return strings.Join(parts, ", ")
}
