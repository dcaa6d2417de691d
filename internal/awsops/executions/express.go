package executions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/input"
)

// Express executions keep no history in Step Functions: their events are
// in CloudWatch Logs, one JSON record per event, when the state machine has
// a LoggingConfiguration. This file follows and lists them there.

// ExpressMaxDuration is the longest an Express execution runs.
const ExpressMaxDuration = 5 * time.Minute

// LogDeliveryGrace is how long after an Express execution must have ended
// its last records may still arrive: CloudWatch Logs delivery is best
// effort and takes seconds to tens of seconds.
const LogDeliveryGrace = time.Minute

// callTimeout bounds each FilterLogEvents call.
const callTimeout = 30 * time.Second

// ExpressError is what Resolve returns for an Express execution, or an
// order id of an Express state machine: its message explains that Step
// Functions keeps no history, and Machine says where to look in the logs.
type ExpressError struct {
	Machine StateMachine
	// ARN is the express execution's ARN when the reference was one.
	ARN string
	err *input.Error
}

func (e *ExpressError) Error() string { return e.err.Error() }

// Unwrap gives the *input.Error, for callers that treat it as bad input.
func (e *ExpressError) Unwrap() error { return e.err }

// LogTarget is where an Express state machine logs.
type LogTarget struct {
	Machine StateMachine
	// Group is the log group's name; Level ALL, ERROR or FATAL.
	Group string
	Level string
}

// ExpressLogging reads where an Express state machine logs. A machine that
// does not log is an *input.Error saying how to make it.
func ExpressLogging(ctx context.Context, c awsops.SFNAPI, m StateMachine) (LogTarget, error) {
	out, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(m.ARN)})
	if err != nil {
		return LogTarget{}, fmt.Errorf("describing %s: %w", m.ARN, err)
	}
	t := LogTarget{Machine: m}
	if lc := out.LoggingConfiguration; lc != nil && lc.Level != types.LogLevelOff && lc.Level != "" {
		t.Level = string(lc.Level)
		for _, d := range lc.Destinations {
			if d.CloudWatchLogsLogGroup == nil {
				continue
			}
			arn := aws.ToString(d.CloudWatchLogsLogGroup.LogGroupArn)
			if _, rest, ok := strings.Cut(arn, ":log-group:"); ok {
				t.Group, _, _ = strings.Cut(rest, ":")
			}
		}
	}
	if t.Group == "" {
		return LogTarget{}, input.Errorf("state_machine", "%s is an Express state machine without logging: Step Functions keeps no history of Express executions, only their CloudWatch Logs", m.Name).
			WithFix("give it a loggingConfiguration (aws stepfunctions update-state-machine --state-machine-arn %s --logging-configuration '{\"level\":\"ALL\",\"includeExecutionData\":true,\"destinations\":[{\"cloudWatchLogsLogGroup\":{\"logGroupArn\":\"LOG_GROUP_ARN:*\"}}]}')", m.ARN)
	}
	return t, nil
}

// expressMachine returns the state machine an express execution ARN
// (arn:...:express:MACHINE:NAME:UUID) belongs to, and the execution name.
func expressMachine(arn string) (machineARN, name string, ok bool) {
	p, ok := parseARN(arn)
	if !ok || !strings.HasPrefix(p[5], "express:") {
		return "", "", false
	}
	parts := strings.Split(strings.TrimPrefix(p[5], "express:"), ":")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	return strings.Join(p[:5], ":") + ":stateMachine:" + parts[0], parts[1], true
}

// expressPrefix is how the ARNs of a machine's express executions begin.
func expressPrefix(machineARN string) string {
	return strings.Replace(machineARN, ":stateMachine:", ":express:", 1) + ":"
}

// LogRecord is one event of an execution as Step Functions logs it.
type LogRecord struct {
	ExecutionARN string
	Event        asl.HistoryEvent
}

type wireRecord struct {
	ID              string          `json:"id"`
	Type            string          `json:"type"`
	Details         json.RawMessage `json:"details"`
	PreviousEventID string          `json:"previous_event_id"`
	EventTimestamp  string          `json:"event_timestamp"`
	ExecutionARN    string          `json:"execution_arn"`
}

var historyEventType = reflect.TypeFor[types.HistoryEvent]()

// ParseLogRecord reads a log message written by Step Functions for an
// execution event: its details are the event's details member of
// GetExecutionHistory.
func ParseLogRecord(msg string) (LogRecord, error) {
	var w wireRecord
	if err := json.Unmarshal([]byte(msg), &w); err != nil {
		return LogRecord{}, fmt.Errorf("not a Step Functions log record: %v", err)
	}
	id, err1 := strconv.ParseInt(w.ID, 10, 64)
	prev, err2 := strconv.ParseInt(w.PreviousEventID, 10, 64)
	ms, err3 := strconv.ParseInt(w.EventTimestamp, 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil || w.Type == "" || w.ExecutionARN == "" {
		return LogRecord{}, fmt.Errorf("not a Step Functions log record: %s", msg)
	}
	ts := time.UnixMilli(ms).UTC()
	ev := types.HistoryEvent{Id: id, PreviousEventId: prev, Timestamp: &ts, Type: types.HistoryEventType(w.Type)}
	if d := detailsField(w.Type); d != "" && len(w.Details) > 0 {
		f := reflect.ValueOf(&ev).Elem().FieldByName(d)
		p := reflect.New(f.Type().Elem())
		// The details' members are the SDK structure's fields, spelled in
		// lower camel case: encoding/json matches them without tags.
		if err := json.Unmarshal(w.Details, p.Interface()); err != nil {
			return LogRecord{}, fmt.Errorf("the details of event %d: %v", id, err)
		}
		f.Set(p)
	}
	return LogRecord{ExecutionARN: w.ExecutionARN, Event: asl.FromSFN(ev)}, nil
}

// detailsField names the member of types.HistoryEvent an event type's
// details go in ("" for a type without details).
func detailsField(typ string) string {
	name := typ + "EventDetails"
	switch {
	case strings.HasSuffix(typ, "StateEntered"):
		name = "StateEnteredEventDetails"
	case strings.HasSuffix(typ, "StateExited"):
		name = "StateExitedEventDetails"
	}
	if _, ok := historyEventType.FieldByName(name); !ok {
		return ""
	}
	return name
}

// executionOf builds what the records of one execution tell about it.
func executionOf(arn, machineARN string, events []asl.HistoryEvent) Execution {
	x := Execution{ARN: arn, StateMachineARN: machineARN, Status: string(types.ExecutionStatusRunning)}
	if _, name, ok := expressMachine(arn); ok {
		x.Name = name
	}
	for i, e := range events {
		if i == 0 || e.Type == types.HistoryEventTypeExecutionStarted {
			x.StartDate = e.Timestamp
		}
		switch e.Type {
		case types.HistoryEventTypeExecutionStarted:
			x.Input = payloadText(e.Payload)
		case types.HistoryEventTypeExecutionSucceeded, types.HistoryEventTypeExecutionFailed,
			types.HistoryEventTypeExecutionAborted, types.HistoryEventTypeExecutionTimedOut:
			x.Status = statusOfEnd(e.Type)
			stop := e.Timestamp
			x.StopDate = &stop
			x.Error, x.Cause = e.Error, e.Cause
			if e.Type == types.HistoryEventTypeExecutionSucceeded {
				x.Output = payloadText(e.Payload)
			}
		}
	}
	return x
}

func payloadText(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func statusOfEnd(t types.HistoryEventType) string {
	switch t {
	case types.HistoryEventTypeExecutionSucceeded:
		return string(types.ExecutionStatusSucceeded)
	case types.HistoryEventTypeExecutionFailed:
		return string(types.ExecutionStatusFailed)
	case types.HistoryEventTypeExecutionAborted:
		return string(types.ExecutionStatusAborted)
	}
	return string(types.ExecutionStatusTimedOut)
}

// filterAll pages through FilterLogEvents and hands each record to f, at
// most maxEvents events; it reports whether it stopped at that bound.
func filterAll(ctx context.Context, lc awsops.LogsAPI, in *cloudwatchlogs.FilterLogEventsInput, maxEvents int, f func(eventID string, r LogRecord)) (bool, error) {
	seen := 0
	for {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		out, err := lc.FilterLogEvents(cctx, in)
		cancel()
		if err != nil {
			if awsops.ErrorCode(err) == "ResourceNotFoundException" {
				return false, input.Errorf("state_machine", "log group %s does not exist: %s", aws.ToString(in.LogGroupName), awsops.ShortError(err)).
					WithFix("create it, or point the state machine's loggingConfiguration at one that exists")
			}
			return false, fmt.Errorf("reading log group %s: %w", aws.ToString(in.LogGroupName), err)
		}
		for _, e := range out.Events {
			seen++
			r, perr := ParseLogRecord(aws.ToString(e.Message))
			if perr != nil {
				continue // not a record of Step Functions: another writer's
			}
			f(aws.ToString(e.EventId), r)
		}
		if out.NextToken == nil || aws.ToString(out.NextToken) == aws.ToString(in.NextToken) {
			return false, nil
		}
		if seen >= maxEvents {
			return true, nil
		}
		in.NextToken = out.NextToken
	}
}

// ExpressWatchOptions are the inputs of WatchExpress.
type ExpressWatchOptions struct {
	Target       LogTarget
	ExecutionARN string
	// Interval is the time between polls; Sleep waits it.
	Interval time.Duration
	Sleep    awsops.Sleeper
	// Now is the clock the deadline is read on (time.Now when nil).
	Now func() time.Time
	// OnEvents is called with the events that arrived since the last
	// call, and every event so far, in id order.
	OnEvents func(added, all []asl.HistoryEvent)
	// Follow false reads the records once.
	Follow bool
}

// ErrNoEnd is WatchExpress's error when the execution's end never
// appeared in the logs by the time it must have ended.
var ErrNoEnd = errors.New("no end recorded")

// WatchExpress follows an Express execution through its machine's log
// group (FilterLogEvents with a JSON pattern on execution_arn, every
// Interval) until its end is logged. It gives up once the execution must
// have ended (five minutes after its start, plus LogDeliveryGrace) without
// an end in the logs: at level ERROR or FATAL a successful execution logs
// nothing.
func WatchExpress(ctx context.Context, lc awsops.LogsAPI, opts ExpressWatchOptions) (*WatchResult, error) {
	sleep := opts.Sleep.OrSleepContext()
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	interval := opts.Interval
	if interval <= 0 {
		interval = time.Second
	}
	machineARN, _, _ := expressMachine(opts.ExecutionARN)
	res := &WatchResult{}
	seen := map[string]bool{}
	began := now()
	var since int64
	for {
		var added []asl.HistoryEvent
		in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(opts.Target.Group),
			FilterPattern: aws.String(`{ $.execution_arn = "` + opts.ExecutionARN + `" }`)}
		if since > 0 {
			in.StartTime = aws.Int64(since)
		}
		_, err := filterAll(ctx, lc, in, asl.MaxHistoryEvents, func(id string, r LogRecord) {
			if r.ExecutionARN != opts.ExecutionARN || seen[id] {
				return
			}
			seen[id] = true
			added = append(added, r.Event)
			since = max(since, r.Event.Timestamp.UnixMilli())
		})
		res.Polls++
		if err != nil {
			if awsops.IsCanceled(ctx, err) {
				return res, ctx.Err()
			}
			return res, err
		}
		ended := false
		if len(added) > 0 {
			sort.Slice(added, func(i, j int) bool { return added[i].ID < added[j].ID })
			res.Events = append(res.Events, added...)
			sort.SliceStable(res.Events, func(i, j int) bool { return res.Events[i].ID < res.Events[j].ID })
			if opts.OnEvents != nil {
				opts.OnEvents(added, res.Events)
			}
		}
		for _, e := range res.Events {
			ended = ended || terminalEvent(e.Type)
		}
		res.Execution = executionOf(opts.ExecutionARN, machineARN, res.Events)
		if ended || !opts.Follow {
			return res, nil
		}
		start := began
		if len(res.Events) > 0 {
			start = res.Events[0].Timestamp
		}
		if now().After(start.Add(ExpressMaxDuration + LogDeliveryGrace)) {
			why := "the state machine logs at level " + opts.Target.Level + ", which leaves no record of an execution that succeeds"
			if opts.Target.Level == "ALL" {
				why = "its records did not reach the log group"
			}
			return res, fmt.Errorf("%w for %s in log group %s %s after its start, though an Express execution runs at most %s: %s",
				ErrNoEnd, opts.ExecutionARN, opts.Target.Group, ExpressMaxDuration+LogDeliveryGrace, ExpressMaxDuration, why)
		}
		if err := sleep(ctx, interval); err != nil {
			return res, err
		}
	}
}

// FindExpress finds the newest Express execution named name in a
// machine's log group.
func FindExpress(ctx context.Context, lc awsops.LogsAPI, t LogTarget, name string) (string, error) {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(t.Group),
		FilterPattern: aws.String(`{ $.execution_arn = "` + expressPrefix(t.Machine.ARN) + name + `:*" }`)}
	var arn string
	var newest time.Time
	_, err := filterAll(ctx, lc, in, MaxExpressScan, func(_ string, r LogRecord) {
		if _, n, ok := expressMachine(r.ExecutionARN); ok && n == name && !r.Event.Timestamp.Before(newest) {
			arn, newest = r.ExecutionARN, r.Event.Timestamp
		}
	})
	if err != nil {
		return "", err
	}
	if arn == "" {
		return "", input.Errorf("execution", "no Express execution named %q in the log group %s of %s", name, t.Group, t.Machine.Name).
			WithFix("check the order id; at level %s the logs hold only what that level records", t.Level)
	}
	return arn, nil
}

// MaxExpressScan bounds the log events one listing or search reads.
const MaxExpressScan = 200_000

// DefaultExpressWindow is how far back ListExpress reads when no Since is
// given.
const DefaultExpressWindow = 24 * time.Hour

// ListExpress lists the Express executions of a machine from its log
// group, newest first: those with a record since opts.Since (the last
// DefaultExpressWindow when zero), at most MaxExpressScan log events read
// (truncated reports hitting that bound).
func ListExpress(ctx context.Context, lc awsops.LogsAPI, t LogTarget, opts ListOptions, now time.Time) (xs []Execution, truncated bool, err error) {
	since := opts.Since
	if since.IsZero() {
		since = now.Add(-DefaultExpressWindow)
	}
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(t.Group), StartTime: aws.Int64(since.UnixMilli()),
		FilterPattern: aws.String(`{ $.execution_arn = "` + expressPrefix(t.Machine.ARN) + opts.NamePrefix + `*" }`)}
	byARN := map[string][]asl.HistoryEvent{}
	truncated, err = filterAll(ctx, lc, in, MaxExpressScan, func(_ string, r LogRecord) {
		byARN[r.ExecutionARN] = append(byARN[r.ExecutionARN], r.Event)
	})
	if err != nil {
		return nil, false, err
	}
	for arn, evs := range byARN {
		sort.Slice(evs, func(i, j int) bool { return evs[i].ID < evs[j].ID })
		x := executionOf(arn, t.Machine.ARN, evs)
		if opts.Status != "" && x.Status != opts.Status || x.StartDate.Before(since) {
			continue
		}
		xs = append(xs, x)
	}
	sort.Slice(xs, func(i, j int) bool {
		if !xs[i].StartDate.Equal(xs[j].StartDate) {
			return xs[i].StartDate.After(xs[j].StartDate)
		}
		return xs[i].ARN < xs[j].ARN
	})
	if opts.Limit > 0 && len(xs) > opts.Limit {
		xs = xs[:opts.Limit]
	}
	return xs, truncated, nil
}
