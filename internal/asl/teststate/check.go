package teststate

import (
	"fmt"
	"unicode/utf8"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/integration"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/awsshapes"
)

// checkMockShape checks a mocked result against what the state returns: a
// Map's array (an object with a ResultWriter), one result per Parallel
// branch, or an AWS API's output for a service integration Task, as mode
// says.
func checkMockShape(su *asl.StateUnderTest, result any, mode string) error {
	switch su.State.Type {
	case asl.TypeMap:
		_, isObj := result.(map[string]any)
		_, isList := result.([]any)
		if su.HasResultWriter() && !isObj {
			return validation("Mocked result must be a JSON object.")
		}
		if !su.HasResultWriter() && !isList {
			return validation("Mocked result must be an array.")
		}
	case asl.TypeParallel:
		list, isList := result.([]any)
		if !isList {
			return validation("Mocked result must be an array.")
		}
		if len(list) != su.ParallelBranches() {
			return validation("Mocked result must contain the same number of items as number of Parallel branches.")
		}
	case asl.TypeTask:
		if mode == ModeNone {
			return nil
		}
		return checkServiceResult(su.Resource(), result, mode == ModeStrict)
	}
	return nil
}

// checkServiceResult checks a mocked result of a request-response service
// integration against its API's output shape. A function ARN, an activity,
// a callback or .sync result, an HTTP endpoint's answer and an operation
// yafdp has no shape for are not checked.
func checkServiceResult(r integration.Resource, result any, strict bool) error {
	if r.Kind != integration.Service && r.Kind != integration.SDK || r.Pattern != integration.RequestResponse {
		return nil
	}
	if r.Kind == integration.Service && (r.Service == "apigateway" || r.Service == "http") {
		return nil
	}
	out, ok := awsshapes.Output(r.Service, r.Action)
	if !ok {
		return nil
	}
	obj, isObj := result.(map[string]any)
	if !isObj {
		return validation("Mock result schema validation error: The mocked result must be a JSON object, not %s", value.TypeName(result))
	}
	c := shapeCheck{strict: strict, lambdaInvoke: r.IsLambdaInvoke()}
	if msg := c.structure(obj, out, 0); msg != "" {
		return validation("Mock result schema validation error: %s", msg)
	}
	return nil
}

// shapeCheck walks a mocked result along an output shape.
type shapeCheck struct {
	strict bool
	// lambdaInvoke: Step Functions hands on lambda:invoke's Payload
	// parsed, so any JSON value will do for it.
	lambdaInvoke bool
}

// maxShapeDepth bounds the walk: shapes may hold themselves.
const maxShapeDepth = 64

func (c shapeCheck) structure(obj map[string]any, s *awsshapes.Shape, depth int) string {
	if depth > maxShapeDepth {
		return ""
	}
	if c.strict {
		for _, m := range s.Members {
			if _, ok := obj[m.Name]; m.Required && !ok {
				return fmt.Sprintf("Required field '%s' is missing", m.Name)
			}
		}
	}
	for _, m := range s.Members {
		v, ok := obj[m.Name]
		if !ok {
			continue
		}
		if depth == 0 && c.lambdaInvoke && m.Name == "Payload" {
			continue
		}
		if msg := c.member(v, m, depth); msg != "" {
			return msg
		}
	}
	return ""
}

func (c shapeCheck) member(v any, m awsshapes.Member, depth int) string {
	if msg := c.value(v, m.Shape, m.Name, depth); msg != "" {
		return msg
	}
	return bounds(v, m)
}

// value checks one value of shape s, reported as field name.
func (c shapeCheck) value(v any, s *awsshapes.Shape, name string, depth int) string {
	mustBe := func(what string) string { return fmt.Sprintf("Field '%s' must be %s", name, what) }
	switch s.Type {
	case awsshapes.Document:
		return ""
	case awsshapes.Structure, awsshapes.Union:
		obj, ok := v.(map[string]any)
		if !ok {
			return mustBe("an object")
		}
		return c.structure(obj, s, depth+1)
	case awsshapes.List:
		list, ok := v.([]any)
		if !ok {
			return mustBe("an array")
		}
		for _, e := range list {
			if msg := c.value(e, s.Elem, name, depth+1); msg != "" {
				return msg
			}
		}
	case awsshapes.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return mustBe("an object")
		}
		for _, k := range sortedKeys(obj) {
			if msg := c.value(obj[k], s.Value, name, depth+1); msg != "" {
				return msg
			}
		}
	case awsshapes.Enum:
		str, ok := v.(string)
		if !ok {
			return mustBe("a string")
		}
		for _, e := range s.Values {
			if e == str {
				return ""
			}
		}
		return fmt.Sprintf("Field '%s' is not an expected value", name)
	case awsshapes.String, awsshapes.Timestamp, awsshapes.Blob:
		if _, ok := v.(string); !ok {
			return mustBe("a string")
		}
	case awsshapes.Integer, awsshapes.Long:
		if !value.IsInteger(v) {
			return mustBe("a number")
		}
	case awsshapes.Float, awsshapes.Double:
		if !value.IsNumber(v) {
			return mustBe("a number")
		}
	case awsshapes.Boolean:
		if _, ok := v.(bool); !ok {
			return mustBe("a boolean")
		}
	}
	return ""
}

// bounds checks a string's or blob's length and a number's range.
func bounds(v any, m awsshapes.Member) string {
	if !m.HasMin && !m.HasMax {
		return ""
	}
	if str, ok := v.(string); ok {
		n := float64(utf8.RuneCountInString(str))
		switch {
		case m.HasMin && n < m.Min:
			return fmt.Sprintf("Field '%s' is smaller than the minimum length", m.Name)
		case m.HasMax && n > m.Max:
			return fmt.Sprintf("Field '%s' exceeds the maximum length", m.Name)
		}
		return ""
	}
	if n, ok := value.Float(v); ok && value.IsNumber(v) {
		switch {
		case m.HasMin && n < m.Min:
			return fmt.Sprintf("Field '%s' is less than the minimum value", m.Name)
		case m.HasMax && n > m.Max:
			return fmt.Sprintf("Field '%s' exceeds the maximum value", m.Name)
		}
	}
	return ""
}
