package sfnapi

import (
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/corpus/taskcases"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// TestTaskCorpusThroughSDK runs every Task execution recorded against AWS
// (../shared/conformance-tasks, kind "execution") through local up's API
// over a real socket, as Step Functions Local runs a mock config: the
// service holds the case's mock config, the state machine is created under
// the config's name, and StartExecution names the test case after '#'.
// Status, output, error, cause and event types are compared with AWS's.
func TestTaskCorpusThroughSDK(t *testing.T) {
	cases, judged := taskcases.Load(t)
	ctx := testCtx(t)
	// The cases wait out their Retry intervals in real time, side by side.
	var passed atomic.Int32
	t.Cleanup(func() {
		t.Logf("%d of %d Task executions pass through local up (%d judged wrong)", passed.Load(), len(cases), len(judged))
	})
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			if reason, ok := judged[c.Name]; ok {
				t.Skipf("judged wrong: %s", reason)
			}
			mock := taskcases.MockOf(t, c)
			_, client, _ := local(t, &asl.Engine{Seed: 1, Callbacks: true}, Options{Mock: mock.Config})
			sm := createMachine(t, ctx, client, mock.Machine, string(c.Definition))
			st, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm + "#" + mock.TestCase), Name: aws.String("conformance"), Input: aws.String(string(c.Input))})
			if err != nil {
				t.Fatal(err)
			}
			d := waitDone(t, ctx, client, aws.ToString(st.ExecutionArn))
			r := taskcases.Result{Status: string(d.Status), Error: aws.ToString(d.Error), Cause: aws.ToString(d.Cause)}
			if d.Output != nil {
				if r.Output, err = value.DecodeString(aws.ToString(d.Output)); err != nil {
					t.Fatalf("output %q: %v", aws.ToString(d.Output), err)
				}
			}
			p := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{ExecutionArn: st.ExecutionArn})
			for p.HasMorePages() {
				h, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range h.Events {
					r.Events = append(r.Events, string(e.Type))
				}
			}
			taskcases.Check(t, c, r)
			if !t.Failed() {
				passed.Add(1)
			}
		})
	}
}
