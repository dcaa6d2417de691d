package saga

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
)

const mockOrder = `{"orderId":"ord_mock","customerId":"cus_1","restaurantId":"rst_1","items":[{"sku":"PIZ-1","qty":2,"unitPriceCents":1250}],"currency":"EUR","totalCents":2500,"deliveryAddress":{"line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"},"placedAt":"2026-01-01T12:00:00Z"}`

type runResult struct {
	Status string           `json:"status"`
	Output any              `json:"output"`
	Error  string           `json:"error"`
	Cause  string           `json:"cause"`
	Events []map[string]any `json:"events"`
}

func runJSON(t *testing.T, args ...string) (runResult, error) {
	t.Helper()
	out, _, err := runCmd(t, "json", args...)
	var r runResult
	if jerr := json.Unmarshal([]byte(out), &r); jerr != nil {
		t.Fatalf("output is not a run result: %v\n%s", jerr, out)
	}
	return r, err
}

// The mock config's test case answers the states it names; the fakes
// answer the rest of the built-in saga.
func TestRunWithMockConfig(t *testing.T) {
	mock := filepath.Join("testdata", "saga-mock.json")
	r, err := runJSON(t, "--input", mockOrder, "--virtual", "--mock-config", mock, "--test-case", "CourierLost")
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) || ee.Code != cmdutil.ExitFailed {
		t.Fatalf("error %v, want exit 1", err)
	}
	if r.Status != "FAILED" || r.Error != "Delivery.NoCourier" || r.Cause != "no courier within 5 km" {
		t.Fatalf("%+v", r)
	}
	entered := map[string]bool{}
	for _, e := range r.Events {
		if d, ok := e["stateEnteredEventDetails"].(map[string]any); ok {
			entered[d["name"].(string)] = true
		}
	}
	for _, s := range []string{"CancelDelivery", "CancelRestaurantOrder", "RefundPayment"} {
		if !entered[s] {
			t.Errorf("the compensation %s did not run", s)
		}
	}

	r, err = runJSON(t, "--input", mockOrder, "--virtual", "--mock-config", mock, "--test-case", "PaymentThrottledTwice")
	if err != nil || r.Status != "SUCCEEDED" {
		t.Fatalf("%v %+v", err, r)
	}
	if pay := r.Output.(map[string]any)["payment"].(map[string]any); pay["paymentId"] != "pay_mocked" {
		t.Fatalf("payment %v, want the mocked one", pay)
	}
	failed := 0
	for _, e := range r.Events {
		if e["type"] == "TaskFailed" {
			failed++
		}
	}
	if failed != 2 {
		t.Fatalf("%d TaskFailed, want the 2 mocked throttles", failed)
	}
}

// A Task that the test case does not mock and no fake answers fails the
// execution with States.Runtime, saying where to add it.
func TestRunWithMockConfigUnmockedState(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "notify.asl.json")
	os.WriteFile(def, []byte(`{"StartAt":"Charge","States":{
	 "Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"charge","Payload.$":"$"},"Next":"Publish"},
	 "Publish":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","Parameters":{"TopicArn":"t","Message":"m"},"End":true}}}`), 0o644)
	mock := filepath.Join(dir, "mock.json")
	os.WriteFile(mock, []byte(`{"StateMachines":{"Notify":{"TestCases":{"Happy":{"Charge":"OK"}}}},"MockedResponses":{"OK":{"0":{"Return":{"Payload":{}}}}}}`), 0o644)
	r, err := runJSON(t, "--definition", def, "--input", "{}", "--virtual", "--mock-config", mock)
	if err == nil || r.Status != "FAILED" || r.Error != "States.Runtime" {
		t.Fatalf("%v %+v", err, r)
	}
	for _, want := range []string{`state "Publish" (arn:aws:states:::sns:publish)`, `test case "Happy"`, mock, "yafdp saga mock-config"} {
		if !strings.Contains(r.Cause, want) {
			t.Errorf("cause %q lacks %q", r.Cause, want)
		}
	}
}

func TestRunWithMockConfigBadInput(t *testing.T) {
	mock := filepath.Join("testdata", "saga-mock.json")
	dir := t.TempDir()
	wrongState := filepath.Join(dir, "wrong.json")
	os.WriteFile(wrongState, []byte(`{"StateMachines":{"S":{"TestCases":{"T":{"ChargeCard":"R"}}}},"MockedResponses":{"R":{"0":{"Return":{}}}}}`), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--mock-config", mock}, "--test-case: the state machine \"OrderSaga\""},
		{[]string{"--mock-config", mock, "--test-case", "Nope"}, "no test case \"Nope\""},
		{[]string{"--mock-config", mock, "--state-machine-name", "Other"}, "--state-machine-name"},
		{[]string{"--mock-config", filepath.Join(dir, "missing.json")}, "--mock-config"},
		{[]string{"--mock-config", wrongState}, "ChargeCard"},
		{[]string{"--test-case", "CourierLost"}, "give --mock-config too"},
	} {
		_, _, err := runCmd(t, "table", append([]string{"--orders", "1", "--virtual"}, c.args...)...)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v, want a one-line usage error with %q", c.args, err, c.want)
		}
	}
}

// AWS's example of offline testing with a mock config runs through saga
// run too: each test case takes the path its README describes.
func TestRunPeerExample(t *testing.T) {
	dir := corpus.PeerExample(t)
	def := filepath.Join(dir, "statemachine", "local_testing.asl.json")
	mock := filepath.Join(dir, "statemachine", "test", "MockConfigFile.json")
	input := "@" + filepath.Join(dir, "events", "sfn_valid_input.json")
	for testCase, last := range map[string]string{
		"HappyPathTest":                   "CustomerAddedToFollowup",
		"CustomValidationFailedCatchTest": "CustomValidationFailed",
		"ValidationExceptionCatchTest":    "ValidationException",
		"RetryOnServiceExceptionTest":     "CustomerAddedToFollowup",
	} {
		r, err := runJSON(t, "--definition", def, "--input", input, "--mock-config", mock, "--test-case", testCase, "--virtual")
		if err != nil || r.Status != "SUCCEEDED" {
			t.Fatalf("%s: %v %+v", testCase, err, r)
		}
		var entered []string
		for _, e := range r.Events {
			if d, ok := e["stateEnteredEventDetails"].(map[string]any); ok {
				entered = append(entered, d["name"].(string))
			}
		}
		if got := entered[len(entered)-1]; got != last {
			t.Errorf("%s ended in %s, want %s (states %v)", testCase, got, last, entered)
		}
	}
}
