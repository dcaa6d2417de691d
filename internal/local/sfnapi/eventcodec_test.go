package sfnapi

import (
	"encoding/binary"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/local/binrec"
)

func TestEventCodecRoundTrip(t *testing.T) {
	payload, err := value.DecodeString(`{"s":"q\"b\\s\n\t\r\u0001 é ✓ \u2028","n":-1.5e3,"i":12,"b":true,"z":null,
		"a":[1,"x",{"k":[]},{}],"o":{"nested":{"deep":"v"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []asl.HistoryEvent{
		{ID: 1, Timestamp: time.Unix(1700000000, 123456789), Type: "ExecutionStarted", Payload: payload, Resource: "arn:aws:iam::1:role/r"},
		{ID: 7, PreviousEventID: 6, Timestamp: time.Unix(0, 1), Type: "TaskFailed", Error: "E", Cause: "c\x00", Region: "us-east-1", TimeoutSeconds: 9, Index: 2, Length: 3},
		{ID: 8, Type: "PassStateExited", StateName: "P", Payload: "plain"},
		{ID: 9, Type: "PassStateExited", StateName: "P", Payload: map[string]any{"f": 1.25, "bad": "\xff"}},
		{ID: 10, Type: "PassStateExited", StateName: "P", Payload: "x", Assigned: map[string]string{"a": `{"k":1}`, "b": `"s"`}},
		{ID: 11, PreviousEventID: 10, Type: "ExecutionRedriven", RedriveCount: 2},
	} {
		got, err := decodeEvent(encodeEvent(&e))
		if err != nil {
			t.Fatalf("event %d: %v", e.ID, err)
		}
		// Payloads compare as JSON: a float64 comes back as the number it
		// printed, invalid UTF-8 as U+FFFD, as encoding/json does.
		want, _ := value.Encode(e.Payload)
		have, _ := value.Encode(got.Payload)
		var w, h any
		_ = json.Unmarshal(want, &w)
		_ = json.Unmarshal(have, &h)
		if !cmp.Equal(w, h) {
			t.Errorf("event %d payload: %s, want %s", e.ID, have, want)
		}
		got.Payload, e.Payload = nil, nil
		if diff := cmp.Diff(e, got); diff != "" {
			t.Errorf("event %d (-want +got):\n%s", e.ID, diff)
		}
	}
	good := encodeEvent(&asl.HistoryEvent{ID: 3, Type: "X", Payload: map[string]any{"a": "b"}})
	for i := range len(good) - 1 {
		if _, err := decodeEvent(good[:i]); err == nil && i < len(good)-3 {
			t.Errorf("an event cut at %d of %d bytes decoded", i, len(good))
		}
	}
}

// A data directory written before redrives were recorded (codec version
// 1) is still read.
func TestEventCodecReadsVersion1(t *testing.T) {
	b := []byte{1}
	for _, n := range []int64{5, 4, 1700000000, 0} {
		b = binary.AppendVarint(b, n)
	}
	for _, s := range []string{"TaskFailed", "S", "E", "C", "arn:r", "us-east-1"} {
		b = binrec.AppendString(b, s)
	}
	for _, n := range []int64{9, 2, 3} {
		b = binary.AppendVarint(b, n)
	}
	b = append(b, 0)
	got, err := decodeEvent(b)
	if err != nil {
		t.Fatal(err)
	}
	want := asl.HistoryEvent{ID: 5, PreviousEventID: 4, Timestamp: time.Unix(1700000000, 0), Type: "TaskFailed", StateName: "S",
		Error: "E", Cause: "C", Resource: "arn:r", Region: "us-east-1", TimeoutSeconds: 9, Index: 2, Length: 3}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
