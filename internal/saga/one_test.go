package saga

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/clock"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/order"
)

// One order through the built-in saga on the virtual clock: the execution
// is named after the order and ends with the order confirmed.
func TestRunOneOnTheVirtualClock(t *testing.T) {
	o := order.Generate(3, 1, clock.Epoch)[0]
	data, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseInput(data, "the value", true)
	if err != nil {
		t.Fatal(err)
	}
	x, err := RunOne(context.Background(), OneOptions{Input: v, Faults: RealisticLatencies(), Seed: 3, Virtual: true})
	if err != nil {
		t.Fatal(err)
	}
	status, _, errName, _ := x.Result()
	if x.Name != o.OrderID || status != asl.StatusSucceeded || errName != "" {
		t.Fatalf("%s ended %s %s", x.Name, status, errName)
	}
	if len(x.Events()) < 10 {
		t.Fatalf("%d events", len(x.Events()))
	}
}

func TestParseInputAndLoadDefinition(t *testing.T) {
	for in, want := range map[string]string{"": "the value is empty", "{nope": "the value is not valid JSON", "{}": "not a valid order for the built-in saga"} {
		if _, err := ParseInput([]byte(in), "the value", true); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseInput(%q) = %v, want %q", in, err, want)
		}
	}
	if _, err := ParseInput([]byte("{}"), "the value", false); err != nil {
		t.Errorf("any JSON goes to another definition: %v", err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "my-saga.asl.json")
	os.WriteFile(good, []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`), 0o644)
	d, err := LoadDefinition(good)
	if err != nil || d.Name != "my-saga" || d.Machine == nil {
		t.Fatalf("%+v %v", d, err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"StartAt":"B","States":{"A":{"Type":"Pass","End":true}}}`), 0o644)
	for path, want := range map[string]string{filepath.Join(dir, "none.json"): "none.json: no such file", bad: "run 'yafdp saga validate " + bad} {
		_, err := LoadDefinition(path)
		if e, ok := input.As(err); !ok || e.Field != "definition" || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadDefinition(%s) = %v, want a definition error with %q", path, err, want)
		}
	}
}
