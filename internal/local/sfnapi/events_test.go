package sfnapi

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
)

type captureSink struct {
	mu      sync.Mutex
	changes []StatusChange
}

func (s *captureSink) Wants() bool { return true }
func (s *captureSink) StatusChanged(c StatusChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes = append(s.changes, c)
}

// TestStatusChangeDetail checks that each Standard execution emits RUNNING
// and its end, Express ones nothing, and that the fields patterns are
// matched against are the detail's JSON decoded.
func TestStatusChangeDetail(t *testing.T) {
	ctx := context.Background()
	sink := &captureSink{}
	svc := New(&asl.Engine{}, Options{Events: sink})
	defer svc.Close()
	big := `{"blob":"` + strings.Repeat("x", 130*1024) + `"}`
	for _, c := range []struct{ name, def, typ, input string }{
		{"ok", defPass, TypeStandard, `{"orderId":"o1"}`},
		{"big", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, TypeStandard, big},
		{"bad", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C \"quoted\""}}}`, TypeStandard, `{}`},
		{"fast", defPass, TypeExpress, `{}`},
	} {
		m, err := svc.CreateStateMachine(StateMachineSpec{Name: c.name, Definition: c.def, RoleARN: testRole, Type: c.typ})
		if err != nil {
			t.Fatal(err)
		}
		arn, _, err := svc.StartExecution(ctx, m.ARN, "x", c.input)
		if err != nil {
			t.Fatal(err)
		}
		if c.typ == TypeStandard {
			if x, err := svc.Execution(arn); err != nil || x.Wait(ctx) != nil {
				t.Fatal(err)
			}
		}
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	got := map[string]map[string]any{}
	for _, c := range sink.changes {
		fields, encode := c.Detail()
		raw := encode()
		var decoded map[string]any
		if err := json.Unmarshal(raw, &decoded); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(decoded, fields) {
			t.Errorf("%s %s: fields %v, JSON %s", c.ExecutionARN, c.Status, fields, raw)
		}
		if fields["status"] != string(c.Status) || fields["executionArn"] != c.ExecutionARN {
			t.Errorf("change %v: detail %v", c, fields)
		}
		got[c.ExecutionARN[strings.Index(c.ExecutionARN, ":execution:")+11:]+" "+string(c.Status)] = fields
	}
	if len(got) != 6 {
		t.Fatalf("changes %v, want RUNNING and the end of three Standard executions", reflect.ValueOf(got).MapKeys())
	}
	if d := got["ok:x RUNNING"]; d["stopDate"] != nil || d["output"] != nil || d["input"] != `{"orderId":"o1"}` || d["redriveStatusReason"] != "Execution is RUNNING and cannot be redriven" {
		t.Errorf("RUNNING: %v", d)
	}
	if d := got["bad:x FAILED"]; d["error"] != "E" || d["cause"] != `C "quoted"` || d["redriveStatus"] != "REDRIVABLE" || d["output"] != nil {
		t.Errorf("FAILED: %v", d)
	}
	// 130 KiB in and out is past EventBridge's 248 KB: the input is left out.
	if d := got["big:x SUCCEEDED"]; d["input"] != nil || d["inputDetails"].(map[string]any)["included"] != false || d["output"] != big {
		t.Errorf("SUCCEEDED past the size limit: input %.40v, inputDetails %v", d["input"], d["inputDetails"])
	}
}

// TestStatusChangeOfARedrive checks that a redriven execution emits
// RUNNING again, dated with the redrive, and its new end, both with the
// redrive count and date.
func TestStatusChangeOfARedrive(t *testing.T) {
	ctx := context.Background()
	sink := &captureSink{}
	svc := New(&asl.Engine{}, Options{Events: sink})
	defer svc.Close()
	// The state fails on the first run ('bad' is not JSON) and succeeds
	// when redriven ($$.Execution.RedriveCount picks '{}').
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":"States.StringToJson(States.ArrayGetItem(States.Array('bad','{}'), $$.Execution.RedriveCount))"},"End":true}}}`
	m, err := svc.CreateStateMachine(StateMachineSpec{Name: "again", Definition: def, RoleARN: testRole, Type: TypeStandard})
	if err != nil {
		t.Fatal(err)
	}
	arn, _, err := svc.StartExecution(ctx, m.ARN, "x", `{}`)
	if err != nil {
		t.Fatal(err)
	}
	x, err := svc.Execution(arn)
	if err != nil || x.Wait(ctx) != nil || x.Status() != asl.StatusFailed {
		t.Fatalf("first run: %v, status %v", err, x.Status())
	}
	at, err := svc.RedriveExecution(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	if x, err = svc.Execution(arn); err != nil || x.Wait(ctx) != nil || x.Status() != asl.StatusSucceeded {
		t.Fatalf("redrive: %v, status %v", err, x.Status())
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	var seq []string
	for _, c := range sink.changes {
		fields, _ := c.Detail()
		seq = append(seq, fmt.Sprintf("%s %v %v", c.Status, fields["redriveCount"], fields["redriveDate"] != nil))
		if fields["redriveCount"] == 1 && (fields["redriveDate"] != at.UnixMilli() || (c.Status == asl.StatusRunning && !c.Time.Equal(at))) {
			t.Errorf("%s after the redrive: redriveDate %v, time %v, want %v", c.Status, fields["redriveDate"], c.Time, at)
		}
	}
	// A run that ends at once may hand its end over before its RUNNING,
	// as EventBridge does not keep order either.
	sort.Strings(seq)
	want := []string{"FAILED 0 false", "RUNNING 0 false", "RUNNING 1 true", "SUCCEEDED 1 true"}
	if !reflect.DeepEqual(seq, want) {
		t.Errorf("changes %q, want %q", seq, want)
	}
}
