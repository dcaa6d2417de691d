package awsjson

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func TestAppendHistoryEvent(t *testing.T) {
	ts := time.Date(2026, 11, 26, 1, 2, 3, 456_000_000, time.UTC)
	ev := types.HistoryEvent{
		Id: 3, PreviousEventId: 2, Timestamp: &ts, Type: types.HistoryEventTypeTaskStateEntered,
		StateEnteredEventDetails: &types.StateEnteredEventDetails{Name: aws.String("Pay"), Input: aws.String(`{"a":"<b>&"}`)},
	}
	for _, c := range []struct {
		tf   TimeFormat
		want string
	}{
		{Epoch, `{"timestamp":1795654923.456,"type":"TaskStateEntered","id":3,"previousEventId":2,"stateEnteredEventDetails":{"name":"Pay","input":"{\"a\":\"<b>&\"}"}}`},
		{RFC3339Millis, `{"timestamp":"2026-11-26T01:02:03.456Z","type":"TaskStateEntered","id":3,"previousEventId":2,"stateEnteredEventDetails":{"name":"Pay","input":"{\"a\":\"<b>&\"}"}}`},
	} {
		var buf bytes.Buffer
		Append(&buf, &ev, c.tf)
		if buf.String() != c.want {
			t.Errorf("got  %s\nwant %s", buf.String(), c.want)
		}
	}
}

// AppendString writes what encoding/json writes without HTML escaping.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `"quoted" \back\`, "tab\tnew\nret\r", "\x00\x01\x1f\x7f", "<&>", "é☃😀", "\u2028\u2029", "bad \xff\xfe utf8", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := AppendString(nil, s)
		if !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Fatalf("%q: got %s, want %s", s, got, want.Bytes())
		}
	})
}
