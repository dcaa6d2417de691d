package saga

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

type aslDoc struct {
	Comment string
	StartAt string
	States  map[string]map[string]json.RawMessage
}

type aslRetrier struct {
	ErrorEquals     []string
	IntervalSeconds *float64
	MaxAttempts     *int
	BackoffRate     *float64
	MaxDelaySeconds *float64
	JitterStrategy  string
}

type aslCatcher struct {
	ErrorEquals []string
	ResultPath  string
	Next        string
}

func loadDefinition(t *testing.T) aslDoc {
	t.Helper()
	var doc aslDoc
	dec := json.NewDecoder(strings.NewReader(string(Definition)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("saga.asl.json: %v", err)
	}
	return doc
}

func field[T any](t *testing.T, state map[string]json.RawMessage, name, key string) (T, bool) {
	t.Helper()
	var v T
	raw, ok := state[key]
	if !ok {
		return v, false
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s.%s: %v", name, key, err)
	}
	return v, true
}

// The forward steps, their own compensation (if any), in saga order.
var forwardSteps = []struct{ step, compensation string }{
	{"ProcessPayment", "RefundPayment"},
	{"PlaceRestaurantOrder", "CancelRestaurantOrder"},
	{"ScheduleDelivery", "CancelDelivery"},
	{"NotifyCustomer", ""},
	{"ConfirmOrder", ""},
}

var compensationStates = map[string]string{
	"CancelDelivery":        CompCancelDelivery,
	"CancelRestaurantOrder": CompCancelRestaurantOrder,
	"RefundPayment":         CompRefundPayment,
	"MarkCancelled":         CompMarkCancelled,
	"NotifyCancelled":       CompNotifyCancelled,
}

// allowedFields is what ASL (JSONPath) allows per state type: the document
// must deploy to AWS as it is, so no other field may appear.
var allowedFields = map[string][]string{
	"Task":    {"Type", "Comment", "Next", "End", "InputPath", "OutputPath", "Resource", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "TimeoutSeconds", "HeartbeatSeconds"},
	"Choice":  {"Type", "Comment", "InputPath", "OutputPath", "Choices", "Default"},
	"Succeed": {"Type", "Comment", "InputPath", "OutputPath"},
	"Fail":    {"Type", "Comment", "Error", "ErrorPath", "Cause", "CausePath"},
}

// successors lists every state a state can go to.
func successors(t *testing.T, name string, st map[string]json.RawMessage) []string {
	var next []string
	if n, ok := field[string](t, st, name, "Next"); ok {
		next = append(next, n)
	}
	if n, ok := field[string](t, st, name, "Default"); ok {
		next = append(next, n)
	}
	if cs, ok := field[[]map[string]any](t, st, name, "Choices"); ok {
		for _, c := range cs {
			next = append(next, c["Next"].(string))
		}
	}
	if cs, ok := field[[]aslCatcher](t, st, name, "Catch"); ok {
		for _, c := range cs {
			next = append(next, c.Next)
		}
	}
	return next
}

func TestDefinitionIsWellFormed(t *testing.T) {
	doc := loadDefinition(t)
	if _, ok := doc.States[doc.StartAt]; !ok || doc.StartAt != "ProcessPayment" {
		t.Fatalf("StartAt %q", doc.StartAt)
	}
	for name, st := range doc.States {
		typ, _ := field[string](t, st, name, "Type")
		allowed, ok := allowedFields[typ]
		if !ok {
			t.Errorf("%s: unexpected type %q", name, typ)
			continue
		}
		for k := range st {
			if !slices.Contains(allowed, k) {
				t.Errorf("%s: field %q is not ASL for a %s state", name, k, typ)
			}
		}
		if c, _ := field[string](t, st, name, "Comment"); c == "" {
			t.Errorf("%s: no Comment", name)
		}
		for _, n := range successors(t, name, st) {
			if _, ok := doc.States[n]; !ok {
				t.Errorf("%s: goes to %q, which does not exist", name, n)
			}
		}
		_, hasNext := st["Next"]
		if terminal := typ == "Succeed" || typ == "Fail" || typ == "Choice"; terminal == hasNext {
			t.Errorf("%s (%s): Next present = %v", name, typ, hasNext)
		}
	}
	// Every state is reachable from StartAt.
	seen := map[string]bool{doc.StartAt: true}
	queue := []string{doc.StartAt}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, s := range successors(t, n, doc.States[n]) {
			if !seen[s] {
				seen[s] = true
				queue = append(queue, s)
			}
		}
	}
	for name := range doc.States {
		if !seen[name] {
			t.Errorf("%s is unreachable", name)
		}
	}
}

func TestDefinitionTasks(t *testing.T) {
	doc := loadDefinition(t)
	for name, st := range doc.States {
		if typ, _ := field[string](t, st, name, "Type"); typ != "Task" {
			continue
		}
		if r, _ := field[string](t, st, name, "Resource"); r != LambdaInvoke {
			t.Errorf("%s: Resource %q, want %s", name, r, LambdaInvoke)
		}
		params, _ := field[map[string]any](t, st, name, "Parameters")
		fn, _ := params["FunctionName"].(string)
		if !slices.Contains(FunctionNames(), fn) {
			t.Errorf("%s: FunctionName %q is not one the fakes answer", name, fn)
		}
		payload, _ := params["Payload"].(map[string]any)
		if payload["orderId.$"] != "$.orderId" {
			t.Errorf("%s: the payload is not keyed by $.orderId", name)
		}
		sel, _ := field[map[string]string](t, st, name, "ResultSelector")
		for k, v := range sel {
			if !strings.HasSuffix(k, ".$") || !strings.HasPrefix(v, "$.Payload.") {
				t.Errorf("%s: ResultSelector %s: %s does not pick from $.Payload", name, k, v)
			}
		}
		if len(sel) == 0 {
			t.Errorf("%s: no ResultSelector", name)
		}
		if ts, _ := field[int](t, st, name, "TimeoutSeconds"); ts <= 0 {
			t.Errorf("%s: no TimeoutSeconds", name)
		}
		retry, _ := field[[]aslRetrier](t, st, name, "Retry")
		catch, _ := field[[]aslCatcher](t, st, name, "Catch")
		if len(retry) == 0 || len(catch) == 0 {
			t.Errorf("%s: every Task needs Retry and Catch", name)
			continue
		}
		for i, r := range retry {
			if slices.Contains(r.ErrorEquals, "States.ALL") && (i != len(retry)-1 || len(r.ErrorEquals) != 1) {
				t.Errorf("%s: States.ALL must be alone in the last retrier", name)
			}
			if r.MaxAttempts != nil && *r.MaxAttempts == 0 {
				continue
			}
			if r.JitterStrategy != "FULL" || r.MaxDelaySeconds == nil || r.BackoffRate == nil || *r.BackoffRate < 1 {
				t.Errorf("%s: retrier %v wants back-off, full jitter and a MaxDelaySeconds", name, r.ErrorEquals)
			}
		}
		if len(catch) != 1 || !slices.Equal(catch[0].ErrorEquals, []string{"States.ALL"}) {
			t.Errorf("%s: want one Catch on States.ALL", name)
		}
		if comp, ok := compensationStates[name]; ok {
			if want := "$.compensationErrors." + comp; catch[0].ResultPath != want {
				t.Errorf("%s: Catch ResultPath %q, want %q", name, catch[0].ResultPath, want)
			}
			if next, _ := field[string](t, st, name, "Next"); catch[0].Next != next {
				t.Errorf("%s: a failed compensation must go on to %s like a successful one, not %s", name, next, catch[0].Next)
			}
		} else if catch[0].ResultPath != "$.failure" {
			t.Errorf("%s: Catch ResultPath %q, want $.failure", name, catch[0].ResultPath)
		}
	}
}

// TestForwardRetryPolicy: business errors are never retried, throttling is
// retried longest, transient errors less.
func TestForwardRetryPolicy(t *testing.T) {
	doc := loadDefinition(t)
	business := map[string]string{
		"ProcessPayment": "Payment.Declined", "PlaceRestaurantOrder": "Restaurant.Rejected",
		"ScheduleDelivery": "Delivery.NoCourier", "ConfirmOrder": "Orders.Conflict",
	}
	service := map[string]string{
		"ProcessPayment": "Payment", "PlaceRestaurantOrder": "Restaurant", "ScheduleDelivery": "Delivery",
		"NotifyCustomer": "Notify", "ConfirmOrder": "Orders",
	}
	for _, fs := range forwardSteps {
		retry, _ := field[[]aslRetrier](t, doc.States[fs.step], fs.step, "Retry")
		attempts := func(errName string) int {
			for _, r := range retry {
				if slices.Contains(r.ErrorEquals, errName) || slices.Contains(r.ErrorEquals, "States.ALL") {
					if r.MaxAttempts == nil {
						return 3
					}
					return *r.MaxAttempts
				}
			}
			return 0
		}
		if b, ok := business[fs.step]; ok && attempts(b) != 0 {
			t.Errorf("%s retries %s", fs.step, b)
		}
		throttle, transient := attempts("Lambda.TooManyRequestsException"), attempts("States.Timeout")
		if fs.step == "ProcessPayment" {
			throttle = attempts("Payment.Throttled")
		}
		if transient == 0 || throttle <= transient {
			t.Errorf("%s: throttling retried %d times, transient errors %d: want both, throttling more", fs.step, throttle, transient)
		}
		if unavailable := service[fs.step] + ".Unavailable"; attempts(unavailable) == 0 {
			t.Errorf("%s: %s not retried", fs.step, unavailable)
		}
	}
}

// TestCompensationPaths follows the saga from each forward step's Catch: the
// path must undo that step and every earlier one, backwards, then mark the
// order cancelled, tell the customer and end in a Fail state.
func TestCompensationPaths(t *testing.T) {
	doc := loadDefinition(t)
	next := func(name string) string {
		n, _ := field[string](t, doc.States[name], name, "Next")
		return n
	}
	// Forward path.
	var forward []string
	for n := doc.StartAt; n != ""; n = next(n) {
		forward = append(forward, n)
	}
	want := []string{"ProcessPayment", "PlaceRestaurantOrder", "ScheduleDelivery", "NotifyCustomer", "ConfirmOrder", "OrderConfirmed"}
	if !slices.Equal(forward, want) {
		t.Fatalf("forward path %v, want %v", forward, want)
	}
	for i, fs := range forwardSteps {
		catch, _ := field[[]aslCatcher](t, doc.States[fs.step], fs.step, "Catch")
		var path []string
		for n := catch[0].Next; n != "" && n != "CheckCompensations"; n = next(n) {
			path = append(path, n)
		}
		// The failed step itself and every earlier one, backwards: a call
		// that failed may still have landed.
		var wantPath []string
		for j := i; j >= 0; j-- {
			if c := forwardSteps[j].compensation; c != "" {
				wantPath = append(wantPath, c)
			}
		}
		wantPath = append(wantPath, "MarkCancelled", "NotifyCancelled")
		if !slices.Equal(path, wantPath) {
			t.Errorf("after %s fails: %v, want %v", fs.step, path, wantPath)
		}
	}
	check := doc.States["CheckCompensations"]
	choices, _ := field[[]map[string]any](t, check, "CheckCompensations", "Choices")
	if len(choices) != 2 || choices[0]["Variable"] != "$.compensationErrors" || choices[0]["IsPresent"] != true || choices[0]["Next"] != "CompensationFailed" ||
		choices[1]["Variable"] != "$.failure.Cause" || choices[1]["IsPresent"] != false || choices[1]["Next"] != "OrderFailedWithoutCause" {
		t.Errorf("CheckCompensations: %v", choices)
	}
	cf := doc.States["CompensationFailed"]
	if e, _ := field[string](t, cf, "CompensationFailed", "Error"); e != ErrCompensationFailed {
		t.Errorf("CompensationFailed raises %q", e)
	}
	if c, _ := field[string](t, cf, "CompensationFailed", "CausePath"); !strings.Contains(c, "States.JsonToString($.compensationErrors)") || !strings.HasPrefix(c, "States.Format(") {
		t.Errorf("CompensationFailed cause %q does not name the failed compensations", c)
	}
	of := doc.States["OrderFailed"]
	ep, _ := field[string](t, of, "OrderFailed", "ErrorPath")
	cp, _ := field[string](t, of, "OrderFailed", "CausePath")
	if ep != "$.failure.Error" || cp != "$.failure.Cause" {
		t.Errorf("OrderFailed re-raises %s / %s", ep, cp)
	}
}
