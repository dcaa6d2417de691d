package awsjson

import (
	"bytes"
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
