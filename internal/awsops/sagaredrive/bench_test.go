package sagaredrive

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

const benchSaga = `{"StartAt":"Pay","States":{"Pay":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`

const benchMock = `{"StateMachines":{"saga":{"TestCases":{"Down":{"Pay":"Down"}}}},
 "MockedResponses":{"Down":{"0-999":{"Throw":{"Error":"Payment.Unavailable","Cause":"outage"}}}}}`

// failedExecutions serves Step Functions on 127.0.0.1 with n executions
// that failed with Payment.Unavailable, and returns a client and the
// state machine's ARN.
func failedExecutions(b *testing.B, n int) (*sfn.Client, string) {
	b.Helper()
	cfg, err := mockconfig.Parse([]byte(benchMock))
	if err != nil {
		b.Fatal(err)
	}
	svc := sfnapi.New(&asl.Engine{}, sfnapi.Options{Mock: cfg})
	srv := httptest.NewServer(svc.Handler())
	b.Cleanup(func() { srv.Close(); svc.Close() })
	c := awstest.SFN(srv.URL, nil)
	ctx := context.Background()
	m, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("saga"), Definition: aws.String(benchSaga), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	if err != nil {
		b.Fatal(err)
	}
	sm := aws.ToString(m.StateMachineArn)
	for i := range n {
		if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm + "#Down"), Name: aws.String(fmt.Sprintf("ord_%04d", i))}); err != nil {
			b.Fatal(err)
		}
	}
	return c, sm
}

// BenchmarkBulkRedrive selects 500 failed executions by error (a
// DescribeExecution each) and redrives them against local up's Step
// Functions on a real socket, with and without the journal's two fsyncs a
// redrive. Each iteration redrives every execution once more.
func BenchmarkBulkRedrive(b *testing.B) {
	for _, journaled := range []bool{false, true} {
		name := "no-journal"
		if journaled {
			name = "journal"
		}
		b.Run(name, func(b *testing.B) {
			const n = 500
			c, sm := failedExecutions(b, n)
			dir := b.TempDir()
			b.ResetTimer()
			for i := range b.N {
				opts := Options{Selection: &Selection{StateMachineARN: sm, Status: "FAILED", Error: "Payment.Unavailable"}}
				var j *JournalFile
				if journaled {
					var err error
					j, _, err = OpenJournal(filepath.Join(dir, fmt.Sprint(i)), opts.Selection.Key())
					if err != nil {
						b.Fatal(err)
					}
					opts.Journal = j
				}
				res, err := Redrive(context.Background(), c, opts)
				if err != nil || res.Redriven != n {
					b.Fatalf("%v: %+v", err, strings.TrimSpace(fmt.Sprint(res.Redriven, res.Skipped, res.Failed)))
				}
				if j != nil {
					j.Close(true)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "redrives/s")
		})
	}
}
