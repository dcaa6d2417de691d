package sim

import (
	"context"
	"strconv"
	"strings"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/mix"
	"github.com/yafdp/yafdp/internal/saga"
)

// Express semantics (step_functions.type: express). What changes from
// Standard, as Step Functions runs Express workflows:
//
//   - An execution runs at most five minutes: it then ends TIMED_OUT, and
//     as for any execution timeout no Catch runs, so the saga's
//     compensations do not run either.
//   - StartExecution starts an execution at least once: with the chance
//     step_functions.duplicate_starts a start runs twice, at the same
//     moment. AWS publishes no rate; DefaultDuplicateStarts is an
//     assumption to be replaced by what you measure.
//   - StartExecution does not deduplicate Express executions by name: an
//     order delivered again by SQS starts its saga again, where a Standard
//     start would answer ExecutionAlreadyExists.
//
// The extra runs of an order share its order id, so the fake services'
// idempotency by order id holds between runs that overlap: the order is
// judged once, when its last overlapping run has settled, on the effects
// of all of them. A run that starts after its order was judged is judged
// on its own effects, which may repeat the first run's (a second charge).
// Every run is an execution in the counts and the bill.

// Workflow types of step_functions.type.
const (
	TypeStandard = "standard"
	TypeExpress  = "express"
)

// DefaultDuplicateStarts is step_functions.duplicate_starts for Express
// when the scenario does not set it.
const DefaultDuplicateStarts = 0.001

// ExpressStats are what Express semantics changed in a run; the report
// carries them only for type express.
type ExpressStats struct {
	// TimedOut counts executions the five-minute limit ended;
	// InterruptedWithEffects the timed-out or aborted orders left with
	// effects that no compensation undid.
	TimedOut               int64 `json:"timedOut"`
	InterruptedWithEffects int   `json:"interruptedWithEffects"`
	// DuplicateRuns counts starts that ran twice (at-least-once);
	// RedeliveredRuns orders delivered again that started another run.
	DuplicateRuns   int64 `json:"duplicateRuns"`
	RedeliveredRuns int64 `json:"redeliveredRuns"`
	// DuplicatePaymentCalls counts payment charge calls made by those
	// extra runs.
	DuplicatePaymentCalls int64 `json:"duplicatePaymentCalls"`
	// OverlappingRuns counts orders with two runs at once; Diverged those
	// whose runs ended with different statuses; ChargedTwice the orders
	// whose payment took effect more than once.
	OverlappingRuns int64 `json:"overlappingRuns"`
	Diverged        int64 `json:"diverged"`
	ChargedTwice    int64 `json:"chargedTwice"`
}

// express reports Express semantics.
func (sc *Scenario) express() bool { return sc.StepFunctions.Type == TypeExpress }

// duplicated draws whether order k's start runs twice: a pure function of
// the seed and the order, so runs are reproducible.
func (s *simulation) duplicated(k int) bool {
	p := s.sc.StepFunctions.DuplicateStarts
	if p == nil || *p <= 0 {
		return false
	}
	u := float64(mix.Bits(s.sc.Seed^mix.Bits(uint64(k)+0xd0b1e))>>11) / (1 << 53)
	return u < *p
}

// runName is the execution name of run r of an order (0 is the first):
// later runs get a suffix no order id has, so the partition can tell
// their calls apart; their input keeps the order id.
func runName(id string, r uint8) string {
	if r == 0 {
		return id
	}
	return id + "~" + strconv.Itoa(int(r)+1)
}

// orderOf is the order id of an execution name.
func orderOf(name string) string {
	id, _, _ := strings.Cut(name, "~")
	return id
}

// countingFakes are the fakes with the payment charge calls of extra runs
// counted.
type countingFakes struct {
	*saga.Fakes
	n *int64
}

func (c countingFakes) Invoke(ctx context.Context, req *asl.TaskRequest, done func(output any, err error)) {
	if strings.IndexByte(req.Execution, '~') >= 0 {
		name := req.Function
		if name == "" {
			f, _ := value.Field(req.Input, "FunctionName")
			name, _ = f.(string)
		}
		if strings.Contains(name, saga.FnPaymentCharge) {
			*c.n++
		}
	}
	c.Fakes.Invoke(ctx, req, done)
}

// expressResources wraps the partition's fakes to count extra runs'
// payment calls.
func (p *partition) expressResources(r asl.Resources) asl.Resources {
	out := make(asl.Resources, len(r))
	for k, h := range r {
		if f, ok := h.(*saga.Fakes); ok {
			h = countingFakes{Fakes: f, n: &p.m.dupPaymentCalls}
		}
		out[k] = h
	}
	return out
}

// expressJudge judges an order once its last overlapping run has settled;
// it reports false while another run of the order is still going.
func (p *partition) expressJudge(x *asl.Execution) bool {
	id := orderOf(x.Name)
	status, _, errName, cause := x.Result()
	if n := p.active[id] - 1; n > 0 {
		p.active[id] = n
		if _, ok := p.firstOutcome[id]; !ok {
			p.firstOutcome[id] = saga.Outcome{OrderID: id, Status: string(status), Error: errName, Cause: cause}
		}
		return false
	}
	delete(p.active, id)
	if first, ok := p.firstOutcome[id]; ok {
		delete(p.firstOutcome, id)
		if first.Status != string(status) {
			p.m.diverged++
		}
	}
	return true
}
