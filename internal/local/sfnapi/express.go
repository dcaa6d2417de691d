package sfnapi

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/asl"
)

// Express workflows, as AWS runs them: an execution ARN of the form
// arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME:UUID, no record kept
// (DescribeExecution, GetExecutionHistory, StopExecution and
// DescribeStateMachineForExecution answer InvalidArn for an express ARN,
// ListExecutions StateMachineTypeNotSupported), at most five minutes of
// run time, and their events only in CloudWatch Logs when the machine has
// a LoggingConfiguration.
//
// AWS starts an asynchronous Express execution at least once: a start may,
// rarely, run twice. local up runs each start exactly once; `yafdp
// simulate --type express` models the duplicates.

// ExpressMaxDuration is the longest an Express execution runs
// (asl.ExpressMaxDuration).
const ExpressMaxDuration = asl.ExpressMaxDuration

// expressStart returns the start options of an Express execution, with
// its ARN: its events go to the machine's log group under that ARN.
func (s *Service) expressStart(m *machine, name string, in any, mock asl.TaskMock, onDone func(*asl.Execution)) (asl.StartOptions, string) {
	arn := s.expressARN(m.name, name)
	return asl.StartOptions{
		Name: name, Input: in, StateMachineName: m.name,
		OnDone: onDone, Mock: mock,
		Observer:    s.logObserver(m, arn, s.clk.Now()),
		MaxDuration: ExpressMaxDuration, MaxDurationCause: asl.ExpressTimeoutCause, ARN: arn,
	}, arn
}

// startExpress runs an asynchronous Express execution: not idempotent, not
// kept, not visible to DescribeExecution or GetExecutionHistory, as on AWS.
func (s *Service) startExpress(m *machine, name string, in any, mock asl.TaskMock) (string, time.Time, *Error) {
	opts, arn := s.expressStart(m, name, in, mock, func(x *asl.Execution) { s.done(nil, x) })
	s.running.Add(1)
	x, err := s.engine.Start(s.ctx, m.parsed, opts)
	if err != nil {
		s.running.Add(-1)
		return "", time.Time{}, newError(CodeInvalidExecutionInput, "Invalid State Machine Execution Input: '%s'", err.Error())
	}
	return arn, x.StartTime(), nil
}

// checkExpressDefinition refuses what an Express state machine cannot run,
// as CreateStateMachine does: a .sync or .waitForTaskToken integration, an
// Activity. The messages are AWS's, recorded in LocalStack's snapshot tests
// of CreateStateMachine (note the two spaces before "at" for
// .waitForTaskToken, as recorded).
func checkExpressDefinition(definition string) *Error {
	var doc map[string]any
	if json.Unmarshal([]byte(definition), &doc) != nil {
		return nil // the parser has accepted it; nothing to add
	}
	var problems []string
	var walk func(states map[string]any, at string)
	walk = func(states map[string]any, at string) {
		names := make([]string, 0, len(states))
		for n := range states {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			st, _ := states[n].(map[string]any)
			here := at + "/" + n
			if r, ok := st["Resource"].(string); ok {
				switch {
				case strings.HasSuffix(r, ".sync") || strings.HasSuffix(r, ".sync:2"):
					problems = append(problems, "SCHEMA_VALIDATION_FAILED: Express state machine does not support '.sync' service integration at "+here+"/Resource")
				case strings.HasSuffix(r, ".waitForTaskToken"):
					problems = append(problems, "SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  at "+here+"/Resource")
				case strings.HasPrefix(r, "arn:") && strings.Contains(r, ":states:") && strings.Contains(r, ":activity:"):
					problems = append(problems, "SCHEMA_VALIDATION_FAILED: Express state machine does not support Activity ARN at "+here+"/Resource")
				}
			}
			if bs, ok := st["Branches"].([]any); ok {
				for i, b := range bs {
					if bm, ok := b.(map[string]any); ok {
						sub, _ := bm["States"].(map[string]any)
						walk(sub, here+"/Branches/"+strconv.Itoa(i)+"/States")
					}
				}
			}
			for _, key := range []string{"ItemProcessor", "Iterator"} {
				if p, ok := st[key].(map[string]any); ok {
					sub, _ := p["States"].(map[string]any)
					walk(sub, here+"/"+key+"/States")
				}
			}
		}
	}
	states, _ := doc["States"].(map[string]any)
	walk(states, "/States")
	if len(problems) == 0 {
		return nil
	}
	return newError(CodeInvalidDefinition, "Invalid State Machine Definition: '%s'", strings.Join(problems, ", "))
}
