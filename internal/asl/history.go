package asl

import (
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

	// Resource is the Task's Resource ARN on task events, and the role ARN
	// on ExecutionStarted. Region is set on TaskScheduled.
	Resource       string
	Region         string
	TimeoutSeconds int64

	// Map events: the iteration index, and the item count on MapStateStarted.
	Index  int32
	Length int32
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
	case types.HistoryEventTypeExecutionTimedOut:
		out.ExecutionTimedOutEventDetails = &types.ExecutionTimedOutEventDetails{Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeTaskScheduled:
		d := &types.TaskScheduledEventDetails{ResourceType: aws.String(rt), Resource: aws.String(rs), Region: aws.String(e.Region), Parameters: encodeDetail(e.Payload)}
		if e.TimeoutSeconds > 0 {
			d.TimeoutInSeconds = aws.Int64(e.TimeoutSeconds)
		}
		out.TaskScheduledEventDetails = d
	case types.HistoryEventTypeTaskStarted:
		out.TaskStartedEventDetails = &types.TaskStartedEventDetails{ResourceType: aws.String(rt), Resource: aws.String(rs)}
	case types.HistoryEventTypeTaskSucceeded:
		out.TaskSucceededEventDetails = &types.TaskSucceededEventDetails{ResourceType: aws.String(rt), Resource: aws.String(rs), Output: encodeDetail(e.Payload)}
	case types.HistoryEventTypeTaskFailed:
		out.TaskFailedEventDetails = &types.TaskFailedEventDetails{ResourceType: aws.String(rt), Resource: aws.String(rs), Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeTaskTimedOut:
		out.TaskTimedOutEventDetails = &types.TaskTimedOutEventDetails{ResourceType: aws.String(rt), Resource: aws.String(rs), Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeLambdaFunctionScheduled:
		d := &types.LambdaFunctionScheduledEventDetails{Resource: aws.String(e.Resource), Input: encodeDetail(e.Payload)}
		if e.TimeoutSeconds > 0 {
			d.TimeoutInSeconds = aws.Int64(e.TimeoutSeconds)
		}
		out.LambdaFunctionScheduledEventDetails = d
	case types.HistoryEventTypeLambdaFunctionSucceeded:
		out.LambdaFunctionSucceededEventDetails = &types.LambdaFunctionSucceededEventDetails{Output: encodeDetail(e.Payload)}
	case types.HistoryEventTypeLambdaFunctionFailed:
		out.LambdaFunctionFailedEventDetails = &types.LambdaFunctionFailedEventDetails{Error: optString(e.Error), Cause: optString(e.Cause)}
	case types.HistoryEventTypeLambdaFunctionTimedOut:
		out.LambdaFunctionTimedOutEventDetails = &types.LambdaFunctionTimedOutEventDetails{Error: optString(e.Error), Cause: optString(e.Cause)}
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
	payload := func(s *string) any {
		if s == nil {
			return nil
		}
		v, err := value.DecodeString(*s)
		if err != nil {
			return *s
		}
		return v
	}
	resource := func(rt, rs *string) string {
		t, r := aws.ToString(rt), aws.ToString(rs)
		switch {
		case t == "":
			return r
		case strings.HasPrefix(r, "arn:"):
			return r
		default:
			return "arn:aws:states:::" + t + ":" + r
		}
	}
	errCause := func(e, c *string) {
		out.Error, out.Cause = aws.ToString(e), aws.ToString(c)
	}
	switch {
	case ev.StateEnteredEventDetails != nil:
		out.StateName = aws.ToString(ev.StateEnteredEventDetails.Name)
		out.Payload = payload(ev.StateEnteredEventDetails.Input)
	case ev.StateExitedEventDetails != nil:
		out.StateName = aws.ToString(ev.StateExitedEventDetails.Name)
		out.Payload = payload(ev.StateExitedEventDetails.Output)
	case ev.ExecutionStartedEventDetails != nil:
		out.Payload = payload(ev.ExecutionStartedEventDetails.Input)
		out.Resource = aws.ToString(ev.ExecutionStartedEventDetails.RoleArn)
	case ev.ExecutionSucceededEventDetails != nil:
		out.Payload = payload(ev.ExecutionSucceededEventDetails.Output)
	case ev.ExecutionFailedEventDetails != nil:
		errCause(ev.ExecutionFailedEventDetails.Error, ev.ExecutionFailedEventDetails.Cause)
	case ev.ExecutionAbortedEventDetails != nil:
		errCause(ev.ExecutionAbortedEventDetails.Error, ev.ExecutionAbortedEventDetails.Cause)
	case ev.ExecutionTimedOutEventDetails != nil:
		errCause(ev.ExecutionTimedOutEventDetails.Error, ev.ExecutionTimedOutEventDetails.Cause)
	case ev.TaskScheduledEventDetails != nil:
		d := ev.TaskScheduledEventDetails
		out.Resource = resource(d.ResourceType, d.Resource)
		out.Region = aws.ToString(d.Region)
		out.Payload = payload(d.Parameters)
		out.TimeoutSeconds = aws.ToInt64(d.TimeoutInSeconds)
	case ev.TaskStartedEventDetails != nil:
		out.Resource = resource(ev.TaskStartedEventDetails.ResourceType, ev.TaskStartedEventDetails.Resource)
	case ev.TaskSucceededEventDetails != nil:
		d := ev.TaskSucceededEventDetails
		out.Resource = resource(d.ResourceType, d.Resource)
		out.Payload = payload(d.Output)
	case ev.TaskFailedEventDetails != nil:
		d := ev.TaskFailedEventDetails
		out.Resource = resource(d.ResourceType, d.Resource)
		errCause(d.Error, d.Cause)
	case ev.TaskTimedOutEventDetails != nil:
		d := ev.TaskTimedOutEventDetails
		out.Resource = resource(d.ResourceType, d.Resource)
		errCause(d.Error, d.Cause)
	case ev.TaskStartFailedEventDetails != nil:
		d := ev.TaskStartFailedEventDetails
		out.Resource = resource(d.ResourceType, d.Resource)
		errCause(d.Error, d.Cause)
	case ev.TaskSubmitFailedEventDetails != nil:
		d := ev.TaskSubmitFailedEventDetails
		out.Resource = resource(d.ResourceType, d.Resource)
		errCause(d.Error, d.Cause)
	case ev.LambdaFunctionScheduledEventDetails != nil:
		d := ev.LambdaFunctionScheduledEventDetails
		out.Resource = aws.ToString(d.Resource)
		out.Payload = payload(d.Input)
		out.TimeoutSeconds = aws.ToInt64(d.TimeoutInSeconds)
	case ev.LambdaFunctionSucceededEventDetails != nil:
		out.Payload = payload(ev.LambdaFunctionSucceededEventDetails.Output)
	case ev.LambdaFunctionFailedEventDetails != nil:
		errCause(ev.LambdaFunctionFailedEventDetails.Error, ev.LambdaFunctionFailedEventDetails.Cause)
	case ev.LambdaFunctionTimedOutEventDetails != nil:
		errCause(ev.LambdaFunctionTimedOutEventDetails.Error, ev.LambdaFunctionTimedOutEventDetails.Cause)
	case ev.LambdaFunctionScheduleFailedEventDetails != nil:
		errCause(ev.LambdaFunctionScheduleFailedEventDetails.Error, ev.LambdaFunctionScheduleFailedEventDetails.Cause)
	case ev.LambdaFunctionStartFailedEventDetails != nil:
		errCause(ev.LambdaFunctionStartFailedEventDetails.Error, ev.LambdaFunctionStartFailedEventDetails.Cause)
	case ev.ActivityFailedEventDetails != nil:
		errCause(ev.ActivityFailedEventDetails.Error, ev.ActivityFailedEventDetails.Cause)
	case ev.ActivityTimedOutEventDetails != nil:
		errCause(ev.ActivityTimedOutEventDetails.Error, ev.ActivityTimedOutEventDetails.Cause)
	case ev.MapStateStartedEventDetails != nil:
		out.Length = ev.MapStateStartedEventDetails.Length
	case ev.MapRunFailedEventDetails != nil:
		errCause(ev.MapRunFailedEventDetails.Error, ev.MapRunFailedEventDetails.Cause)
	}
	for _, d := range []*types.MapIterationEventDetails{ev.MapIterationStartedEventDetails, ev.MapIterationSucceededEventDetails,
		ev.MapIterationFailedEventDetails, ev.MapIterationAbortedEventDetails} {
		if d != nil {
			out.StateName, out.Index = aws.ToString(d.Name), d.Index
		}
	}
	return out
}
