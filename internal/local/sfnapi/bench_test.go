package sfnapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
)

// The handler's own cost per request, in process (no sockets): decoding,
// the service's checks and lookups, and the answer. StartExecution runs a
// machine of one Pass state, so it includes the engine's run.
func BenchmarkHandler(b *testing.B) {
	ctx := context.Background()
	svc := New(&asl.Engine{}, Options{MaxFinishedExecutions: 1000})
	b.Cleanup(svc.Close)
	m, err := svc.CreateStateMachine(StateMachineSpec{Name: "bench", Definition: defPass, RoleARN: testRole})
	if err != nil {
		b.Fatal(err)
	}
	exec, _, err := svc.StartExecution(ctx, m.ARN, "one", `{"orderId":"ord_1","totalCents":2500}`)
	if err != nil {
		b.Fatal(err)
	}
	if x, err := svc.Execution(exec); err != nil || x.Wait(ctx) != nil {
		b.Fatal(err)
	}
	h := svc.Handler()
	for _, c := range []struct{ op, body string }{
		{"DescribeStateMachine", `{"stateMachineArn":"` + m.ARN + `"}`},
		{"DescribeExecution", `{"executionArn":"` + exec + `"}`},
		{"GetExecutionHistory", `{"executionArn":"` + exec + `"}`},
		{"ListExecutions", `{"stateMachineArn":"` + m.ARN + `","maxResults":10}`},
		{"StartExecution", `{"stateMachineArn":"` + m.ARN + `","name":"n%d","input":"{\"orderId\":\"ord_1\"}"}`},
	} {
		b.Run(c.op, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				body := strings.Replace(c.body, "%d", strconv.Itoa(i), 1)
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
				req.Header.Set("X-Amz-Target", TargetPrefix+c.op)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
