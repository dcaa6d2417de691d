package sfnapi

import (
	"bytes"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsjson"
)

// epoch is a timestamp as the AWS JSON protocol writes it: seconds since
// the Unix epoch as a number, with milliseconds.
type epoch time.Time

// MarshalJSON writes the number.
func (t epoch) MarshalJSON() ([]byte, error) { return appendEpoch(nil, time.Time(t)), nil }

func appendEpoch(b []byte, t time.Time) []byte { return awsjson.Epoch(b, t) }

func epochPtr(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

// wireEvent converts a recorded event into what GetExecutionHistory returns:
// the SDK's shape, with the machine's role on ExecutionStarted and, as AWS
// adds them, the truncated flags of every payload. Without execution data
// the payloads are left out.
func wireEvent(e *asl.HistoryEvent, roleARN string, include bool) types.HistoryEvent {
	ev := e.SFN()
	if d := ev.ExecutionStartedEventDetails; d != nil {
		d.RoleArn = &roleARN
	}
	if d := ev.TaskScheduledEventDetails; d != nil && !include {
		d.Parameters = nil
	}
	if p, ok := payloadOf(&ev); ok {
		*p.details = &types.HistoryEventExecutionDataDetails{Truncated: false}
		if !include {
			*p.data, *p.details = nil, nil
		}
	}
	return ev
}

// payload is where an event keeps an input or output and its details.
type payload struct {
	data    **string
	details **types.HistoryEventExecutionDataDetails
}

// payloadOf finds the input or output an event carries, if any: SFN sets
// one details member per event.
func payloadOf(ev *types.HistoryEvent) (payload, bool) {
	switch {
	case ev.ExecutionStartedEventDetails != nil:
		d := ev.ExecutionStartedEventDetails
		return payload{&d.Input, &d.InputDetails}, true
	case ev.ExecutionSucceededEventDetails != nil:
		d := ev.ExecutionSucceededEventDetails
		return payload{&d.Output, &d.OutputDetails}, true
	case ev.StateEnteredEventDetails != nil:
		d := ev.StateEnteredEventDetails
		return payload{&d.Input, &d.InputDetails}, true
	case ev.StateExitedEventDetails != nil:
		d := ev.StateExitedEventDetails
		return payload{&d.Output, &d.OutputDetails}, true
	case ev.TaskSucceededEventDetails != nil:
		d := ev.TaskSucceededEventDetails
		return payload{&d.Output, &d.OutputDetails}, true
	case ev.LambdaFunctionScheduledEventDetails != nil:
		d := ev.LambdaFunctionScheduledEventDetails
		return payload{&d.Input, &d.InputDetails}, true
	case ev.LambdaFunctionSucceededEventDetails != nil:
		d := ev.LambdaFunctionSucceededEventDetails
		return payload{&d.Output, &d.OutputDetails}, true
	}
	return payload{}, false
}

// historyJSON is a list of events that marshals as GetExecutionHistory's
// events member.
type historyJSON []types.HistoryEvent

// MarshalJSON writes the events.
func (h historyJSON) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i := range h {
		if i > 0 {
			buf.WriteByte(',')
		}
		awsjson.Append(&buf, &h[i], awsjson.Epoch)
	}
	buf.WriteByte(']')
	return buf.Bytes(), nil
}
