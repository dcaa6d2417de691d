package saga_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/saga"
)

func runFiveTasks(t *testing.T, testCase string, seed uint64, n int) *saga.BatchResult {
	t.Helper()
	def, err := saga.LoadDefinition("testdata/five-tasks.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	k, err := saga.LoadMock(saga.MockOptions{File: "testdata/five-tasks.mock.json", TestCase: testCase}, def.Machine, def.Name)
	if err != nil {
		t.Fatal(err)
	}
	res, err := saga.RunBatch(context.Background(), saga.BatchOptions{
		Machine: def.Machine, MachineName: def.Name, Orders: n, Seed: seed,
		Clock: clock.NewVirtual(clock.Epoch), Concurrency: 100, Mock: k,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestMockChancesAndLatency runs the Busy test case: Charge throttles 5% of
// its invocations (retried by the definition) after lognormal latencies.
// The same seed gives the same run; another seed another.
func TestMockChancesAndLatency(t *testing.T) {
	const n = 4000
	a := runFiveTasks(t, "Busy", 3, n)
	if a.Succeeded != n {
		t.Fatalf("%d of %d succeeded: %v", a.Succeeded, n, a.Errors)
	}
	// About 5% of 4,000 first attempts, and 5% of those again: ~210.
	if a.Retries < 150 || a.Retries > 270 {
		t.Errorf("%d retries, want about 210", a.Retries)
	}
	if a.Latency.P50 < 80*time.Millisecond || a.Latency.P50 > 200*time.Millisecond {
		t.Errorf("p50 %v: want the mocked latencies (80ms median for Charge, 5 to 15ms for Save)", a.Latency.P50)
	}
	if a.CheckRan {
		t.Error("the invariant checker ran, though no fake was called")
	}
	b := runFiveTasks(t, "Busy", 3, n)
	if a.Retries != b.Retries || a.Latency != b.Latency || a.Elapsed != b.Elapsed {
		t.Errorf("seed 3 twice: retries %d and %d, latency %+v and %+v", a.Retries, b.Retries, a.Latency, b.Latency)
	}
	if c := runFiveTasks(t, "Busy", 4, n); c.Retries == a.Retries && c.Latency == a.Latency {
		t.Error("seeds 3 and 4 gave the same run")
	}
	if plain := runFiveTasks(t, "HappyPath", 3, 100); plain.Retries != 0 || plain.Latency.Max > time.Millisecond {
		t.Errorf("HappyPath, without extensions: %d retries, max latency %v", plain.Retries, plain.Latency.Max)
	}
}

// TestMockFakeRoutes runs the WithFakes test case: Charge (lambda:invoke on
// the team's own function) and Dispatch (a Lambda ARN) are answered by the
// fakes payment.charge and delivery.schedule, whose ledger and counts see
// every call; the invariant checker then runs over that ledger.
func TestMockFakeRoutes(t *testing.T) {
	const n = 300
	res := runFiveTasks(t, "WithFakes", 5, n)
	if res.Succeeded != n {
		t.Fatalf("%d of %d succeeded: %v", res.Succeeded, n, res.Errors)
	}
	if c := res.Calls[saga.FnPaymentCharge]; c.Calls != n || c.OK != n {
		t.Errorf("payment charges: %+v", c)
	}
	if c := res.Calls[saga.FnDeliverySchedule]; c.Calls != n || c.OK != n {
		t.Errorf("delivery schedules: %+v", c)
	}
	if !res.CheckRan {
		t.Fatal("the invariant checker did not run over the fakes' ledger")
	}
	// The five-Task machine never asks the restaurant: the checker says so
	// for every order.
	if len(res.Check.Violations) != n || !strings.Contains(res.Check.Violations[0].Reason, "restaurant order placed 0 times") {
		t.Errorf("violations: %d, first %+v", len(res.Check.Violations), res.Check.Violations[0])
	}
}

func TestLoadMockRejectsAnUnknownFake(t *testing.T) {
	def, err := saga.LoadDefinition("testdata/five-tasks.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/five-tasks.mock.json")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "mock.json")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(data), `"payment.charge"`, `"payment.chrage"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = saga.LoadMock(saga.MockOptions{File: bad, TestCase: "WithFakes"}, def.Machine, def.Name)
	if err == nil || !strings.Contains(err.Error(), `Yafdp.MockedResponses.FakeCharge.Fake: no built-in fake named "payment.chrage"; the fakes are payment.charge, payment.refund,`) {
		t.Fatalf("got %v", err)
	}
}
