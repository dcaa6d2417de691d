package sfnapi

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/awsjson"
	"github.com/yafdp/yafdp/internal/local/binrec"
)

// The stored form of a history event is binary (a binrec record): every
// event of every execution is encoded once, on the goroutine that runs the
// execution, so it has to be cheap. The payload comes last, as its JSON
// text.

// eventCodecVersion 2 added the redrive count and the assigned variables
// after the numbers; version 1 records are still read.
const eventCodecVersion = 2

var errCorruptEvent = errors.New("corrupt history event")

func encodeEvent(e *asl.HistoryEvent) []byte {
	b := make([]byte, 0, 128)
	b = append(b, eventCodecVersion)
	b = binary.AppendVarint(b, e.ID)
	b = binary.AppendVarint(b, e.PreviousEventID)
	b = binary.AppendVarint(b, e.Timestamp.Unix())
	b = binary.AppendVarint(b, int64(e.Timestamp.Nanosecond()))
	for _, s := range [...]string{string(e.Type), e.StateName, e.Error, e.Cause, e.Resource, e.Region} {
		b = binrec.AppendString(b, s)
	}
	b = binary.AppendVarint(b, e.TimeoutSeconds)
	b = binary.AppendVarint(b, int64(e.Index))
	b = binary.AppendVarint(b, int64(e.Length))
	b = binary.AppendVarint(b, int64(e.RedriveCount))
	b = binary.AppendUvarint(b, uint64(len(e.Assigned)))
	for name, enc := range e.Assigned {
		b = binrec.AppendString(b, name)
		b = binrec.AppendString(b, enc)
	}
	if e.Payload == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	// The payload last, unprefixed: it runs to the end.
	return appendJSON(b, e.Payload)
}

func decodeEvent(doc []byte) (asl.HistoryEvent, error) {
	var e asl.HistoryEvent
	version := byte(eventCodecVersion)
	if len(doc) > 0 && doc[0] == 1 {
		version = 1
	}
	r := binrec.NewReader(doc, version, errCorruptEvent)
	if r.Err() != nil {
		return e, r.Err()
	}
	e.ID, e.PreviousEventID = r.Varint(), r.Varint()
	sec := r.Varint()
	e.Timestamp = time.Unix(sec, r.Varint())
	e.Type = types.HistoryEventType(r.String())
	e.StateName, e.Error, e.Cause, e.Resource, e.Region = r.String(), r.String(), r.String(), r.String(), r.String()
	e.TimeoutSeconds = r.Varint()
	e.Index, e.Length = int32(r.Varint()), int32(r.Varint())
	if version >= 2 {
		e.RedriveCount = int32(r.Varint())
		n := r.Uvarint()
		if n > uint64(len(doc)) {
			return e, errCorruptEvent
		}
		if n > 0 {
			e.Assigned = make(map[string]string, n)
			for range n {
				name := r.String()
				e.Assigned[name] = r.String()
			}
		}
	}
	rest := r.Rest()
	if r.Err() != nil || len(rest) == 0 {
		return e, errCorruptEvent
	}
	if rest[0] == 1 {
		p, err := value.Decode(rest[1:])
		if err != nil {
			return e, err
		}
		e.Payload = p
	} else if len(rest) != 1 {
		return e, errCorruptEvent
	}
	return e, nil
}

// appendJSON appends v as compact JSON. It writes the types JSON decodes
// to directly (objects without sorting their keys, which nothing here
// needs) and hands anything else to value.Encode.
func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case string:
		return awsjson.AppendString(b, v)
	case json.Number:
		if v == "" {
			return append(b, '0')
		}
		return append(b, v...)
	case map[string]any:
		b = append(b, '{')
		first := true
		for k, x := range v {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = awsjson.AppendString(b, k)
			b = append(b, ':')
			b = appendJSON(b, x)
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, x)
		}
		return append(b, ']')
	}
	enc, err := value.Encode(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, enc...)
}
