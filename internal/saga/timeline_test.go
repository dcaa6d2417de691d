package saga_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/saga"
)

// TestTimelineOfParallelBranches: two branches whose Task events
// interleave (Quote retries twice while Reserve waits for its mocked
// latency) each get their own attempts and failures.
func TestTimelineOfParallelBranches(t *testing.T) {
	def := `{"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[
	  {"StartAt":"Quote","States":{"Quote":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:quote",
	    "Retry":[{"ErrorEquals":["Quote.Busy"],"IntervalSeconds":1,"BackoffRate":1,"MaxAttempts":3}],"End":true}}},
	  {"StartAt":"Reserve","States":{"Reserve":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:reserve","End":true}}}]}}}`
	mock := `{"StateMachines":{"both":{"TestCases":{"T":{"Quote":"BusyTwice","Reserve":"Slow"}}}},
	  "MockedResponses":{"BusyTwice":{"0-1":{"Throw":{"Error":"Quote.Busy","Cause":"try again"}},"2":{"Return":{"price":5}}},
	    "Slow":{"0":{"Return":{"held":true}}}},
	  "Yafdp":{"MockedResponses":{"Slow":{"Latency":"2500ms"}}}}`
	dir := t.TempDir()
	m, err := asl.Parse([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "mock.json")
	if err := os.WriteFile(file, []byte(mock), 0o644); err != nil {
		t.Fatal(err)
	}
	k, err := saga.LoadMock(saga.MockOptions{File: file}, m, "both")
	if err != nil {
		t.Fatal(err)
	}
	x, err := saga.RunOne(context.Background(), saga.OneOptions{Machine: m, MachineName: "both", Input: map[string]any{}, Virtual: true, Mock: k})
	if err != nil {
		t.Fatal(err)
	}
	if st := x.Status(); st != asl.StatusSucceeded {
		t.Fatalf("status %s", st)
	}
	steps := map[string]saga.Step{}
	for _, s := range saga.Timeline(x.Events()) {
		steps[s.State] = s
	}
	if q := steps["Quote"]; q.Attempts != 3 || len(q.Failures) != 2 || q.Outcome != saga.OutcomeSucceeded {
		t.Errorf("Quote: %+v", q)
	}
	if r := steps["Reserve"]; r.Attempts != 1 || len(r.Failures) != 0 || r.Outcome != saga.OutcomeSucceeded || r.End-r.Start < 2500e6 {
		t.Errorf("Reserve: %+v", r)
	}
	if b := steps["Both"]; b.Attempts != 0 || len(b.Failures) != 0 || b.Outcome != saga.OutcomeSucceeded {
		t.Errorf("Both: %+v", b)
	}
}
