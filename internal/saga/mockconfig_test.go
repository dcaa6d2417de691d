package saga

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/mockconfig"
)

func TestStarterMockConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "order-saga.asl.json")
	if err := os.WriteFile(file, Definition, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := StarterMockConfig(file, "", "HappyPath")
	if err != nil {
		t.Fatal(err)
	}
	if st.Machine != "order-saga" || st.TestCase != "HappyPath" {
		t.Errorf("named %q %q, want the file's name", st.Machine, st.TestCase)
	}
	data, _ := json.Marshal(st.Document)
	c, err := mockconfig.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := LoadDefinition(file)
	tasks := map[string]bool{}
	for _, s := range d.Machine.Tasks() {
		tasks[s.Name] = true
	}
	if got := len(c.StateMachines["order-saga"].TestCases["HappyPath"].States); got != len(tasks) || got != 10 {
		t.Errorf("the test case mocks %d states, the saga has %d Task states", got, len(tasks))
	}
	// ProcessPayment retries Payment.Throttled: its failure response is there.
	if _, ok := c.Responses["ProcessPaymentFailure"]; !ok {
		t.Errorf("no ProcessPaymentFailure in %v", keys(c.Responses))
	}

	if st, err := StarterMockConfig(file, "orders", "Declined"); err != nil || st.Document.StateMachines["orders"].TestCases["Declined"] == nil {
		t.Errorf("named machine and case: %v", err)
	}
}

func TestStarterMockConfigErrors(t *testing.T) {
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass.json")
	_ = os.WriteFile(pass, []byte(`{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`), 0o644)
	bad := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(bad, []byte(`{"StartAt": "P"}`), 0o644)
	for file, want := range map[string]string{
		pass:                               "has no Task state",
		bad:                                "saga validate",
		filepath.Join(dir, "missing.json"): "no such file",
	} {
		_, err := StarterMockConfig(file, "", "HappyPath")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "definition: ") {
			t.Errorf("%s: %v, want a definition error with %q", file, err, want)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
