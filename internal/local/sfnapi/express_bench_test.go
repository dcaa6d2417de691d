package sfnapi

import (
	"context"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/local/logsapi"
)

// An Express execution of a five-state machine, started in process, with
// and without a level-ALL LoggingConfiguration writing to local up's
// CloudWatch Logs store: what logging adds per execution (the engine runs
// each one inside StartExecution, as its states answer at once).
func BenchmarkExpressExecution(b *testing.B) {
	const def = `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","Next":"D"},"D":{"Type":"Pass","Next":"E"},"E":{"Type":"Pass","End":true}}}`
	for _, level := range []string{"OFF", "ALL"} {
		b.Run("logging="+level, func(b *testing.B) {
			logs := logsapi.New(clock.Real{}, "us-east-1", "123456789012")
			if err := logs.CreateGroup("g"); err != nil {
				b.Fatal(err)
			}
			svc := New(&asl.Engine{}, Options{Logs: logs})
			b.Cleanup(svc.Close)
			cfg := map[string]any{"level": level, "includeExecutionData": true,
				"destinations": []any{map[string]any{"cloudWatchLogsLogGroup": map[string]any{"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}}}
			m, err := svc.CreateStateMachine(StateMachineSpec{Name: "bench", Definition: def, RoleARN: testRole, Type: TypeExpress, LoggingConfiguration: cfg})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := svc.StartExecution(ctx, m.ARN, "", `{"orderId":"ord_1","totalCents":2500}`); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			for svc.Stats().Running > 0 {
			}
		})
	}
}
