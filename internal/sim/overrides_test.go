package sim

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/rate"
)

// Overrides replace what they set and nothing else; a rate over a phased
// scenario keeps its length, a duration alone cannot replace phases.
func TestApplyOverrides(t *testing.T) {
	sc, err := LoadFile("../../scenarios/lunch-peak.yaml")
	if err != nil {
		t.Fatal(err)
	}
	length := sc.ArrivalDuration()
	d := Duration(time.Minute)
	if err := sc.Apply(Overrides{Duration: &d}); err == nil || err.(*input.Error).Field != "arrivals.duration" {
		t.Fatalf("a duration alone over phases: %v", err)
	}
	r, burst, seed := rate.PerSecond(100), 7, uint64(9)
	if err := sc.Apply(Overrides{Rate: &r, PaymentBurst: &burst, Seed: &seed, Faults: []string{"payment.decline=0.1"}, Latencies: []string{"payment=10ms"}}); err != nil {
		t.Fatal(err)
	}
	if len(sc.Arrivals.Phases) != 0 || sc.Arrivals.Rate.PerSecond() != 100 || sc.ArrivalDuration() != length || sc.Payment.Burst != 7 || sc.Seed != 9 ||
		sc.Latency["payment"] != "10ms" || sc.Faults[len(sc.Faults)-1] != "payment.decline=0.1" {
		t.Fatalf("%+v", sc)
	}
	zero := 0
	if err := sc.Apply(Overrides{PaymentBurst: &zero}); err == nil || err.(*input.Error).Field != "payment.burst" {
		t.Fatalf("burst 0: %v", err)
	}
	if err := sc.Apply(Overrides{Latencies: []string{"payment"}}); err == nil || err.(*input.Error).Field != "latency" {
		t.Fatalf("latency without =: %v", err)
	}
}

// A definition a scenario file names is read next to the file; one given
// as an override is read as given.
func TestMachineIsReadNextToTheScenario(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pass.asl.json"), []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`), 0o644)
	path := filepath.Join(dir, "s.yaml")
	os.WriteFile(path, []byte("arrivals:\n  rate: 1/s\n  duration: 1s\nstep_functions:\n  definition: pass.asl.json\n"), 0o644)
	sc, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if m, _, err := sc.Machine(); err != nil || m == nil {
		t.Fatalf("%v %v", m, err)
	}
	def := "pass.asl.json"
	if err := sc.Apply(Overrides{Definition: &def}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sc.Machine(); err == nil || err.(*input.Error).Field != "definition" {
		t.Fatalf("an override is read as given, here from the working directory: %v", err)
	}
}
