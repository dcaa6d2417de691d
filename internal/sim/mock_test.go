package sim

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/rate"
)

// mockScenario runs the five-Task machine of package saga's testdata with
// the given test case of its mock config, for 30 seconds at 200 orders/s.
func mockScenario(t *testing.T, testCase string) *Report {
	t.Helper()
	sc := Defaults()
	sc.Arrivals.Rate = rate.PerSecond(200)
	sc.Arrivals.Duration = Duration(30 * time.Second)
	def, mock := "../saga/testdata/five-tasks.asl.json", "../saga/testdata/five-tasks.mock.json"
	if err := sc.Apply(Overrides{Definition: &def, MockConfig: &mock, TestCase: &testCase}); err != nil {
		t.Fatal(err)
	}
	m, name, err := sc.Machine()
	if err != nil {
		t.Fatal(err)
	}
	k, err := sc.Mock(m, name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), sc, Options{Machine: m, Mock: k})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSimulateWithAMockConfig: every saga runs its Tasks on the mock
// config's answers (the Busy case throttles 5% of the charges, which the
// definition retries); the same scenario gives the same report byte for
// byte; no order called the fakes, so the saga's invariant is not applied.
func TestSimulateWithAMockConfig(t *testing.T) {
	r := mockScenario(t, "Busy")
	ended := r.Orders.Succeeded + r.Orders.Failed
	if r.Orders.Succeeded == 0 || r.Orders.Succeeded < ended*99/100 {
		t.Fatalf("%d of %d sagas succeeded: %v", r.Orders.Succeeded, ended, r.Orders.Errors)
	}
	if r.Payment.Retries < ended/40 || r.Payment.Retries > ended/10 {
		t.Errorf("%d retries for %d sagas, want about 5%%", r.Payment.Retries, ended)
	}
	if r.Invariant.Orders != 0 || r.Invariant.Unchecked != int(ended) || r.Invariant.Violations != 0 {
		t.Errorf("invariant %+v: want every order unchecked", r.Invariant)
	}
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(mockScenario(t, "Busy"))
	if string(a) != string(b) {
		t.Error("the same scenario gave two reports")
	}
	if !strings.Contains(string(a), `"mockConfig":"../saga/testdata/five-tasks.mock.json","testCase":"Busy"`) {
		t.Errorf("the report's scenario does not name the mock config: %s", a)
	}
}

// TestSimulateRoutesToTheFakes: the WithFakes case answers Charge and
// Dispatch with the payment and delivery fakes, so the report counts
// their charges and the checker judges every order (and finds the
// restaurant never asked).
func TestSimulateRoutesToTheFakes(t *testing.T) {
	r := mockScenario(t, "WithFakes")
	if r.Payment.Charges == 0 || r.Payment.Charges != r.Orders.Succeeded {
		t.Errorf("%d charges for %d sagas that succeeded", r.Payment.Charges, r.Orders.Succeeded)
	}
	if r.Invariant.Unchecked != 0 || int64(r.Invariant.Orders) != r.Orders.Succeeded+r.Orders.Failed {
		t.Errorf("invariant %+v for %d orders", r.Invariant, r.Orders.Succeeded+r.Orders.Failed)
	}
	if r.Invariant.Violations == 0 || !strings.Contains(r.Invariant.ViolatingOrders[0].Reason, "restaurant order placed 0 times") {
		t.Errorf("violations: %+v", r.Invariant.ViolatingOrders)
	}
}

func TestScenarioMockNeedsAMockConfig(t *testing.T) {
	sc := Defaults()
	sc.Arrivals.Rate, sc.Arrivals.Duration = rate.PerSecond(1), Duration(time.Second)
	tc := "Busy"
	if err := sc.Apply(Overrides{TestCase: &tc}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Mock(nil, "x"); err == nil || !strings.Contains(err.Error(), "mock_config") {
		t.Fatalf("a test case without a mock config: %v", err)
	}
}
