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
)

// The stored form of a history event is binary: every event of every
// execution is encoded once, on the goroutine that runs the execution, so
// it has to be cheap. Strings are uvarint-length-prefixed, numbers varints,
// and the payload is its JSON text.

const eventCodecVersion = 1

var errCorruptEvent = errors.New("corrupt history event")

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func encodeEvent(e *asl.HistoryEvent) []byte {
	b := make([]byte, 0, 128)
	b = append(b, eventCodecVersion)
	b = binary.AppendVarint(b, e.ID)
	b = binary.AppendVarint(b, e.PreviousEventID)
	b = binary.AppendVarint(b, e.Timestamp.Unix())
	b = binary.AppendVarint(b, int64(e.Timestamp.Nanosecond()))
	for _, s := range [...]string{string(e.Type), e.StateName, e.Error, e.Cause, e.Resource, e.Region} {
		b = appendStr(b, s)
	}
	b = binary.AppendVarint(b, e.TimeoutSeconds)
	b = binary.AppendVarint(b, int64(e.Index))
	b = binary.AppendVarint(b, int64(e.Length))
	if e.Payload == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	// The payload last, unprefixed: it runs to the end.
	return appendJSON(b, e.Payload)
}

type eventReader struct {
	b   []byte
	err error
}

func (r *eventReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCorruptEvent
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *eventReader) str() string {
	if r.err != nil {
		return ""
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)-k) {
		r.err = errCorruptEvent
		return ""
	}
	s := string(r.b[k : k+int(n)])
	r.b = r.b[k+int(n):]
	return s
}

func decodeEvent(doc []byte) (asl.HistoryEvent, error) {
	var e asl.HistoryEvent
	if len(doc) == 0 || doc[0] != eventCodecVersion {
		return e, errCorruptEvent
	}
	r := eventReader{b: doc[1:]}
	e.ID, e.PreviousEventID = r.varint(), r.varint()
	sec := r.varint()
	e.Timestamp = time.Unix(sec, r.varint())
	e.Type = types.HistoryEventType(r.str())
	e.StateName, e.Error, e.Cause, e.Resource, e.Region = r.str(), r.str(), r.str(), r.str(), r.str()
	e.TimeoutSeconds = r.varint()
	e.Index, e.Length = int32(r.varint()), int32(r.varint())
	if r.err != nil || len(r.b) == 0 {
		return e, errCorruptEvent
	}
	if r.b[0] == 1 {
		p, err := value.Decode(r.b[1:])
		if err != nil {
			return e, err
		}
		e.Payload = p
	} else if len(r.b) != 1 {
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
