package sfnapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/asl"
)

// What Step Functions puts on EventBridge when a Standard execution's
// status changes.
const (
	EventSource            = "aws.states"
	DetailTypeStatusChange = "Step Functions Execution Status Change"
)

// maxEventPayload is EventBridge's limit on the escaped input and output
// that a status change carries: past it the input is left out, then the
// output.
const maxEventPayload = 248 * 1024

// StatusSink receives the status changes of Standard executions (RUNNING
// at the start, then the terminal status), to put them on an event bus.
// Express executions emit none, as on AWS; neither do a Distributed Map's
// child executions here.
type StatusSink interface {
	// Wants reports whether anything listens now. It is asked at every
	// change and must be cheap: when it says no, the change is not built.
	Wants() bool
	// StatusChanged takes a change. It is called on the goroutine that
	// started or ended the execution, and must not block for long.
	StatusChanged(StatusChange)
}

// StatusChange is one status change of an execution. Its Detail is built
// only when asked for, so that a sink can build it off the execution's
// goroutine.
type StatusChange struct {
	ExecutionARN string
	Status       asl.Status
	// Time is when the status changed: the start for RUNNING, the stop
	// for the others.
	Time time.Time

	e *execution
	x run
}

// statusChanged hands a change to the sink, when one listens.
func (s *Service) statusChanged(e *execution, x run, status asl.Status) {
	sink := s.opts.Events
	if sink == nil || e.child || !sink.Wants() {
		return
	}
	t := x.StartTime()
	if status != asl.StatusRunning {
		t = x.StopTime()
	} else if n, at := redriveCounts(x); n > 0 {
		t = at // a redrive: it runs again from now
	}
	sink.StatusChanged(StatusChange{ExecutionARN: e.arn, Status: status, Time: t, e: e, x: x})
}

// statusDetail is the detail of a "Step Functions Execution Status
// Change" event, in the order of AWS's examples.
type statusDetail struct {
	ExecutionArn        string       `json:"executionArn"`
	StateMachineArn     string       `json:"stateMachineArn"`
	Name                string       `json:"name"`
	Status              string       `json:"status"`
	StartDate           int64        `json:"startDate"`
	StopDate            *int64       `json:"stopDate"`
	Input               *string      `json:"input"`
	InputDetails        *dataDetails `json:"inputDetails"`
	Output              *string      `json:"output"`
	OutputDetails       *dataDetails `json:"outputDetails"`
	RedriveCount        int          `json:"redriveCount"`
	RedriveDate         *int64       `json:"redriveDate"`
	RedriveStatus       string       `json:"redriveStatus"`
	RedriveStatusReason *string      `json:"redriveStatusReason"`
	Error               *string      `json:"error"`
	Cause               *string      `json:"cause"`
}

// Detail returns the event's detail as decoded JSON, for matching event
// patterns, and a function that encodes it as AWS does: dates in epoch
// milliseconds, input and output as JSON strings (null when absent or
// left out for size), error and cause null unless set. The bus encodes
// only the events that some rule matched.
func (c StatusChange) Detail() (fields map[string]any, encode func() []byte) {
	d := c.detail()
	return d.fields(), func() []byte { return mustJSON(d) }
}

func (c StatusChange) detail() statusDetail {
	e := c.e
	d := statusDetail{ExecutionArn: e.arn, StateMachineArn: e.m.arn, Name: e.name,
		Status: string(c.Status), RedriveStatus: "NOT_REDRIVABLE"}
	if n, at := redriveCounts(c.x); n > 0 {
		ms := at.UnixMilli()
		d.RedriveCount, d.RedriveDate = n, &ms
	}
	in := e.input
	d.Input, d.InputDetails = &in, &dataDetails{Included: true}
	if c.Status == asl.StatusRunning {
		// The execution may have ended already: only its start is read,
		// not its result (encoding the output is the dearest part).
		d.StartDate = c.x.StartTime().UnixMilli()
		reason := "Execution is RUNNING and cannot be redriven"
		d.RedriveStatusReason = &reason
		return d
	}
	info := e.info(c.x)
	d.StartDate = info.Start.UnixMilli()
	stop := info.Stop.UnixMilli()
	d.StopDate = &stop
	if info.Output != nil {
		out := *info.Output
		d.Output, d.OutputDetails = &out, &dataDetails{Included: true}
	}
	if info.Error != "" {
		d.Error = &info.Error
	}
	if info.Cause != "" {
		d.Cause = &info.Cause
	}
	switch c.Status {
	case asl.StatusSucceeded:
		reason := "Execution is SUCCEEDED and cannot be redriven"
		d.RedriveStatusReason = &reason
	default:
		d.RedriveStatus = "REDRIVABLE"
	}
	// Past EventBridge's size limit the input is left out first, then
	// the output.
	inLen, outLen := escapedLen(in), 0
	if d.Output != nil {
		outLen = escapedLen(*d.Output)
	}
	if inLen+outLen > maxEventPayload {
		d.Input, d.InputDetails.Included = nil, false
	}
	if outLen > maxEventPayload {
		d.Output, d.OutputDetails.Included = nil, false
	}
	return d
}

// fields is the detail as encoding/json would decode it.
func (d statusDetail) fields() map[string]any {
	str := func(s *string) any {
		if s == nil {
			return nil
		}
		return *s
	}
	num := func(n *int64) any {
		if n == nil {
			return nil
		}
		return float64(*n)
	}
	details := func(x *dataDetails) any {
		if x == nil {
			return nil
		}
		return map[string]any{"included": x.Included}
	}
	return map[string]any{
		"executionArn": d.ExecutionArn, "stateMachineArn": d.StateMachineArn, "name": d.Name, "status": d.Status,
		"startDate": float64(d.StartDate), "stopDate": num(d.StopDate),
		"input": str(d.Input), "inputDetails": details(d.InputDetails), "output": str(d.Output), "outputDetails": details(d.OutputDetails),
		"redriveCount": float64(d.RedriveCount), "redriveDate": num(d.RedriveDate), "redriveStatus": d.RedriveStatus,
		"redriveStatusReason": str(d.RedriveStatusReason), "error": str(d.Error), "cause": str(d.Cause),
	}
}

// escapedLen is the length of s as a JSON string, quotes excluded.
func escapedLen(s string) int {
	n := len(s)
	n += strings.Count(s, `"`) + strings.Count(s, `\`)
	return n
}

// mustJSON encodes the detail compactly and without HTML escaping, as AWS
// writes its events.
func mustJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // the detail holds only strings and numbers
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
