package asl

import (
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// HistoryEvent is one event of an execution's history, with the event type
// names of Step Functions. Payloads are kept as values (immutable) and only
// encoded when the event is converted with SFN or printed.
type HistoryEvent struct {
	ID              int64
	PreviousEventID int64
	Timestamp       time.Time
	Type            types.HistoryEventType

	// StateName is set on StateEntered/StateExited events and on Map
	// iteration events (the Map state's name).
	StateName string
	// Payload is the event's JSON value: the input of ExecutionStarted and
	// <Type>StateEntered, the output of <Type>StateExited, TaskSucceeded,
	// LambdaFunctionSucceeded and ExecutionSucceeded, the parameters of
	// TaskScheduled and LambdaFunctionScheduled.
	Payload any
	Error   string
	Cause   string

	// Resource is the Task's Resource ARN on task events, the role ARN on
	// ExecutionStarted and the Map Run's ARN on MapRunStarted and
	// MapRunRedriven. Region is set
	// on TaskScheduled.
	Resource         string
	Region           string
	TimeoutSeconds   int64
	HeartbeatSeconds int64
	// RoleARN is the role of a Task's Credentials, on TaskScheduled.
	RoleARN string

	// Map events: the iteration index, and the item count on MapStateStarted.
	Index  int32
	Length int32

	// Assigned holds the variables a state assigned, on its StateExited
	// event, each value encoded as JSON.
	Assigned map[string]string
	// Location is the field whose evaluation failed, on EvaluationFailed.
	Location string
	// RedriveCount is the execution's redrive count, on ExecutionRedriven,
	// and the Map Run's, on MapRunRedriven.
	RedriveCount int32
}

// IsEntered reports whether the event is a <Type>StateEntered event.
func (e *HistoryEvent) IsEntered() bool { return strings.HasSuffix(string(e.Type), "StateEntered") }

// IsExited reports whether the event is a <Type>StateExited event.
func (e *HistoryEvent) IsExited() bool { return strings.HasSuffix(string(e.Type), "StateExited") }

func encodeDetail(v any) *string {
	s, err := value.Encode(v)
	if err != nil {
		return aws.String("null")
	}
	return aws.String(string(s))
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// timeout is TimeoutSeconds for the SDK's details: nil when there is none.
func (e *HistoryEvent) timeout() *int64 {
	if e.TimeoutSeconds > 0 {
		return aws.Int64(e.TimeoutSeconds)
	}
	return nil
}

// SFN converts the event to the aws-sdk-go-v2 type, as GetExecutionHistory
// returns it (payloads as JSON strings).
func (e *HistoryEvent) SFN() types.HistoryEvent {
	ts := e.Timestamp
	out := types.HistoryEvent{Id: e.ID, PreviousEventId: e.PreviousEventID, Timestamp: &ts, Type: e.Type}
	switch {
	case e.IsEntered():
		out.StateEnteredEventDetails = &types.StateEnteredEventDetails{Name: aws.String(e.StateName), Input: encodeDetail(e.Payload)}
		return out
	case e.IsExited():
		out.StateExitedEventDetails = &types.StateExitedEventDetails{Name: aws.String(e.StateName), Output: encodeDetail(e.Payload)}
		if e.Assigned != nil {
			out.StateExitedEventDetails.AssignedVariables = e.Assigned
			out.StateExitedEventDetails.AssignedVariablesDetails = &types.AssignedVariablesDetails{Truncated: false}
		}
		return out
	}
	rt, rs := splitResource(e.Resource)
	switch e.Type {
	case types.HistoryEventTypeExecutionStarted:
		out.ExecutionStartedEventDetails = &types.ExecutionStartedEventDetails{Input: encodeDetail(e.Payload), RoleArn: optString(e.Resource)}
	case types.HistoryEventTypeExecutionSucceeded:
		out.ExecutionSucceededEventDetails = &types.ExecutionSucceededEventDetails{Output: encodeDetail(e.Payload)}
	case types.HistoryEventTypeExecutionFailed:
		out.ExecutionFailedEventDetails = &types.ExecutionFailedEventDetails{Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeExecutionAborted:
		out.ExecutionAbortedEventDetails = &types.ExecutionAbortedEventDetails{Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeExecutionRedriven:
		out.ExecutionRedrivenEventDetails = &types.ExecutionRedrivenEventDetails{RedriveCount: aws.Int32(e.RedriveCount)}
	case types.HistoryEventTypeExecutionTimedOut:
		out.ExecutionTimedOutEventDetails = &types.ExecutionTimedOutEventDetails{Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeTaskScheduled:
		out.TaskScheduledEventDetails = &types.TaskScheduledEventDetails{ResourceType: aws.String(rt), Resource: aws.String(rs), Region: aws.String(e.Region),
			Parameters: encodeDetail(e.Payload), TimeoutInSeconds: e.timeout()}
		if e.HeartbeatSeconds > 0 {
			out.TaskScheduledEventDetails.HeartbeatInSeconds = aws.Int64(e.HeartbeatSeconds)
		}
		if e.RoleARN != "" {
			out.TaskScheduledEventDetails.TaskCredentials = &types.TaskCredentials{RoleArn: aws.String(e.RoleARN)}
		}
	case types.HistoryEventTypeTaskSubmitted:
		out.TaskSubmittedEventDetails = &types.TaskSubmittedEventDetails{ResourceType: aws.String(rt), Resource: aws.String(rs), Output: encodeDetail(e.Payload)}
	case types.HistoryEventTypeTaskStarted:
		out.TaskStartedEventDetails = &types.TaskStartedEventDetails{ResourceType: aws.String(rt), Resource: aws.String(rs)}
	case types.HistoryEventTypeTaskSucceeded:
		out.TaskSucceededEventDetails = &types.TaskSucceededEventDetails{ResourceType: aws.String(rt), Resource: aws.String(rs), Output: encodeDetail(e.Payload)}
	case types.HistoryEventTypeTaskFailed:
		out.TaskFailedEventDetails = &types.TaskFailedEventDetails{ResourceType: aws.String(rt), Resource: aws.String(rs), Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeTaskTimedOut:
		out.TaskTimedOutEventDetails = &types.TaskTimedOutEventDetails{ResourceType: aws.String(rt), Resource: aws.String(rs), Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeLambdaFunctionScheduled:
		out.LambdaFunctionScheduledEventDetails = &types.LambdaFunctionScheduledEventDetails{Resource: aws.String(e.Resource), Input: encodeDetail(e.Payload), TimeoutInSeconds: e.timeout()}
	case types.HistoryEventTypeLambdaFunctionSucceeded:
		out.LambdaFunctionSucceededEventDetails = &types.LambdaFunctionSucceededEventDetails{Output: encodeDetail(e.Payload)}
	case types.HistoryEventTypeLambdaFunctionFailed:
		out.LambdaFunctionFailedEventDetails = &types.LambdaFunctionFailedEventDetails{Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeLambdaFunctionTimedOut:
		out.LambdaFunctionTimedOutEventDetails = &types.LambdaFunctionTimedOutEventDetails{Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeEvaluationFailed:
		out.EvaluationFailedEventDetails = &types.EvaluationFailedEventDetails{Error: optString(e.Error), Cause: optString(e.Cause), Location: optString(e.Location), State: aws.String(e.StateName)}
	case types.HistoryEventTypeMapRunStarted:
		out.MapRunStartedEventDetails = &types.MapRunStartedEventDetails{MapRunArn: aws.String(e.Resource)}
	case types.HistoryEventTypeMapRunRedriven:
		out.MapRunRedrivenEventDetails = &types.MapRunRedrivenEventDetails{MapRunArn: aws.String(e.Resource), RedriveCount: aws.Int32(e.RedriveCount)}
	case types.HistoryEventTypeMapRunFailed:
		out.MapRunFailedEventDetails = &types.MapRunFailedEventDetails{Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeMapStateStarted:
		out.MapStateStartedEventDetails = &types.MapStateStartedEventDetails{Length: e.Length}
	case types.HistoryEventTypeMapIterationStarted, types.HistoryEventTypeMapIterationSucceeded,
		types.HistoryEventTypeMapIterationFailed, types.HistoryEventTypeMapIterationAborted:
		d := &types.MapIterationEventDetails{Name: aws.String(e.StateName), Index: e.Index}
		switch e.Type {
		case types.HistoryEventTypeMapIterationStarted:
			out.MapIterationStartedEventDetails = d
		case types.HistoryEventTypeMapIterationSucceeded:
			out.MapIterationSucceededEventDetails = d
		case types.HistoryEventTypeMapIterationFailed:
			out.MapIterationFailedEventDetails = d
		default:
			out.MapIterationAbortedEventDetails = d
		}
	}
	return out
}

// enteredType and exitedType give the event types for a state type.
func enteredType(t StateType) types.HistoryEventType {
	switch t {
	case TypeTask:
		return types.HistoryEventTypeTaskStateEntered
	case TypePass:
		return types.HistoryEventTypePassStateEntered
	case TypeChoice:
		return types.HistoryEventTypeChoiceStateEntered
	case TypeWait:
		return types.HistoryEventTypeWaitStateEntered
	case TypeSucceed:
		return types.HistoryEventTypeSucceedStateEntered
	case TypeFail:
		return types.HistoryEventTypeFailStateEntered
	case TypeParallel:
		return types.HistoryEventTypeParallelStateEntered
	default:
		return types.HistoryEventTypeMapStateEntered
	}
}

// exitedType is never asked for Fail, which has no Exited event.
func exitedType(t StateType) types.HistoryEventType {
	switch t {
	case TypeTask:
		return types.HistoryEventTypeTaskStateExited
	case TypePass:
		return types.HistoryEventTypePassStateExited
	case TypeChoice:
		return types.HistoryEventTypeChoiceStateExited
	case TypeWait:
		return types.HistoryEventTypeWaitStateExited
	case TypeSucceed:
		return types.HistoryEventTypeSucceedStateExited
	case TypeParallel:
		return types.HistoryEventTypeParallelStateExited
	default:
		return types.HistoryEventTypeMapStateExited
	}
}

// FromSFN converts an event as GetExecutionHistory returns it through
// aws-sdk-go-v2 into a HistoryEvent: the reverse of SFN, so that a history
// read from Step Functions feeds the same code as one the engine recorded.
// Payloads are decoded from their JSON strings (kept as the string when
// they are not JSON, e.g. when truncated); a service integration's
// resourceType and resource are joined back into its ARN. Event types SFN
// does not produce keep their type, ids and timestamp.
func FromSFN(ev types.HistoryEvent) HistoryEvent {
	out := HistoryEvent{ID: ev.Id, PreviousEventID: ev.PreviousEventId, Type: ev.Type}
	if ev.Timestamp != nil {
		out.Timestamp = *ev.Timestamp
	}
	v := reflect.ValueOf(&ev).Elem()
	for _, i := range sfnDetailFields {
		if d := v.Field(i); !d.IsNil() {
			out.readDetails(d.Elem())
			break
		}
	}
	for _, d := range []*types.MapIterationEventDetails{ev.MapIterationStartedEventDetails, ev.MapIterationSucceededEventDetails,
		ev.MapIterationFailedEventDetails, ev.MapIterationAbortedEventDetails} {
		if d != nil {
			out.StateName, out.Index = aws.ToString(d.Name), d.Index
		}
	}
	return out
}

// sfnDetails are the details of the events SFN produces, but for Map
// iterations: an event carries one set, and FromSFN reads the first it finds
// in this order. sfnDetailFields are their indexes in types.HistoryEvent.
var (
	sfnDetails = []string{
		"StateEnteredEventDetails", "StateExitedEventDetails",
		"ExecutionStartedEventDetails", "ExecutionSucceededEventDetails",
		"ExecutionFailedEventDetails", "ExecutionAbortedEventDetails", "ExecutionTimedOutEventDetails",
		"TaskScheduledEventDetails", "TaskStartedEventDetails", "TaskSucceededEventDetails", "TaskFailedEventDetails",
		"TaskTimedOutEventDetails", "TaskStartFailedEventDetails", "TaskSubmitFailedEventDetails",
		"LambdaFunctionScheduledEventDetails", "LambdaFunctionSucceededEventDetails", "LambdaFunctionFailedEventDetails",
		"LambdaFunctionTimedOutEventDetails", "LambdaFunctionScheduleFailedEventDetails", "LambdaFunctionStartFailedEventDetails",
		"ActivityFailedEventDetails", "ActivityTimedOutEventDetails", "MapStateStartedEventDetails", "MapRunFailedEventDetails", "MapRunStartedEventDetails",
		"EvaluationFailedEventDetails", "TaskSubmittedEventDetails", "ExecutionRedrivenEventDetails", "MapRunRedrivenEventDetails",
	}
	sfnDetailFields = func() []int {
		t := reflect.TypeFor[types.HistoryEvent]()
		idx := make([]int, len(sfnDetails))
		for i, name := range sfnDetails {
			f, ok := t.FieldByName(name)
			if !ok {
				panic("asl: types.HistoryEvent has no " + name)
			}
			idx[i] = f.Index[0]
		}
		return idx
	}()
)

// readDetails fills e from a set of event details, a struct of the SDK whose
// fields of the same name mean the same in every set: Name, the payload
// (Input, Output or Parameters), the resource (RoleArn, or ResourceType and
// Resource), Region, TimeoutInSeconds, Error, Cause and Length.
func (e *HistoryEvent) readDetails(d reflect.Value) {
	str := func(name string) *string {
		p, _ := fieldOf(d, name).(*string)
		return p
	}
	e.StateName = aws.ToString(str("Name"))
	if state := str("State"); state != nil {
		e.StateName = *state // EvaluationFailed names its state so
	}
	e.Location = aws.ToString(str("Location"))
	if vars, ok := fieldOf(d, "AssignedVariables").(map[string]string); ok && len(vars) > 0 {
		e.Assigned = vars
	}
	for _, name := range []string{"Input", "Output", "Parameters"} {
		if p := str(name); p != nil {
			e.Payload = sfnPayload(p)
		}
	}
	if run := str("MapRunArn"); run != nil {
		e.Resource = *run
	} else if role := str("RoleArn"); role != nil {
		e.Resource = *role
	} else {
		e.Resource = sfnResource(str("ResourceType"), str("Resource"))
	}
	e.Region = aws.ToString(str("Region"))
	e.Error, e.Cause = aws.ToString(str("Error")), aws.ToString(str("Cause"))
	if p, ok := fieldOf(d, "TimeoutInSeconds").(*int64); ok {
		e.TimeoutSeconds = aws.ToInt64(p)
	}
	if p, ok := fieldOf(d, "HeartbeatInSeconds").(*int64); ok {
		e.HeartbeatSeconds = aws.ToInt64(p)
	}
	if c, ok := fieldOf(d, "TaskCredentials").(*types.TaskCredentials); ok && c != nil {
		e.RoleARN = aws.ToString(c.RoleArn)
	}
	if n, ok := fieldOf(d, "Length").(int32); ok {
		e.Length = n
	}
	if n, ok := fieldOf(d, "RedriveCount").(*int32); ok {
		e.RedriveCount = aws.ToInt32(n)
	}
}

// fieldOf is the value of d's field name, or nil when it has none.
func fieldOf(d reflect.Value, name string) any {
	if f := d.FieldByName(name); f.IsValid() {
		return f.Interface()
	}
	return nil
}

// sfnPayload decodes a payload, or keeps the string when it is not JSON.
func sfnPayload(s *string) any {
	if s == nil {
		return nil
	}
	v, err := value.DecodeString(*s)
	if err != nil {
		return *s
	}
	return v
}

// sfnResource joins a service integration's resourceType and resource back
// into its ARN.
func sfnResource(rt, rs *string) string {
	t, r := aws.ToString(rt), aws.ToString(rs)
	if t == "" || strings.HasPrefix(r, "arn:") {
		return r
	}
	return "arn:aws:states:::" + t + ":" + r
}
