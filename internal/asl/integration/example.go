package integration

import (
	"strings"

	"github.com/yafdp/yafdp/internal/awsshapes"
)

// Placeholders of an example result: a user replaces them with the values
// the test case needs.
const (
	exampleString    = "..."
	exampleTimestamp = "2025-01-01T00:00:00Z"
	// exampleDepth bounds how deep an example nests. Deeper structures
	// are left empty: results that deep (an ECS task's containers'
	// network bindings) are rarely read by the states that follow.
	exampleDepth = 6
)

// Example returns a plausible result of a Task state with Resource r, the
// value a mock config returns for it, and a note when the result is not
// the API's (a function's or callback's own value) or not known to yafdp.
//
// The example has every member the API can return, nested, with "..."
// for strings, 0 for numbers, false for booleans, an enum's first value, a
// fixed timestamp, lists of one element and maps of one entry ("..."),
// and one member of a union. Every member rather than the required ones
// (outputs rarely mark any): a state that reads a member its mock lacks
// fails with States.Runtime, while a member nothing reads does no harm,
// and deleting is easier than looking up a name. AWS itself leaves out
// the members a response does not carry, so a real result has a subset
// of these; the few whose presence means something else (Lambda's
// FunctionError, an execution's Error) are left out.
//
// On top of the API's output, the result has what Step Functions adds:
// the SdkHttpMetadata and SdkResponseMetadata of the optimized Lambda,
// SQS, SNS, DynamoDB and Step Functions request-response integrations
// (recorded against AWS; EventBridge's putEvents has none, and the other
// optimized services are not known to have them), the Payload of
// lambda:invoke, and the final description of the job a .sync integration
// waits for (DescribeExecution for states:startExecution, with Output
// parsed for .sync:2).
func Example(r Resource) (result any, note string) {
	switch {
	case r.Kind == Activity:
		return map[string]any{}, "an activity's result is the output its worker sends with SendTaskSuccess; replace {} with it"
	case r.Kind == Lambda:
		return map[string]any{}, "a function ARN returns the function's own result; replace {} with what " + r.Name + " returns"
	case r.Pattern == WaitForTaskToken:
		return map[string]any{}, "a .waitForTaskToken task returns the output of SendTaskSuccess; replace {} with what the callback sends"
	case r.Kind == Service && r.Action == "invoke" && (r.Service == "apigateway" || r.Service == "http"):
		return httpResponse(), ""
	}
	spec := specFor(r)
	out, ok := awsshapes.Lookup(spec.service, spec.op)
	if !ok {
		return map[string]any{}, "yafdp has no shape for " + r.Service + ":" + r.Action + "; replace {} with the result the test needs"
	}
	res := map[string]any{}
	if out.Output != nil {
		shape := spec.pick(out.Output)
		res, _ = exampleOf(shape, 0, map[*awsshapes.Shape]bool{}).(map[string]any)
	}
	spec.apply(res)
	return res, ""
}

// resultSpec says how an integration's result differs from the output of
// the operation its action names.
type resultSpec struct {
	// service and op name the operation whose output shapes the result.
	service, op string
	// elem takes the first element of this list member of the output
	// (ECS's Tasks, Batch's Jobs); member takes this member (Glue's JobRun).
	elem, member string
	// set gives members a value of their own, drop leaves members out.
	set  map[string]any
	drop []string
	// envelope, the response's Content-Type, adds SdkHttpMetadata and
	// SdkResponseMetadata.
	envelope string
}

// syncResults are what .sync integrations return: the description of the
// finished job, as the service's Describe call gives it. An integration
// not listed here returns its action's own output.
var syncResults = map[string]resultSpec{
	"states:startExecution": {service: "sfn", op: "DescribeExecution",
		set: map[string]any{"Status": "SUCCEEDED", "Output": "{}", "Input": "{}"}, drop: []string{"Error", "Cause", "MapRunArn", "RedriveDate"}},
	"ecs:runTask":                {service: "ecs", op: "DescribeTasks", elem: "Tasks", set: map[string]any{"LastStatus": "STOPPED", "DesiredStatus": "STOPPED"}},
	"batch:submitJob":            {service: "batch", op: "DescribeJobs", elem: "Jobs", set: map[string]any{"Status": "SUCCEEDED"}},
	"glue:startJobRun":           {service: "glue", op: "GetJobRun", member: "JobRun", set: map[string]any{"JobRunState": "SUCCEEDED"}},
	"athena:startQueryExecution": {service: "athena", op: "GetQueryExecution"},
}

// requestResults are the request-response integrations whose result is
// more than the API's output.
var requestResults = map[string]resultSpec{
	"lambda:invoke": {set: map[string]any{"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": map[string]any{}},
		drop: []string{"FunctionError", "LogResult"}},
	// Step Functions adds the job's name to StartJobRun's JobRunId.
	"glue:startJobRun": {set: map[string]any{"JobName": exampleString}},
}

// envelopeServices are the optimized integrations whose results carry the
// AWS SDK's response metadata (seen in results recorded against AWS), with
// the Content-Type their APIs answer with.
var envelopeServices = map[string]string{
	"lambda": "application/json", "sns": "text/xml",
	"sqs": "application/x-amz-json-1.0", "dynamodb": "application/x-amz-json-1.0", "states": "application/x-amz-json-1.0",
}

func specFor(r Resource) resultSpec {
	key := r.Service + ":" + r.Action
	var spec resultSpec
	switch {
	case r.Kind == Service && (r.Pattern == Sync || r.Pattern == Sync2):
		spec = syncSpec(r.Service, r.Action)
		if r.Pattern == Sync2 && spec.set != nil {
			spec.set["Output"] = map[string]any{}
		}
	case r.Kind == Service:
		spec = requestResults[key]
		spec.envelope = envelopeServices[r.Service]
	}
	if spec.op == "" {
		spec.service, spec.op = r.Service, r.Action
	}
	return spec
}

// syncSpec returns a copy of the .sync table's entry; SageMaker's
// createXJob.sync returns what describeXJob does.
func syncSpec(service, action string) resultSpec {
	spec, ok := syncResults[service+":"+action]
	if ok {
		set := make(map[string]any, len(spec.set)+1)
		for k, v := range spec.set {
			set[k] = v
		}
		spec.set = set
		return spec
	}
	if rest, ok := strings.CutPrefix(action, "create"); ok && service == "sagemaker" {
		if _, known := awsshapes.Lookup(service, "describe"+rest); known {
			return resultSpec{service: service, op: "describe" + rest}
		}
	}
	return resultSpec{}
}

// pick narrows an output to the member or list element the result is.
func (s resultSpec) pick(out *awsshapes.Shape) *awsshapes.Shape {
	name := s.elem
	if name == "" {
		name = s.member
	}
	m, ok := out.Member(name)
	switch {
	case !ok:
		return out
	case s.elem != "" && m.Shape.Type == awsshapes.List:
		return m.Shape.Elem
	}
	return m.Shape
}

func (s resultSpec) apply(res map[string]any) {
	for _, k := range s.drop {
		delete(res, k)
	}
	for k, v := range s.set {
		res[k] = v
	}
	if s.envelope != "" {
		res["SdkHttpMetadata"] = map[string]any{
			"AllHttpHeaders": map[string]any{"Content-Type": []any{s.envelope}, "x-amzn-RequestId": []any{exampleString}},
			"HttpHeaders":    map[string]any{"Content-Type": s.envelope, "x-amzn-RequestId": exampleString},
			"HttpStatusCode": 200,
		}
		res["SdkResponseMetadata"] = map[string]any{"RequestId": exampleString}
	}
}

// httpResponse is the result of apigateway:invoke and http:invoke: the
// called endpoint's response.
func httpResponse() map[string]any {
	return map[string]any{
		"Headers":      map[string]any{"Content-Type": []any{"application/json"}},
		"ResponseBody": map[string]any{},
		"StatusCode":   200,
		"StatusText":   "OK",
	}
}

// exampleOf builds the example value of a shape. onPath holds the
// structures being built, so that a shape that holds itself stops.
func exampleOf(s *awsshapes.Shape, depth int, onPath map[*awsshapes.Shape]bool) any {
	switch s.Type {
	case awsshapes.Structure, awsshapes.Union:
		obj := map[string]any{}
		if depth >= exampleDepth || onPath[s] {
			return obj
		}
		onPath[s] = true
		defer delete(onPath, s)
		for _, m := range s.Members {
			if onPath[m.Shape] {
				continue
			}
			obj[m.Name] = exampleOf(m.Shape, depth+1, onPath)
			if s.Type == awsshapes.Union {
				break // a union holds one of its members
			}
		}
		return obj
	case awsshapes.List:
		if depth >= exampleDepth || onPath[s.Elem] {
			return []any{}
		}
		return []any{exampleOf(s.Elem, depth+1, onPath)}
	case awsshapes.Map:
		if depth >= exampleDepth || onPath[s.Value] {
			return map[string]any{}
		}
		return map[string]any{exampleString: exampleOf(s.Value, depth+1, onPath)}
	}
	return examplePrimitive(s)
}

func examplePrimitive(s *awsshapes.Shape) any {
	switch s.Type {
	case awsshapes.Enum:
		if len(s.Values) > 0 {
			return s.Values[0]
		}
	case awsshapes.Integer, awsshapes.Long, awsshapes.Float, awsshapes.Double:
		return 0
	case awsshapes.Boolean:
		return false
	case awsshapes.Timestamp:
		return exampleTimestamp
	case awsshapes.Document:
		return map[string]any{}
	}
	return exampleString
}
