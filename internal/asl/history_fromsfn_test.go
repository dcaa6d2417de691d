package asl

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// FromSFN is the reverse of SFN: every event the engine records survives
// the trip through the SDK's type, payloads, errors and resources included.
func TestFromSFNReversesSFN(t *testing.T) {
	catchDoc := `{"StartAt":"T","States":{
	 "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":5,
	      "Retry":[{"ErrorEquals":["Err.Transient"],"IntervalSeconds":1}],
	      "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Undo"}],"Next":"M"},
	 "M":{"Type":"Map","ItemsPath":"$.items","Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true},
	 "Undo":{"Type":"Pass","Next":"Boom"},
	 "Boom":{"Type":"Fail","Error":"Saga.Failed","Cause":"undone"}}}`
	runs := []*Execution{}
	x, _ := runDoc(t, retryDoc, map[string]any{"orderId": "ord_1"}, &script{replies: []reply{fail("Err.Transient", "slow"), {out: map[string]any{"ok": true}}}})
	runs = append(runs, x)
	x, _ = runDoc(t, catchDoc, map[string]any{"items": []any{int64(1), "two"}}, &script{replies: []reply{fail("Err.Transient", "1"), fail("Err.Fatal", "no")}})
	runs = append(runs, x)
	x, _ = runDoc(t, catchDoc, map[string]any{"items": []any{int64(1), "two"}}, &script{replies: []reply{{out: map[string]any{"items": []any{"a"}}}}})
	runs = append(runs, x)

	seen := map[types.HistoryEventType]bool{}
	for _, x := range runs {
		for _, e := range x.Events() {
			seen[e.Type] = true
			back := FromSFN(e.SFN())
			if back.ID != e.ID || back.PreviousEventID != e.PreviousEventID || back.Type != e.Type || !back.Timestamp.Equal(e.Timestamp) {
				t.Errorf("%s: ids/type/time %+v, want %+v", e.Type, back, e)
			}
			if back.StateName != e.StateName || back.Error != e.Error || back.Cause != e.Cause || back.Index != e.Index || back.Length != e.Length {
				t.Errorf("%s: name/error/cause/index %+v, want %+v", e.Type, back, e)
			}
			if e.Payload != nil && !value.Equal(back.Payload, e.Payload) {
				t.Errorf("%s: payload %v, want %v", e.Type, back.Payload, e.Payload)
			}
			want, _ := json.Marshal(e)
			got, _ := json.Marshal(back)
			if string(got) != string(want) {
				t.Errorf("%s: wire form after the round trip\n got %s\nwant %s", e.Type, got, want)
			}
		}
	}
	for _, typ := range []types.HistoryEventType{types.HistoryEventTypeTaskFailed, types.HistoryEventTypeTaskScheduled,
		types.HistoryEventTypeMapIterationStarted, types.HistoryEventTypeExecutionFailed, types.HistoryEventTypeExecutionSucceeded} {
		if !seen[typ] {
			t.Errorf("the test runs produced no %s event", typ)
		}
	}
}

func TestFromSFNKeepsWhatIsNotJSON(t *testing.T) {
	ev := types.HistoryEvent{Id: 2, PreviousEventId: 1, Type: types.HistoryEventTypeTaskStateEntered,
		StateEnteredEventDetails: &types.StateEnteredEventDetails{Name: aws.String("T"), Input: aws.String(`{"truncated`)}}
	if got := FromSFN(ev); got.Payload != `{"truncated` || got.StateName != "T" || !got.IsEntered() {
		t.Fatalf("%+v", got)
	}
	ev = types.HistoryEvent{Id: 3, Type: types.HistoryEventTypeTaskScheduled,
		TaskScheduledEventDetails: &types.TaskScheduledEventDetails{ResourceType: aws.String("lambda"), Resource: aws.String("invoke"), Region: aws.String("eu-west-1"), Parameters: aws.String("{}")}}
	if got := FromSFN(ev); got.Resource != "arn:aws:states:::lambda:invoke" || got.Region != "eu-west-1" {
		t.Fatalf("%+v", got)
	}
	if got := FromSFN(types.HistoryEvent{Id: 9, Type: types.HistoryEventTypeWaitStateEntered}); got.ID != 9 || !got.Timestamp.IsZero() {
		t.Fatalf("%+v", got)
	}
}

// fillDetails sets every string, int64 and int32 field of a set of details
// to a value that names it; payload fields get JSON.
func fillDetails(d reflect.Value) {
	for i := range d.NumField() {
		f, name := d.Field(i), d.Type().Field(i).Name
		switch f.Type() {
		case reflect.TypeFor[*string]():
			s := name + "-x"
			if name == "Input" || name == "Output" || name == "Parameters" {
				s = `{"` + name + `":1}`
			}
			f.Set(reflect.ValueOf(&s))
		case reflect.TypeFor[*int64]():
			f.Set(reflect.ValueOf(aws.Int64(7)))
		case reflect.TypeFor[int32]():
			f.SetInt(3)
		case reflect.TypeFor[*int32]():
			f.Set(reflect.ValueOf(aws.Int32(4)))
		}
	}
}

// withDetails returns an event carrying the named details, filled.
func withDetails(names ...string) types.HistoryEvent {
	var ev types.HistoryEvent
	for _, name := range names {
		f := reflect.ValueOf(&ev).Elem().FieldByName(name)
		d := reflect.New(f.Type().Elem())
		fillDetails(d.Elem())
		f.Set(d)
	}
	return ev
}

// Every set of details FromSFN reads lands in the fields that say the same,
// and nothing else; with two sets, the first in sfnDetails' order wins.
func TestFromSFNReadsEveryDetails(t *testing.T) {
	want := map[string]string{
		"StateEnteredEventDetails": "StateName Payload", "StateExitedEventDetails": "StateName Payload",
		"ExecutionStartedEventDetails": "Payload Resource", "ExecutionSucceededEventDetails": "Payload",
		"TaskScheduledEventDetails": "Resource Region Payload TimeoutSeconds HeartbeatSeconds", "TaskStartedEventDetails": "Resource",
		"TaskSubmittedEventDetails": "Resource Payload",
		"TaskSucceededEventDetails": "Resource Payload", "LambdaFunctionScheduledEventDetails": "Resource Payload TimeoutSeconds",
		"LambdaFunctionSucceededEventDetails": "Payload", "MapStateStartedEventDetails": "Length", "MapRunStartedEventDetails": "Resource",
		"EvaluationFailedEventDetails": "StateName Error Cause Location", "ExecutionRedrivenEventDetails": "RedriveCount",
		"MapRunRedrivenEventDetails": "Resource RedriveCount",
	}
	for _, name := range []string{"TaskFailedEventDetails", "TaskTimedOutEventDetails", "TaskStartFailedEventDetails", "TaskSubmitFailedEventDetails"} {
		want[name] = "Resource Error Cause"
	}
	for _, name := range sfnDetails {
		if want[name] == "" {
			want[name] = "Error Cause"
		}
	}
	for _, name := range sfnDetails {
		got := FromSFN(withDetails(name))
		v := reflect.ValueOf(got)
		var set []string
		for i := range v.NumField() {
			if !v.Field(i).IsZero() {
				set = append(set, v.Type().Field(i).Name)
			}
		}
		if fields := strings.Fields(want[name]); !sameSet(set, fields) {
			t.Errorf("%s sets %v, want %v", name, set, fields)
		}
		if got.Resource != "" && got.Resource != "RoleArn-x" && got.Resource != "MapRunArn-x" && got.Resource != "Resource-x" && got.Resource != "arn:aws:states:::ResourceType-x:Resource-x" {
			t.Errorf("%s: resource %q", name, got.Resource)
		}
	}
	for i, first := range sfnDetails {
		for _, second := range sfnDetails[i+1:] {
			if got, alone := FromSFN(withDetails(first, second)), FromSFN(withDetails(first)); !reflect.DeepEqual(got, alone) {
				t.Errorf("%s and %s: %+v, want %s's alone: %+v", first, second, got, first, alone)
			}
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// Task events name the integration as AWS records it: the AWS SDK
// integration's service is part of the resource type.
func TestTaskResourceDetails(t *testing.T) {
	for arn, want := range map[string][2]string{
		"arn:aws:states:::lambda:invoke":                               {"lambda", "invoke"},
		"arn:aws:states:::sqs:sendMessage.waitForTaskToken":            {"sqs", "sendMessage.waitForTaskToken"},
		"arn:aws:states:::aws-sdk:dynamodb:putItem":                    {"aws-sdk:dynamodb", "putItem"},
		"arn:aws:states:::aws-sdk:sfn:startExecution.waitForTaskToken": {"aws-sdk:sfn", "startExecution.waitForTaskToken"},
		"arn:aws:states:::states:startExecution.sync:2":                {"states", "startExecution.sync:2"},
	} {
		rt, rs := splitResource(arn)
		if rt != want[0] || rs != want[1] {
			t.Errorf("%s: %q %q, want %q %q", arn, rt, rs, want[0], want[1])
		}
		if back := sfnResource(&rt, &rs); back != arn {
			t.Errorf("%s: read back as %s", arn, back)
		}
	}
}
