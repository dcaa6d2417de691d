package teststate

import (
	"maps"
	"slices"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// contextFields are the members a mocked context object may have, and the
// type of each of their members: "string", "integer", or "" for any JSON
// value.
var contextFields = map[string]map[string]string{
	"Execution":    {"Id": "string", "Input": "", "Name": "string", "RoleArn": "string", "StartTime": "string", "RedriveCount": "integer", "RedriveTime": "string"},
	"State":        {"EnteredTime": "string", "Name": "string", "RetryCount": "integer"},
	"StateMachine": {"Id": "string", "Name": "string"},
	"Task":         {"Token": "string"},
}

// checkContext reads a request's context object and checks it as AWS
// does: known members of the right types, and a Task member only for a
// Task that waits for a job or a callback.
func checkContext(text string, su *asl.StateUnderTest) (map[string]any, error) {
	v, err := value.DecodeString(text)
	if err != nil {
		return nil, validation("Invalid Context object provided: the context must be valid JSON")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, validation("Invalid Context object provided: the context must be a JSON object")
	}
	for _, top := range sortedKeys(obj) {
		if top == "Map" {
			return nil, validation("Invalid Context object provided: 'Map' field is not supported when mocking a Context object")
		}
		fields, known := contextFields[top]
		if !known {
			return nil, validation("Invalid Context object provided: Field '%s' is not allowed", top)
		}
		inner, ok := obj[top].(map[string]any)
		if !ok {
			return nil, validation("Invalid Context object provided: %s must be a object", top)
		}
		for _, k := range sortedKeys(inner) {
			want, known := fields[k]
			if !known {
				return nil, validation("Invalid Context object provided: Field '%s' is not allowed", k)
			}
			switch val := inner[k]; want {
			case "string":
				if _, ok := val.(string); !ok && val != nil {
					return nil, validation("Invalid Context object provided: %s.%s must be a string", top, k)
				}
			case "integer":
				if !value.IsInteger(val) && val != nil {
					return nil, validation("Invalid Context object provided: %s.%s must be a integer", top, k)
				}
			}
		}
	}
	if _, hasTask := obj["Task"]; hasTask && !su.IsTaskWithPattern() {
		return nil, validation("Invalid Context object provided: Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern")
	}
	return obj, nil
}

func sortedKeys(obj map[string]any) []string { return slices.Sorted(maps.Keys(obj)) }
