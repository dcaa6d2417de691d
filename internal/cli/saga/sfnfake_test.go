package saga

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/saga"
)

const machineARN = "arn:aws:states:us-east-1:123456789012:stateMachine:order-saga"

// fakeExecution is one execution the fake Step Functions serves: a real
// run of the built-in saga on the virtual clock.
type fakeExecution struct {
	name   string
	status string
	errN   string
	cause  string
	input  string
	output string
	events []asl.HistoryEvent
	// reveal is how many events each GetExecutionHistory call adds to what
	// the fake shows (0: all at once), so watch sees the saga move.
	reveal, shown int
}

// runSaga runs the built-in saga on one generated order with the faults.
func runSaga(t *testing.T, seed uint64, faults ...string) *fakeExecution {
	t.Helper()
	m, err := saga.BuiltIn()
	if err != nil {
		t.Fatal(err)
	}
	cfg := saga.RealisticLatencies()
	for _, f := range faults {
		if err := cfg.ApplyFault(f); err != nil {
			t.Fatal(err)
		}
	}
	vc := clock.NewVirtual(clock.Epoch)
	fakes := saga.NewFakes(cfg, vc, seed)
	o := order.Generate(seed, 1, clock.Epoch)[0]
	eng := &asl.Engine{Clock: vc, Resources: fakes.Resources(), Seed: seed}
	x, err := eng.Start(context.Background(), m, asl.StartOptions{Name: o.OrderID, Input: o.Value(), StateMachineName: "order-saga"})
	if err != nil {
		t.Fatal(err)
	}
	for !x.Done() && vc.Step() {
	}
	status, out, errN, cause := x.Result()
	in, _ := json.Marshal(o)
	fx := &fakeExecution{name: o.OrderID, status: string(status), errN: errN, cause: cause, input: string(in), events: x.Events()}
	if out != nil {
		b, _ := json.Marshal(out)
		fx.output = string(b)
	}
	return fx
}

// startFakeSFN serves the executions over the Step Functions JSON protocol
// on 127.0.0.1.
func startFakeSFN(t *testing.T, xs ...*fakeExecution) *sfn.Client {
	var mu sync.Mutex
	byName := map[string]*fakeExecution{}
	for _, x := range xs {
		byName[x.name] = x
	}
	epoch := func(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var in map[string]any
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		fail := func(code, msg string) {
			w.WriteHeader(400)
			json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
		}
		execOf := func() *fakeExecution {
			arn, _ := in["executionArn"].(string)
			return byName[arn[strings.LastIndexByte(arn, ':')+1:]]
		}
		describe := func(x *fakeExecution) map[string]any {
			status := x.status
			if x.reveal > 0 && x.shown < len(x.events) {
				status = "RUNNING"
			}
			d := map[string]any{"executionArn": strings.Replace(machineARN, "stateMachine", "execution", 1) + ":" + x.name, "stateMachineArn": machineARN,
				"name": x.name, "status": status, "startDate": epoch(x.events[0].Timestamp)}
			if status != "RUNNING" {
				d["stopDate"] = epoch(x.events[len(x.events)-1].Timestamp)
			}
			return d
		}
		switch r.Header.Get("X-Amz-Target") {
		case "AWSStepFunctions.ListStateMachines":
			json.NewEncoder(w).Encode(map[string]any{"stateMachines": []any{map[string]any{"stateMachineArn": machineARN, "name": "order-saga", "type": "STANDARD", "creationDate": epoch(clock.Epoch)}}})
		case "AWSStepFunctions.DescribeStateMachine":
			if in["stateMachineArn"] != machineARN {
				fail("StateMachineDoesNotExist", "State Machine Does Not Exist")
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"stateMachineArn": machineARN, "name": "order-saga", "type": "STANDARD", "status": "ACTIVE",
				"definition": "{}", "roleArn": "arn:aws:iam::123456789012:role/saga", "creationDate": epoch(clock.Epoch)})
		case "AWSStepFunctions.DescribeExecution":
			x := execOf()
			if x == nil {
				fail("ExecutionDoesNotExist", "Execution Does Not Exist")
				return
			}
			d := describe(x)
			d["input"] = x.input
			if d["status"] != "RUNNING" {
				if x.output != "" {
					d["output"] = x.output
				}
				if x.errN != "" {
					d["error"], d["cause"] = x.errN, x.cause
				}
			}
			json.NewEncoder(w).Encode(d)
		case "AWSStepFunctions.GetExecutionHistory":
			x := execOf()
			if x == nil {
				fail("ExecutionDoesNotExist", "Execution Does Not Exist")
				return
			}
			// Like moto, ignore paging and order: the reader must cope.
			n := len(x.events)
			if x.reveal > 0 {
				x.shown = min(len(x.events), x.shown+x.reveal)
				n = x.shown
			}
			var evs []any
			for _, e := range x.events[:n] {
				b, _ := json.Marshal(e)
				var m map[string]any
				json.Unmarshal(b, &m)
				m["timestamp"] = epoch(e.Timestamp)
				evs = append(evs, m)
			}
			json.NewEncoder(w).Encode(map[string]any{"events": evs})
		case "AWSStepFunctions.ListExecutions":
			var list []any
			for _, x := range xs {
				d := describe(x)
				if s, _ := in["statusFilter"].(string); s != "" && d["status"] != s {
					continue
				}
				list = append(list, d)
			}
			json.NewEncoder(w).Encode(map[string]any{"executions": list})
		default:
			fail("UnknownOperationException", r.Header.Get("X-Amz-Target"))
		}
	}))
	t.Cleanup(srv.Close)
	return awstest.SFN(srv.URL, nil)
}
