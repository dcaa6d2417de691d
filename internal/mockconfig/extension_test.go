package mockconfig

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

const extendedConfig = `{
  "StateMachines": {"Orders": {"TestCases": {"Load": {"Charge": "Charged", "Save": "Saved", "Ship": "RealShip"}}}},
  "MockedResponses": {
    "Charged": {"0": {"Return": {"paymentId": "pay_1"}}},
    "Saved": {"0": {"Return": {}}, "1": {"Throw": {"Error": "DynamoDB.ProvisionedThroughputExceededException", "Cause": "slow down"}}}
  },
  "Yafdp": {"MockedResponses": {
    "Charged": {
      "Latency": "uniform(10ms,20ms)",
      "Chances": [
        {"Probability": "5%", "Throw": {"Error": "Payment.Throttled", "Cause": "429"}, "Latency": "1ms"},
        {"Probability": 0.01, "Return": {"paymentId": "pay_slow"}}
      ]
    },
    "Saved": {"Latency": "7ms"},
    "RealShip": {"Fake": "delivery.schedule"}
  }}
}`

func extendedCase(t *testing.T) *Case {
	t.Helper()
	c, err := Parse([]byte(extendedConfig))
	if err != nil {
		t.Fatal(err)
	}
	k, err := c.Case("Orders", "Load")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestChancesComeAtTheirProbability draws the first invocation of Charge in
// 20,000 executions: about 5% throttle after 1ms, 1% return pay_slow, the
// rest return pay_1 after 10 to 20ms; the same seed and execution always
// draw the same, another seed draws differently.
func TestChancesComeAtTheirProbability(t *testing.T) {
	k := extendedCase(t)
	const n = 20000
	counts := map[string]int{}
	for i := range n {
		name := "ord_" + strconv.Itoa(i)
		a, ok := k.NewRun(RunOptions{Seed: 7, Execution: name}).Answer("Charge")
		if !ok {
			t.Fatal("Charge is mocked")
		}
		var got string
		switch {
		case a.Err != nil:
			var se *states.Error
			if !errors.As(a.Err, &se) || se.Name != "Payment.Throttled" || a.Delay != time.Millisecond {
				t.Fatalf("a throttle: %v after %v", a.Err, a.Delay)
			}
			got = "throttled"
		default:
			got = value.MustEncodeString(a.Output)
			if got == `{"paymentId":"pay_1"}` && (a.Delay < 10*time.Millisecond || a.Delay >= 20*time.Millisecond) {
				t.Fatalf("pay_1 after %v, want 10ms to 20ms", a.Delay)
			}
		}
		counts[got]++
		again, _ := k.NewRun(RunOptions{Seed: 7, Execution: name}).Answer("Charge")
		if again.Delay != a.Delay || (again.Err == nil) != (a.Err == nil) {
			t.Fatalf("%s: the same seed drew differently", name)
		}
	}
	// Binomial bounds at about five standard deviations.
	if c := counts["throttled"]; c < 850 || c > 1150 {
		t.Errorf("%d throttles in %d, want about 1,000: %v", c, n, counts)
	}
	if c := counts[`{"paymentId":"pay_slow"}`]; c < 130 || c > 270 {
		t.Errorf("%d pay_slow in %d, want about 200: %v", c, n, counts)
	}
	if counts["throttled"]+counts[`{"paymentId":"pay_slow"}`]+counts[`{"paymentId":"pay_1"}`] != n {
		t.Errorf("unexpected answers: %v", counts)
	}
	differ := 0
	for i := range 100 {
		a, _ := k.NewRun(RunOptions{Seed: 7, Execution: strconv.Itoa(i)}).Answer("Charge")
		b, _ := k.NewRun(RunOptions{Seed: 8, Execution: strconv.Itoa(i)}).Answer("Charge")
		if a.Delay != b.Delay {
			differ++
		}
	}
	if differ < 90 {
		t.Errorf("seeds 7 and 8 drew the same delay for %d of 100 executions", 100-differ)
	}
}

// TestExtendedResponseRepeatsItsLastAnswer: past its last index, a response
// with an extension keeps answering with its last answer (after its
// Latency), where a plain one fails the execution.
func TestExtendedResponseRepeatsItsLastAnswer(t *testing.T) {
	run := extendedCase(t).NewRun(RunOptions{Execution: "x"})
	for i, want := range []string{"", "DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.ProvisionedThroughputExceededException"} {
		a, ok := run.Answer("Save")
		if !ok || a.Delay != 7*time.Millisecond {
			t.Fatalf("invocation %d: ok=%v delay %v", i, ok, a.Delay)
		}
		var se *states.Error
		switch {
		case want == "" && a.Err != nil:
			t.Errorf("invocation %d: %v, want the Return", i, a.Err)
		case want != "" && (!errors.As(a.Err, &se) || se.Name != want):
			t.Errorf("invocation %d: %v, want %s", i, a.Err, want)
		}
	}
}

type stubHandler struct{ name string }

func (stubHandler) Invoke(context.Context, *asl.TaskRequest, func(any, error)) {}

// TestFakeRoutesTheCall: a response that names a fake hands the call to
// the runner's fake of that name; a runner without fakes fails the task
// with States.Runtime, naming the response and the fake.
func TestFakeRoutesTheCall(t *testing.T) {
	k := extendedCase(t)
	h := stubHandler{name: "schedule"}
	asked := ""
	run := k.NewRun(RunOptions{Fake: func(name string) asl.TaskHandler { asked = name; return h }})
	for range 3 {
		a, ok := run.Answer("Ship")
		if !ok || a.Handler != asl.TaskHandler(h) || asked != "delivery.schedule" {
			t.Fatalf("Ship: ok=%v %+v asked %q", ok, a, asked)
		}
	}
	a, _ := k.NewRun(RunOptions{}).Answer("Ship")
	var se *states.Error
	if !errors.As(a.Err, &se) || se.Name != states.Runtime || !strings.Contains(se.Cause, `the mocked response "RealShip" answers from the built-in fake "delivery.schedule"`) {
		t.Errorf("no fakes: %v", a.Err)
	}
	c, _ := Parse([]byte(extendedConfig))
	if got := c.Fakes(); len(got) != 1 || got[`Yafdp.MockedResponses.RealShip.Fake`] != "delivery.schedule" {
		t.Errorf("Fakes() = %v", got)
	}
	if err := c.CheckFakes(func(s string) bool { return s == "payment.charge" }, []string{"payment.charge"}); err == nil ||
		!strings.Contains(err.Error(), `Yafdp.MockedResponses.RealShip.Fake: no built-in fake named "delivery.schedule"; the fakes are payment.charge`) {
		t.Errorf("CheckFakes: %v", err)
	}
}

func TestParseRejectsBadExtensions(t *testing.T) {
	const base = `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Return": 1}}}, "Yafdp": %s}`
	for _, tc := range []struct{ name, ext, want string }{
		{"not an object", `[]`, "Yafdp: must be an object with MockedResponses"},
		{"unknown field", `{"Responses": {}}`, "Yafdp.Responses: unknown field"},
		{"response not object", `{"MockedResponses": {"R": "fast"}}`, "Yafdp.MockedResponses.R: must be an object with Latency, Chances or Fake"},
		{"empty", `{"MockedResponses": {"R": {}}}`, "Yafdp.MockedResponses.R: is empty"},
		{"unknown response", `{"MockedResponses": {"r": {"Latency": "1ms"}}}`, `Yafdp.MockedResponses.r: no mocked response named "r" in MockedResponses (did you mean "R"?)`},
		{"unknown field in response", `{"MockedResponses": {"R": {"Delay": "1ms"}}}`, "Yafdp.MockedResponses.R.Delay: unknown field; a Yafdp response has Latency, Chances or Fake"},
		{"bad latency", `{"MockedResponses": {"R": {"Latency": "gamma(1s)"}}}`, `Yafdp.MockedResponses.R.Latency: "gamma(1s)" is not a latency`},
		{"latency not string", `{"MockedResponses": {"R": {"Latency": 5}}}`, `Yafdp.MockedResponses.R.Latency: must be a string`},
		{"chances not list", `{"MockedResponses": {"R": {"Chances": {}}}}`, "Yafdp.MockedResponses.R.Chances: must be a list of chances"},
		{"chance without probability", `{"MockedResponses": {"R": {"Chances": [{"Return": 2}]}}}`, "Yafdp.MockedResponses.R.Chances[0].Probability: is required"},
		{"probability over 1", `{"MockedResponses": {"R": {"Chances": [{"Probability": 1.5, "Return": 2}]}}}`, "Chances[0].Probability: 1.5 is not a probability"},
		{"probability not percent", `{"MockedResponses": {"R": {"Chances": [{"Probability": "5", "Return": 2}]}}}`, `Chances[0].Probability: "5" is not a probability`},
		{"probabilities over 1", `{"MockedResponses": {"R": {"Chances": [{"Probability": "60%", "Return": 2}, {"Probability": "50%", "Return": 3}]}}}`, "Yafdp.MockedResponses.R.Chances: the probabilities add up to 1.1"},
		{"chance without answer", `{"MockedResponses": {"R": {"Chances": [{"Probability": "5%"}]}}}`, "Chances[0]: needs Return (the result) or Throw"},
		{"chance throw without error", `{"MockedResponses": {"R": {"Chances": [{"Probability": "5%", "Throw": {"Cause": "x"}}]}}}`, "Chances[0].Throw.Error: is missing"},
		{"fake with latency", `{"MockedResponses": {"R": {"Fake": "payment.charge", "Latency": "1ms"}}}`, "Yafdp.MockedResponses.R.Fake: a Fake answers with the fake's own latency and faults"},
		{"fake empty", `{"MockedResponses": {"R": {"Fake": ""}}}`, "Yafdp.MockedResponses.R.Fake: must name a built-in fake"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(strings.Replace(base, "%s", tc.ext, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the error is not one line: %q", err)
			}
		})
	}
}
