package executions

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// fakeLogs answers FilterLogEvents with fixed messages, whatever the
// pattern, and counts the calls.
type fakeLogs struct {
	msgs  []string
	calls int
}

func (f *fakeLogs) FilterLogEvents(_ context.Context, in *cloudwatchlogs.FilterLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	f.calls++
	out := &cloudwatchlogs.FilterLogEventsOutput{}
	for i, m := range f.msgs {
		out.Events = append(out.Events, logtypes.FilteredLogEvent{EventId: aws.String(string(rune('a' + i))), Message: aws.String(m)})
	}
	return out, nil
}

const xARN = "arn:aws:states:us-east-1:123456789012:express:Fast:o1:7d1f"

func TestParseLogRecord(t *testing.T) {
	r, err := ParseLogRecord(`{"id":"4","type":"TaskScheduled","details":{"parameters":"{\"FunctionName\":\"f\"}","region":"us-east-1","resource":"invoke","resourceType":"lambda","timeoutInSeconds":30},"previous_event_id":"3","event_timestamp":"1767225600123","execution_arn":"` + xARN + `","redrive_count":"0"}`)
	if err != nil {
		t.Fatal(err)
	}
	e := r.Event
	if r.ExecutionARN != xARN || e.ID != 4 || e.PreviousEventID != 3 || e.Type != types.HistoryEventTypeTaskScheduled ||
		e.Timestamp.UnixMilli() != 1767225600123 || e.Region != "us-east-1" || !strings.Contains(e.Resource, "lambda") {
		t.Errorf("%+v", e)
	}
	r, err = ParseLogRecord(`{"id":"5","type":"TaskStateEntered","details":{"name":"Charge","input":"{\"a\":1}","inputDetails":{"truncated":false}},"previous_event_id":"4","event_timestamp":"1","execution_arn":"` + xARN + `","redrive_count":"0"}`)
	if err != nil || r.Event.StateName != "Charge" || fmt.Sprint(r.Event.Payload) != "map[a:1]" {
		t.Errorf("%+v %v", r.Event, err)
	}
	r, err = ParseLogRecord(`{"id":"9","type":"ExecutionFailed","details":{"error":"E","cause":"C"},"previous_event_id":"8","event_timestamp":"2","execution_arn":"` + xARN + `","redrive_count":"0"}`)
	if err != nil || r.Event.Error != "E" || r.Event.Cause != "C" {
		t.Errorf("%+v %v", r.Event, err)
	}
	for _, bad := range []string{`not json`, `{"id":"x","type":"T","previous_event_id":"0","event_timestamp":"1","execution_arn":"a"}`, `{"id":"1","previous_event_id":"0","event_timestamp":"1","execution_arn":"a"}`} {
		if _, err := ParseLogRecord(bad); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}

// A watch of an Express execution whose end never reaches the logs gives
// up once the execution must have ended, on the injected clock.
func TestWatchExpressGivesUp(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lc := &fakeLogs{msgs: []string{`{"id":"1","type":"ExecutionStarted","details":{"input":"{}"},"previous_event_id":"0","event_timestamp":"` +
		itoa(t0.UnixMilli()) + `","execution_arn":"` + xARN + `","redrive_count":"0"}`}}
	now := t0
	res, err := WatchExpress(context.Background(), lc, ExpressWatchOptions{
		Target: LogTarget{Group: "g", Level: "ERROR"}, ExecutionARN: xARN, Follow: true, Now: func() time.Time { return now },
		Sleep: func(context.Context, time.Duration) error { now = now.Add(time.Minute); return nil }})
	if !errors.Is(err, ErrNoEnd) || !strings.Contains(err.Error(), "level ERROR") || lc.calls != 8 || len(res.Events) != 1 || res.Execution.Status != "RUNNING" {
		t.Errorf("%v after %d calls, %+v", err, lc.calls, res)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
