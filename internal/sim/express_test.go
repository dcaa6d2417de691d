package sim

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/rate"
)

func expressScenario(dup float64) Scenario {
	sc := smallScenario()
	sc.StepFunctions.Type = TypeExpress
	sc.StepFunctions.DuplicateStarts = &dup
	return sc
}

// Duplicate starts are drawn from the seed: the same scenario gives the
// same report, the runs share the fakes' idempotency, every extra run's
// payment calls are counted, and a Standard report carries no express
// member at all.
func TestExpressDuplicateStarts(t *testing.T) {
	sc := expressScenario(0.1)
	r := run(t, sc, nil)
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(run(t, sc, nil))
	if string(a) != string(b) {
		t.Fatal("same Express scenario and seed, different JSON reports")
	}
	x := r.Express
	if x == nil {
		t.Fatal("no express member in an Express report")
	}
	// About a tenth of the accepted orders ran twice.
	if lo, hi := r.Orders.Accepted/20, r.Orders.Accepted/5; x.DuplicateRuns < lo || x.DuplicateRuns > hi {
		t.Errorf("%d duplicate runs of %d orders", x.DuplicateRuns, r.Orders.Accepted)
	}
	if r.StartExecution.Executions != r.Orders.Accepted+x.DuplicateRuns+x.RedeliveredRuns {
		t.Errorf("%d executions for %d orders and %d + %d extra runs", r.StartExecution.Executions, r.Orders.Accepted, x.DuplicateRuns, x.RedeliveredRuns)
	}
	if x.OverlappingRuns != x.DuplicateRuns || x.DuplicatePaymentCalls < x.DuplicateRuns {
		t.Errorf("%+v", x)
	}
	// Each order is judged once, whatever its runs.
	if r.Invariant.Orders != int(r.Orders.Accepted) {
		t.Errorf("%d orders judged, %d accepted", r.Invariant.Orders, r.Orders.Accepted)
	}
	if r.Scenario.StepFunctions.Type != TypeExpress || *r.Scenario.StepFunctions.DuplicateStarts != 0.1 {
		t.Errorf("scenario %+v", r.Scenario.StepFunctions)
	}

	std := run(t, smallScenario(), nil)
	whole, _ := json.Marshal(std)
	sf, _ := json.Marshal(std.Scenario.StepFunctions)
	if std.Express != nil || strings.Contains(string(whole), `"express":{`) || strings.Contains(string(sf), `"type"`) || strings.Contains(string(sf), `"duplicateStarts"`) {
		t.Errorf("a Standard report mentions Express: %s", sf)
	}
}

// An Express execution ends TIMED_OUT at five minutes, without its
// compensations: the charge stays, counted as interrupted with effects. The
// same machine as Standard runs to its end.
func TestExpressFiveMinuteLimit(t *testing.T) {
	slow := brokenSaga(t, func(states map[string]any) {
		states["ProcessPayment"].(map[string]any)["Next"] = "Linger"
		states["Linger"] = map[string]any{"Type": "Wait", "Seconds": 400, "Next": "PlaceRestaurantOrder"}
	})
	sc := Defaults()
	sc.Arrivals.Rate = rate.PerSecond(10)
	sc.Arrivals.Duration = Duration(5 * time.Second)
	sc.MaxDrain = Duration(20 * time.Minute)
	sc.StepFunctions.Type = TypeExpress
	none := 0.0
	sc.StepFunctions.DuplicateStarts = &none
	r := run(t, sc, slow)
	if r.Orders.TimedOut != r.Orders.Accepted || r.Express.TimedOut != r.Orders.Accepted ||
		r.Express.InterruptedWithEffects != int(r.Orders.Accepted) || r.Invariant.Interrupted != int(r.Orders.Accepted) || r.Payment.Refunds != 0 {
		t.Errorf("Express: %+v %+v %+v", r.Orders, r.Express, r.Invariant)
	}
	if r.Express.DuplicateRuns != 0 {
		t.Errorf("duplicate_starts 0 ran %d starts twice", r.Express.DuplicateRuns)
	}
	std := Defaults()
	std.Arrivals, std.MaxDrain = sc.Arrivals, sc.MaxDrain
	s := run(t, std, slow)
	if s.Orders.TimedOut != 0 || s.Orders.Succeeded == 0 || s.Express != nil {
		t.Errorf("Standard: %+v", s.Orders)
	}
}

func TestExpressScenarioKeys(t *testing.T) {
	for _, tc := range []struct{ yaml, key string }{
		{"step_functions:\n  type: turbo\n", "step_functions.type"},
		{"step_functions:\n  duplicate_starts: 0.1\n", "step_functions.duplicate_starts"},
		{"step_functions:\n  type: express\n  duplicate_starts: 1.5\n", "step_functions.duplicate_starts"},
	} {
		_, err := Parse("s.yaml", []byte("arrivals:\n  rate: 10/s\n  duration: 1s\n"+tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%q: %v", tc.yaml, err)
		}
	}
	sc, err := Parse("s.yaml", []byte("arrivals:\n  rate: 10/s\n  duration: 1s\nstep_functions:\n  type: express\n"))
	if err != nil || sc.StepFunctions.DuplicateStarts == nil || *sc.StepFunctions.DuplicateStarts != DefaultDuplicateStarts {
		t.Errorf("%+v %v", sc.StepFunctions, err)
	}
	if _, err := Run(context.Background(), sc, Options{}); err != nil {
		t.Error(err)
	}
}
