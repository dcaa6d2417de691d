package logsapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/mototest"
	"github.com/yafdp/yafdp/internal/local/logsapi"
)

// recorder keeps the raw body of every answer, to compare their shapes.
type recorder struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	r.mu.Lock()
	r.bodies = append(r.bodies, m)
	r.mu.Unlock()
	return resp, nil
}

// shape is the sorted member names of an answer, one level into arrays of
// objects: what a differential test of two servers can compare.
func shape(m map[string]any) []string {
	var out []string
	for k, v := range m {
		if v == nil {
			continue // moto writes an absent member as null; AWS leaves it out
		}
		out = append(out, k)
		if a, ok := v.([]any); ok && len(a) > 0 {
			if o, ok := a[0].(map[string]any); ok {
				for k2 := range o {
					out = append(out, k+"[]."+k2)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// outcome is what one call did, in terms both servers must agree on.
type outcome struct {
	Err    string
	Values any
	Shape  []string
}

// script runs the same calls against a server and reports each outcome.
func script(t *testing.T, endpoint string) []outcome {
	t.Helper()
	rec := &recorder{}
	c := awstest.Logs(endpoint, rec)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var outs []outcome
	step := func(values any, err error) {
		o := outcome{Values: values}
		var api smithy.APIError
		if errors.As(err, &api) {
			o.Err = api.ErrorCode() + ": " + api.ErrorMessage()
			o.Values = nil
		} else if err != nil {
			t.Fatal(err)
		} else {
			rec.mu.Lock()
			o.Shape = shape(rec.bodies[len(rec.bodies)-1])
			rec.mu.Unlock()
		}
		outs = append(outs, o)
	}
	group, stream := aws.String("/aws/vendedlogs/states/diff"), aws.String("states/Diff/2026-01-01-00-00/00000001")
	_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group})
	step(nil, err)
	_, err = c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group})
	step(nil, err)
	_, err = c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream})
	step(nil, err)
	_, err = c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("missing"), LogStreamName: stream})
	step(nil, err)
	now := time.Now().UnixMilli()
	msgs := []string{`{"id":"1","type":"ExecutionStarted"}`, `{"id":"2","type":"TaskFailed","details":{"error":"Payment.Declined"}}`, `{"id":"3","type":"ExecutionFailed"}`}
	var events []types.InputLogEvent
	for i, m := range msgs {
		events = append(events, types.InputLogEvent{Message: aws.String(m), Timestamp: aws.Int64(now + int64(i))})
	}
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: events})
	step(nil, err)
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: aws.String("nope"), LogEvents: events[:1]})
	step(nil, err)
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream,
		LogEvents: []types.InputLogEvent{events[1], events[0]}})
	step(nil, err)

	groups, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/vendedlogs/")})
	var names []string
	if err == nil {
		for _, g := range groups.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName), aws.ToString(g.Arn), aws.ToString(g.LogGroupArn))
		}
	}
	step(names, err)
	streams, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: group, LogStreamNamePrefix: aws.String("states/")})
	names = nil
	if err == nil {
		for _, s := range streams.LogStreams {
			names = append(names, aws.ToString(s.LogStreamName), aws.ToString(s.Arn))
		}
	}
	step(names, err)
	_, err = c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: group, LogStreamNamePrefix: aws.String("states/"), OrderBy: types.OrderByLastEventTime})
	step(nil, err)
	got, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, StartFromHead: aws.Bool(true)})
	var texts []string
	if err == nil {
		for _, e := range got.Events {
			texts = append(texts, aws.ToString(e.Message))
		}
	}
	step(texts, err)
	for _, pattern := range []string{"", "TaskFailed", `"Payment.Declined"`, "Execution"} {
		f, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, FilterPattern: aws.String(pattern)})
		texts = nil
		if err == nil {
			for _, e := range f.Events {
				texts = append(texts, aws.ToString(e.LogStreamName)+" "+aws.ToString(e.Message))
			}
		}
		step(texts, err)
	}
	_, err = c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("missing")})
	step(nil, err)
	_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: aws.String("nope")})
	step(nil, err)
	_, err = c.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: group})
	step(nil, err)
	_, err = c.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: group})
	step(nil, err)
	return outs
}

// The same calls against moto and against local up's CloudWatch Logs give
// the same errors, values and answer shapes, where moto behaves as AWS.
// Known differences, left out of the comparison: moto answers
// searchedLogStreams (deprecated, and always empty on AWS since 2019) with
// the streams it searched; moto's log groups carry no logGroupClass; and
// moto answers GetLogEvents on a missing stream of an existing group with
// the group's message, where AWS names the stream.
func TestDifferentialAgainstMoto(t *testing.T) {
	moto := mototest.Start(t)
	store := logsapi.New(nil, "us-east-1", "123456789012")
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()
	want, got := script(t, moto.URL), script(t, srv.URL)
	if len(want) != len(got) {
		t.Fatalf("%d outcomes from moto, %d from local up", len(want), len(got))
	}
	drop := func(shape []string) []string {
		var out []string
		for _, s := range shape {
			if !strings.HasPrefix(s, "searchedLogStreams") && s != "logGroups[].logGroupClass" {
				out = append(out, s)
			}
		}
		return out
	}
	for i := range want {
		w, g := want[i], got[i]
		w.Shape, g.Shape = drop(w.Shape), drop(g.Shape)
		if i == 16 && w.Err == "ResourceNotFoundException: The specified log group does not exist." {
			w.Err = "ResourceNotFoundException: The specified log stream does not exist."
		}
		if !reflect.DeepEqual(w, g) {
			t.Errorf("call %d:\n moto:     %+v\n local up: %+v", i, w, g)
		}
	}
}
