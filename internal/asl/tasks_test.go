package asl

import (
	"slices"
	"testing"
)

func TestTasks(t *testing.T) {
	m, err := Parse([]byte(`{"StartAt": "A", "States": {
		"A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Next": "P"},
		"P": {"Type": "Parallel", "Next": "M", "Branches": [
			{"StartAt": "B1", "States": {"B1": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Next": "B2"}, "B2": {"Type": "Pass", "End": true}}},
			{"StartAt": "B3", "States": {"B3": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}]},
		"M": {"Type": "Map", "Next": "Z", "ItemProcessor": {"StartAt": "I", "States": {
			"I": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "End": true}}}},
		"Z": {"Type": "Succeed"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var names, resources []string
	var inMap []bool
	for _, s := range m.Tasks() {
		names = append(names, s.Name)
		resources = append(resources, s.Resource)
		inMap = append(inMap, s.InMap)
	}
	if !slices.Equal(names, []string{"A", "I", "B1", "B3"}) {
		t.Errorf("Tasks() = %v", names)
	}
	if !slices.Equal(inMap, []bool{false, true, false, false}) {
		t.Errorf("only I runs in a Map: %v", inMap)
	}
	if resources[1] != "arn:aws:states:::aws-sdk:s3:getObject" {
		t.Errorf("resources %v", resources)
	}
	if m, _ := Parse([]byte(`{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`)); len(m.Tasks()) != 0 {
		t.Error("a machine without Task states has none")
	}
}
