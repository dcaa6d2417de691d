package sfnapi

import (
	"bytes"
	"encoding/json"
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
	notTruncated := func() *types.HistoryEventExecutionDataDetails {
		return &types.HistoryEventExecutionDataDetails{Truncated: false}
	}
	if d := ev.ExecutionStartedEventDetails; d != nil {
		d.RoleArn = &roleARN
		d.InputDetails = notTruncated()
		if !include {
			d.Input, d.InputDetails = nil, nil
		}
	}
	if d := ev.ExecutionSucceededEventDetails; d != nil {
		d.OutputDetails = notTruncated()
		if !include {
			d.Output, d.OutputDetails = nil, nil
		}
	}
	if d := ev.StateEnteredEventDetails; d != nil {
		d.InputDetails = notTruncated()
		if !include {
			d.Input, d.InputDetails = nil, nil
		}
	}
	if d := ev.StateExitedEventDetails; d != nil {
		d.OutputDetails = notTruncated()
		if !include {
			d.Output, d.OutputDetails = nil, nil
		}
	}
	if d := ev.TaskSucceededEventDetails; d != nil {
		d.OutputDetails = notTruncated()
		if !include {
			d.Output, d.OutputDetails = nil, nil
		}
	}
	if d := ev.TaskScheduledEventDetails; d != nil && !include {
		d.Parameters = nil
	}
	if d := ev.LambdaFunctionScheduledEventDetails; d != nil {
		d.InputDetails = notTruncated()
		if !include {
			d.Input, d.InputDetails = nil, nil
		}
	}
	if d := ev.LambdaFunctionSucceededEventDetails; d != nil {
		d.OutputDetails = notTruncated()
		if !include {
			d.Output, d.OutputDetails = nil, nil
		}
	}
	return ev
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

// marshal is json.Marshal without HTML escaping, as AWS writes strings.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
