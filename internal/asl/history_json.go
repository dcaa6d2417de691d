package asl

import (
	"bytes"

	"github.com/yafdp/yafdp/internal/awsjson"
)

// MarshalJSON writes the event as GetExecutionHistory's wire format does:
// camelCase keys (id, previousEventId, type, stateEnteredEventDetails, ...),
// payloads as JSON strings, absent details left out. Timestamps are RFC 3339
// with milliseconds, as the aws CLI prints them.
func (e HistoryEvent) MarshalJSON() ([]byte, error) {
	ev := e.SFN()
	var buf bytes.Buffer
	awsjson.Append(&buf, &ev, awsjson.RFC3339Millis)
	return buf.Bytes(), nil
}
