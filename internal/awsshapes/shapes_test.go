package awsshapes

import (
	"slices"
	"strings"
	"testing"
)

func TestEverySectionParses(t *testing.T) {
	secs := splitSections(table)
	if len(secs) < 20 {
		t.Fatalf("%d services in the table, want the 25 or so of genshapes", len(secs))
	}
	ops := 0
	for _, sec := range secs {
		if err := sec.parse(); err != nil {
			t.Fatal(err)
		}
		if sec.sdk == "" || sec.version == "" || len(sec.ops) == 0 {
			t.Errorf("service %s: sdk %q, version %q, %d operations", sec.dir, sec.sdk, sec.version, len(sec.ops))
		}
		ops += len(sec.ops)
	}
	t.Logf("%d services, %d operations", len(secs), ops)
}

func TestServiceNames(t *testing.T) {
	for _, tc := range []struct{ service, action, model string }{
		{"states", "startExecution", "sfn"},
		{"sfn", "sendTaskSuccess", "sfn"},
		{"events", "putEvents", "eventbridge"},
		{"eventbridge", "putEvents", "eventbridge"},
		{"secretsmanager", "getSecretValue", "secrets-manager"},
		{"cloudwatchlogs", "startQuery", "cloudwatch-logs"},
		{"bedrock", "invokeModel", "bedrock-runtime"},
		{"bedrockruntime", "invokeModel", "bedrock-runtime"},
		{"elasticmapreduce", "addJobFlowSteps", "emr"},
		{"emr", "describeCluster", "emr"},
		{"apigateway", "getRestApis", "api-gateway"},
		{"lambda", "invoke", "lambda"},
		{"s3", "listObjectsV2", "s3"},
		{"sqs", "SENDMESSAGE", "sqs"},
	} {
		op, ok := Lookup(tc.service, tc.action)
		if !ok || op.Service != tc.model {
			t.Errorf("Lookup(%q, %q) = %+v, %v; want an operation of %s", tc.service, tc.action, op, ok, tc.model)
		}
	}
	if _, ok := Lookup("sqs", "sendLetter"); ok {
		t.Error("sqs has no sendLetter")
	}
	if Known("pigeonpost") || !Known("dynamodb") {
		t.Error("Known")
	}
	if _, ok := Output("sqs", "deleteMessage"); ok {
		t.Error("DeleteMessage returns nothing")
	}
}

func TestShapes(t *testing.T) {
	out, ok := Output("sqs", "sendMessage")
	if !ok || out.Type != Structure {
		t.Fatalf("SendMessage output: %+v", out)
	}
	if names := memberNames(out); !slices.Contains(names, "MD5OfMessageBody") || !slices.Contains(names, "MessageId") {
		t.Errorf("SendMessage output members %v", names)
	}
	in, _ := Input("sqs", "sendMessage")
	if m, ok := in.Member("QueueUrl"); !ok || !m.Required || m.Shape.Type != String {
		t.Errorf("SendMessage QueueUrl: %+v", m)
	}
	if m, _ := in.Member("DelaySeconds"); m.Required || m.Shape.Type != Integer {
		t.Errorf("SendMessage DelaySeconds: %+v", m)
	}

	// Step Functions' own model is camelCase; results are PascalCase.
	desc, _ := Output("states", "describeExecution")
	st, ok := desc.Member("Status")
	if !ok || !st.Required || st.ModelName != "status" || st.Shape.Type != Enum || !slices.Contains(st.Shape.Values, "SUCCEEDED") {
		t.Errorf("DescribeExecution Status: %+v", st)
	}
	if m, _ := desc.Member("StartDate"); m.Shape.Type != Timestamp {
		t.Errorf("StartDate: %+v", m)
	}

	// DynamoDB's AttributeValue is a union that holds itself.
	item := mustMember(t, mustOutput(t, "dynamodb", "getItem"), "Item").Shape
	if item.Type != Map || item.Value.Name != "AttributeValue" {
		t.Fatalf("GetItem Item: %+v", item)
	}
	av := item.Value
	if l, _ := av.Member("L"); av.Type != Union || l.Shape.Elem != av {
		t.Errorf("AttributeValue.L should list AttributeValues: %+v", l.Shape)
	}

	// Lambda's Payload is a blob, S3's ContentLength a long.
	if m := mustMember(t, mustOutput(t, "lambda", "invoke"), "Payload"); m.Shape.Type != Blob {
		t.Errorf("Payload: %v", m.Shape.Type)
	}
	if m := mustMember(t, mustOutput(t, "s3", "getObject"), "ContentLength"); m.Shape.Type != Long {
		t.Errorf("ContentLength: %v", m.Shape.Type)
	}
	// Bounds: Lambda's MemorySize is 128 to 10240 MB, KMS's ciphertext
	// at least one byte; ContentLength has none.
	conf := mustMember(t, mustOutput(t, "lambda", "getFunction"), "Configuration").Shape
	if m := mustMember(t, conf, "MemorySize"); !m.HasMin || !m.HasMax || m.Min != 128 || m.Max != 10240 {
		t.Errorf("MemorySize bounds: %+v", m)
	}
	if m := mustMember(t, mustOutput(t, "kms", "encrypt"), "CiphertextBlob"); !m.HasMin || m.Min != 1 {
		t.Errorf("CiphertextBlob bounds: %+v", m)
	}
	if m := mustMember(t, mustOutput(t, "s3", "getObject"), "ContentLength"); m.HasMin || m.HasMax {
		t.Errorf("ContentLength bounds: %+v", m)
	}
}

func TestSource(t *testing.T) {
	src := Source()
	if !strings.HasPrefix(src, "github.com/aws/api-models-aws at commit ") || len(src) < 60 {
		t.Errorf("Source() = %q", src)
	}
}

func TestEnumValues(t *testing.T) {
	got, err := enumValues(`enum Weird a "b c" "" d\e`)
	if err != nil || !slices.Equal(got, []string{"a", "b c", "", `d\e`}) {
		t.Errorf("enumValues = %q, %v", got, err)
	}
	if _, err := enumValues(`enum Broken "open`); err == nil {
		t.Error("an unterminated quote is an error")
	}
}

func TestBrokenSection(t *testing.T) {
	for _, text := range []string{
		"op A In -\n",                      // In is not defined
		"structure In X:Nowhere\n",         // unknown type
		"list L\n",                         // no element
		"map M string\n",                   // no value
		"table T\n",                        // unknown kind
		"structure In Bad\n",               // not NAME:TYPE
		"op A\n",                           // short op
		"structure In A:string\nop B In\n", // short op after a good line
		"structure In A:integer[1]\n",      // bounds without a comma
		"structure In A:integer[x,]\n",     // a bound that is not a number
	} {
		sec := &section{dir: "test", text: text}
		if err := sec.parse(); err == nil {
			t.Errorf("%q parsed", text)
		}
	}
}

func memberNames(s *Shape) []string {
	var out []string
	for _, m := range s.Members {
		out = append(out, m.Name)
	}
	return out
}

func mustOutput(t *testing.T, service, action string) *Shape {
	t.Helper()
	s, ok := Output(service, action)
	if !ok {
		t.Fatalf("no output for %s:%s", service, action)
	}
	return s
}

func mustMember(t *testing.T, s *Shape, name string) Member {
	t.Helper()
	m, ok := s.Member(name)
	if !ok {
		t.Fatalf("%s has no member %s", s.Name, name)
	}
	return m
}
