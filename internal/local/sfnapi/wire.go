package sfnapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
)

// epoch is a timestamp as the AWS JSON protocol writes it: seconds since
// the Unix epoch as a number, with milliseconds.
type epoch time.Time

// MarshalJSON writes the number.
func (t epoch) MarshalJSON() ([]byte, error) { return appendEpoch(nil, time.Time(t)), nil }

func appendEpoch(b []byte, t time.Time) []byte {
	return strconv.AppendFloat(b, float64(t.UnixMilli())/1000, 'f', -1, 64)
}

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

// appendShape writes an aws-sdk-go-v2 shape as AWS JSON: exported fields
// with their first letter lowered, nil pointers, maps and slices left out,
// times as epoch seconds. The event's own fields come first, in AWS's order.
func appendShape(buf *bytes.Buffer, v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			buf.WriteString("null")
			return
		}
		v = v.Elem()
	}
	if t, ok := v.Interface().(time.Time); ok {
		buf.Write(appendEpoch(nil, t))
		return
	}
	if v.Kind() != reflect.Struct {
		b, err := marshal(v.Interface())
		if err != nil {
			b = []byte("null")
		}
		buf.Write(b)
		return
	}
	buf.WriteByte('{')
	first := true
	t := v.Type()
	for _, i := range fieldOrder(t) {
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
			if fv.IsNil() {
				continue
			}
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.WriteByte('"')
		buf.WriteString(lowerFirst(t.Field(i).Name))
		buf.WriteString(`":`)
		appendShape(buf, fv)
	}
	buf.WriteByte('}')
}

var eventHead = map[string]int{"Timestamp": 0, "Type": 1, "Id": 2, "PreviousEventId": 3}

func fieldOrder(t reflect.Type) []int {
	head := []int{-1, -1, -1, -1}
	var rest []int
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if r, ok := eventHead[f.Name]; ok && t == reflect.TypeFor[types.HistoryEvent]() {
			head[r] = i
			continue
		}
		rest = append(rest, i)
	}
	var out []int
	for _, i := range head {
		if i >= 0 {
			out = append(out, i)
		}
	}
	return append(out, rest...)
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
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
		appendShape(&buf, reflect.ValueOf(&h[i]))
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
