package sfnapi

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// TestJSONataCorpusThroughSDK runs every execution of the JSONata and
// variables corpus recorded against AWS (../shared/conformance-jsonata)
// through local up's API over a real socket: CreateStateMachine,
// StartExecution, DescribeExecution and GetExecutionHistory, and compares
// status, output, error, cause and the event types with AWS's.
func TestJSONataCorpusThroughSDK(t *testing.T) {
	cases := corpus.LoadDir(t, corpus.SharedDir(t, "conformance-jsonata", ""))
	_, c, _ := local(t, &asl.Engine{Seed: 1}, Options{})
	ctx := testCtx(t)
	passed := 0
	for i := range cases {
		cs := &cases[i]
		t.Run(cs.Name, func(t *testing.T) {
			sm := createMachine(t, ctx, c, fmt.Sprintf("jsonata-%03d", i), string(cs.Definition))
			st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("run"), Input: aws.String(string(cs.Input))})
			if err != nil {
				t.Fatal(err)
			}
			d := waitDone(t, ctx, c, aws.ToString(st.ExecutionArn))
			if string(d.Status) != cs.Expected.Status {
				t.Fatalf("status %s (%s: %s), want %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause), cs.Expected.Status)
			}
			if cs.Expected.Status == "SUCCEEDED" {
				got, err := value.DecodeString(aws.ToString(d.Output))
				if err != nil {
					t.Fatalf("output %q: %v", aws.ToString(d.Output), err)
				}
				want := corpus.Decode(t, cs.Expected.Output)
				if ok := value.Equal(want, got) || cs.Expected.OutputPartial && corpus.Subset(want, got); !ok {
					t.Errorf("output\n got %s\nwant %s", value.MustEncodeString(got), value.MustEncodeString(want))
				}
			} else {
				if cs.Expected.Error != nil && aws.ToString(d.Error) != *cs.Expected.Error {
					t.Errorf("error %q, want %q", aws.ToString(d.Error), *cs.Expected.Error)
				}
				if cs.Expected.Cause != nil && aws.ToString(d.Cause) != string(*cs.Expected.Cause) {
					t.Errorf("cause\n got %q\nwant %q", aws.ToString(d.Cause), *cs.Expected.Cause)
				}
			}
			if cs.Expected.Events != nil {
				h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: st.ExecutionArn})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range h.Events {
					got = append(got, string(e.Type))
				}
				if !slices.Equal(got, cs.Expected.Events) {
					t.Errorf("events\n got %v\nwant %v", got, cs.Expected.Events)
				}
			}
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("%d of %d JSONata corpus cases pass through local up", passed, len(cases))
}
