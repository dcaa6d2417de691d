package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/mototest"
	"github.com/yafdp/yafdp/internal/awsshapes"
)

// TestExampleMatchesMoto is a differential check of Example against moto
// 5.2.1, which executes definitions with its port of LocalStack's
// interpreter and runs some service tasks against its own mocked
// services. Each case runs a one-Task state machine on moto and compares
// the Task's result (its TaskSucceeded output) with Example's for the same
// Resource: every top-level member moto returns must be in the example
// with a value of the same JSON type, nested members must be in the API's
// output shape, and the example's members the API requires must be there.
// Where a case repeats a request recorded against AWS in
// ../shared/conformance-tasks, moto's members are also compared with
// AWS's: AWS's recorded result is the judge, so a member only one of them
// returns is a difference of moto's.
//
// Every difference must be listed in motoDifferences with its reason, and
// a listed difference that no longer appears fails the test too, so the
// list stays true (docs/mock-config.md, "moto differential", says the
// same for people).
func TestExampleMatchesMoto(t *testing.T) {
	recordedByCase := map[string]*corpusCase{}
	for _, c := range corpusCases(t) {
		recordedByCase[c.Name] = c
	}
	moto := mototest.Start(t)
	moto.ExecuteStateMachines(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := &motoDriver{t: t, ctx: ctx, sfn: awstest.SFN(moto.URL, nil)}

	queue, err := awstest.SQS(moto.URL, nil).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("yafdp-diff")})
	if err != nil {
		t.Fatalf("creating the queue on moto: %v", err)
	}
	child, err := d.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("yafdp-diff-child"), RoleArn: aws.String(motoRole),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`),
	})
	if err != nil {
		t.Fatalf("creating a state machine on moto: %v", err)
	}
	// yafdp's module has SDK clients for SQS and Step Functions only; the
	// other resources are made by a state machine of aws-sdk tasks, which
	// moto runs with boto3 against itself.
	setup, failure := d.run("setup", motoSetup)
	if failure != "" {
		t.Fatalf("moto could not create the test's resources with aws-sdk tasks: %s", failure)
	}
	vars := map[string]string{
		"QUEUE_URL":  aws.ToString(queue.QueueUrl),
		"TOPIC_ARN":  str(setup["topic"]),
		"FIFO_TOPIC": str(setup["fifoTopic"]),
		"MACHINE":    aws.ToString(child.StateMachineArn),
	}

	found := map[string]bool{}
	for i, mc := range motoCases {
		params := mc.params
		for k, v := range vars {
			params = strings.ReplaceAll(params, "{{"+k+"}}", v)
		}
		def := fmt.Sprintf(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":%q,"Parameters":%s,"End":true}}}`, mc.resource, params)
		result, failure := d.task(fmt.Sprintf("diff-%02d", i), def)
		var diffs []string
		if failure != "" {
			diffs = []string{"moto does not run it: " + failure}
		} else {
			var recorded []map[string]any
			if mc.recorded != "" {
				recorded = recordedResults(t, recordedByCase, mc.recorded)
			}
			diffs = compareWithMoto(t, mc.resource, result, recorded)
			t.Logf("%s: moto returned %v", mc.name, keys(result))
		}
		for _, diff := range diffs {
			key := mc.name + ": " + diff
			found[key] = true
			if _, ok := motoDifferences[key]; !ok {
				t.Errorf("new difference: %q", key)
			}
		}
	}
	var gone []string
	for key := range motoDifferences {
		if !found[key] {
			gone = append(gone, key)
		}
	}
	sort.Strings(gone)
	for _, key := range gone {
		t.Errorf("listed difference no longer appears (remove it from motoDifferences): %q", key)
	}
}

// motoCase is one Task run on moto. params is the Task's Parameters, with
// {{NAME}} standing for a resource the setup made; recorded names the
// corpus case and state whose request it repeats ("" for none).
type motoCase struct {
	name, resource, params, recorded string
}

const (
	motoRole   = "arn:aws:iam::123456789012:role/sfn"
	diffTable  = "yafdp-diff"
	diffBucket = "yafdp-diff"
)

// motoSetup makes what the cases use: a DynamoDB table, SNS topics, an S3
// bucket with an object and a Glue job.
var motoSetup = `{"StartAt":"Table","States":{
  "Table":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:createTable","ResultPath":null,"Next":"Topic",
    "Parameters":{"TableName":"` + diffTable + `","BillingMode":"PAY_PER_REQUEST",
      "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}},
  "Topic":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:sns:createTopic","Parameters":{"Name":"yafdp-diff"},
    "ResultSelector":{"Arn.$":"$.TopicArn"},"ResultPath":"$.topic","Next":"FifoTopic"},
  "FifoTopic":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:sns:createTopic",
    "Parameters":{"Name":"yafdp-diff.fifo","Attributes":{"FifoTopic":"true"}},
    "ResultSelector":{"Arn.$":"$.TopicArn"},"ResultPath":"$.fifoTopic","Next":"Bucket"},
  "Bucket":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:createBucket","Parameters":{"Bucket":"` + diffBucket + `"},"ResultPath":null,"Next":"Object"},
  "Object":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:putObject",
    "Parameters":{"Bucket":"` + diffBucket + `","Key":"file_key","Body":"binary data"},"ResultPath":null,"Next":"GlueJob"},
  "GlueJob":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:glue:createJob","ResultPath":null,"End":true,
    "Parameters":{"Name":"yafdp-diff","Role":"arn:aws:iam::123456789012:role/glue","Command":{"Name":"glueetl","ScriptLocation":"s3://` + diffBucket + `/job.py"}}}}}`

// motoCases are the integrations compared. The DynamoDB, SQS, SNS,
// EventBridge, S3 and Secrets Manager cases repeat the requests recorded
// against AWS that recorded names; the others have no AWS recording.
var motoCases = []motoCase{
	{"dynamodb:putItem", "arn:aws:states:::dynamodb:putItem",
		`{"TableName":"` + diffTable + `","Item":{"data":{"S":"HelloWorld"},"id":{"S":"id1"}}}`,
		"services__dynamodb_task_service__test_base_integrations_DYNAMODB_PUT_UPDATE_GET_ITEM/PutItem"},
	{"dynamodb:updateItem", "arn:aws:states:::dynamodb:updateItem",
		`{"TableName":"` + diffTable + `","Key":{"id":{"S":"id1"}},"UpdateExpression":"set S=:r","ExpressionAttributeValues":{":r":{"S":"HelloWorldUpdated"}},"ReturnValues":"UPDATED_NEW"}`,
		"services__dynamodb_task_service__test_base_integrations_DYNAMODB_PUT_UPDATE_GET_ITEM/UpdateItem"},
	{"dynamodb:getItem", "arn:aws:states:::dynamodb:getItem",
		`{"TableName":"` + diffTable + `","Key":{"id":{"S":"id1"}}}`,
		"services__dynamodb_task_service__test_base_integrations_DYNAMODB_PUT_UPDATE_GET_ITEM/GetItem"},
	{"dynamodb:deleteItem", "arn:aws:states:::dynamodb:deleteItem",
		`{"TableName":"` + diffTable + `","Key":{"id":{"S":"id1"}}}`,
		"services__dynamodb_task_service__test_base_integrations_DYNAMODB_PUT_DELETE_ITEM/DeleteItem"},
	{"sqs:sendMessage", "arn:aws:states:::sqs:sendMessage",
		`{"QueueUrl":"{{QUEUE_URL}}","MessageBody":"test_message_body"}`,
		"local_mocking__base_scenarios__test_sqs_send_message/SendSQS"},
	{"sqs:sendMessage with attributes", "arn:aws:states:::sqs:sendMessage",
		`{"QueueUrl":"{{QUEUE_URL}}","MessageBody":"test_message_body","MessageAttributes":{
		  "my_attribute_no_1":{"DataType":"String","StringValue":"Hello"},"my_attribute_no_2":{"DataType":"String","StringValue":"World"}}}`,
		"services__sqs_task_service__test_send_message_attributes/SendSQS"},
	{"sns:publish", "arn:aws:states:::sns:publish",
		`{"TopicArn":"{{TOPIC_ARN}}","Message":"HelloWorld"}`,
		"services__sns_task_service__test_publish_base/Publish"},
	{"sns:publish to a FIFO topic", "arn:aws:states:::sns:publish",
		`{"TopicArn":"{{FIFO_TOPIC}}","Message":{"Message":"HelloWorld!"},"MessageGroupId":"a-group","MessageDeduplicationId":"dedup-1"}`,
		"services__sns_task_service__test_fifo_message_attribute_input_params1_False/Publish"},
	{"events:putEvents", "arn:aws:states:::events:putEvents",
		`{"Entries":[{"Detail":"{\"Message\": \"HelloWorld0\"}","DetailType":"detail-type","Source":"some.source"},
		  {"Detail":{"Message":"HelloWorld1"},"DetailType":"detail-type","Source":"some.source"}]}`,
		"services__events_task_service__test_put_events_base/PutEvents"},
	{"aws-sdk:dynamodb:putItem", "arn:aws:states:::aws-sdk:dynamodb:putItem",
		`{"TableName":"` + diffTable + `","Item":{"data":{"S":"HelloWorld"},"id":{"S":"id1"}}}`,
		"services__aws_sdk_task_service__test_dynamodb_put_get_item/PutItem"},
	{"aws-sdk:dynamodb:getItem", "arn:aws:states:::aws-sdk:dynamodb:getItem",
		`{"TableName":"` + diffTable + `","Key":{"id":{"S":"id1"}}}`,
		"services__aws_sdk_task_service__test_dynamodb_put_get_item/GetItem"},
	{"aws-sdk:dynamodb:describeTable", "arn:aws:states:::aws-sdk:dynamodb:describeTable",
		`{"TableName":"` + diffTable + `"}`, ""},
	{"aws-sdk:sqs:sendMessage", "arn:aws:states:::aws-sdk:sqs:sendMessage",
		`{"QueueUrl":"{{QUEUE_URL}}","MessageBody":"test_message_body"}`, ""},
	{"aws-sdk:sqs:receiveMessage", "arn:aws:states:::aws-sdk:sqs:receiveMessage",
		`{"QueueUrl":"{{QUEUE_URL}}","MaxNumberOfMessages":1}`, ""},
	{"aws-sdk:sns:publish", "arn:aws:states:::aws-sdk:sns:publish",
		`{"TopicArn":"{{TOPIC_ARN}}","Message":"HelloWorld"}`, ""},
	// AWS's recording put the boolean false; the result's shape does not
	// depend on the body, and moto cannot put a boolean (below).
	{"aws-sdk:s3:putObject", "arn:aws:states:::aws-sdk:s3:putObject",
		`{"Bucket":"` + diffBucket + `","Key":"file-key","Body":"false"}`,
		"services__aws_sdk_task_service__test_s3_put_object_bool/S3PutObject"},
	{"aws-sdk:s3:putObject with a boolean Body", "arn:aws:states:::aws-sdk:s3:putObject",
		`{"Bucket":"` + diffBucket + `","Key":"file-key","Body":false}`,
		"services__aws_sdk_task_service__test_s3_put_object_bool/S3PutObject"},
	{"aws-sdk:s3:getObject", "arn:aws:states:::aws-sdk:s3:getObject",
		`{"Bucket":"` + diffBucket + `","Key":"file_key"}`,
		"services__aws_sdk_task_service__test_s3_get_object_binary/S3GetObject"},
	{"aws-sdk:s3:listObjectsV2", "arn:aws:states:::aws-sdk:s3:listObjectsV2",
		`{"Bucket":"` + diffBucket + `"}`, ""},
	{"aws-sdk:secretsmanager:listSecrets", "arn:aws:states:::aws-sdk:secretsmanager:listSecrets",
		`{}`, "services__aws_sdk_task_service__test_list_secrets/Start"},
	{"aws-sdk:eventbridge:putEvents", "arn:aws:states:::aws-sdk:eventbridge:putEvents",
		`{"Entries":[{"Detail":"{}","DetailType":"detail-type","Source":"some.source"}]}`, ""},
	{"aws-sdk:sfn:startExecution", "arn:aws:states:::aws-sdk:sfn:startExecution",
		`{"StateMachineArn":"{{MACHINE}}","Input":"{}","Name":"by-aws-sdk"}`,
		"services__aws_sdk_task_service__test_sfn_start_execution/StartExecution"},
	{"aws-sdk:sfn:listStateMachines", "arn:aws:states:::aws-sdk:sfn:listStateMachines", `{}`, ""},
	{"states:startExecution", "arn:aws:states:::states:startExecution",
		`{"StateMachineArn":"{{MACHINE}}","Input":{},"Name":"by-optimized"}`,
		"services__sfn_task_service__test_start_execution_input_json/StartExecution"},
	{"states:startExecution.sync", "arn:aws:states:::states:startExecution.sync",
		`{"StateMachineArn":"{{MACHINE}}","Input":{},"Name":"by-sync"}`,
		"callback__callback__test_start_execution_sync/StartExecution"},
	{"glue:startJobRun", "arn:aws:states:::glue:startJobRun", `{"JobName":"yafdp-diff"}`, ""},
	{"glue:startJobRun.sync", "arn:aws:states:::glue:startJobRun.sync", `{"JobName":"yafdp-diff"}`, ""},
	{"athena:startQueryExecution", "arn:aws:states:::athena:startQueryExecution",
		`{"QueryString":"SELECT 1","WorkGroup":"primary","ResultConfiguration":{"OutputLocation":"s3://` + diffBucket + `/athena/"}}`, ""},
	{"athena:startQueryExecution.sync", "arn:aws:states:::athena:startQueryExecution.sync",
		`{"QueryString":"SELECT 1","WorkGroup":"primary","ResultConfiguration":{"OutputLocation":"s3://` + diffBucket + `/athena/"}}`, ""},
	{"ecs:runTask", "arn:aws:states:::ecs:runTask", `{"Cluster":"default","TaskDefinition":"yafdp-diff"}`, ""},
}

// motoDifferences are the differences moto 5.2.1 shows, "case: difference"
// with the reason. AWS's recorded results decide which side is right.
var motoDifferences = map[string]string{
	"dynamodb:putItem: moto leaves out SdkHttpMetadata, which AWS returns":                                                                                                                  noSdkMetadata,
	"dynamodb:putItem: moto leaves out SdkResponseMetadata, which AWS returns":                                                                                                              noSdkMetadata,
	"dynamodb:updateItem: moto leaves out SdkHttpMetadata, which AWS returns":                                                                                                               noSdkMetadata,
	"dynamodb:updateItem: moto leaves out SdkResponseMetadata, which AWS returns":                                                                                                           noSdkMetadata,
	"dynamodb:getItem: moto leaves out SdkHttpMetadata, which AWS returns":                                                                                                                  noSdkMetadata,
	"dynamodb:getItem: moto leaves out SdkResponseMetadata, which AWS returns":                                                                                                              noSdkMetadata,
	"dynamodb:deleteItem: moto leaves out SdkHttpMetadata, which AWS returns":                                                                                                               noSdkMetadata,
	"dynamodb:deleteItem: moto leaves out SdkResponseMetadata, which AWS returns":                                                                                                           noSdkMetadata,
	"sqs:sendMessage: moto leaves out SdkHttpMetadata, which AWS returns":                                                                                                                   noSdkMetadata,
	"sqs:sendMessage: moto leaves out SdkResponseMetadata, which AWS returns":                                                                                                               noSdkMetadata,
	"sqs:sendMessage with attributes: moto leaves out SdkHttpMetadata, which AWS returns":                                                                                                   noSdkMetadata,
	"sqs:sendMessage with attributes: moto leaves out SdkResponseMetadata, which AWS returns":                                                                                               noSdkMetadata,
	"sns:publish: moto leaves out SdkHttpMetadata, which AWS returns":                                                                                                                       noSdkMetadata,
	"sns:publish: moto leaves out SdkResponseMetadata, which AWS returns":                                                                                                                   noSdkMetadata,
	"sns:publish to a FIFO topic: moto leaves out SdkHttpMetadata, which AWS returns":                                                                                                       noSdkMetadata,
	"sns:publish to a FIFO topic: moto leaves out SdkResponseMetadata, which AWS returns":                                                                                                   noSdkMetadata,
	"sns:publish to a FIFO topic: moto leaves out SequenceNumber, which AWS returns":                                                                                                        "AWS gives every message published to a FIFO topic a SequenceNumber; moto's SNS does not",
	"dynamodb:updateItem: moto returns ConsumedCapacity, which AWS leaves out":                                                                                                              "moto's DynamoDB returns ConsumedCapacity from every UpdateItem; AWS only when ReturnConsumedCapacity asks for it, and the recorded request does not",
	"aws-sdk:s3:putObject: moto leaves out ChecksumType, which AWS returns":                                                                                                                 "AWS says which kind of checksum it computed (FULL_OBJECT for the default CRC32); moto's S3 computes the CRC32 but leaves ChecksumType out",
	"aws-sdk:s3:putObject: moto leaves out ServerSideEncryption, which AWS returns":                                                                                                         "AWS encrypts every new object with SSE-S3 (AES256) and says so; moto's S3 reports encryption only when the request asks for it",
	"aws-sdk:sfn:listStateMachines: moto leaves out StateMachines, which the API requires":                                                                                                  lowerCamelResult,
	"aws-sdk:sfn:listStateMachines: moto returns stateMachines, the example lacks it":                                                                                                       lowerCamelResult,
	"aws-sdk:s3:putObject with a boolean Body: moto does not run it: States.Runtime: 'bool' object has no attribute 'tell'":                                                                 "AWS sends a Body that is not a string as its JSON text (the recorded put of false succeeded); moto's port hands the boolean to boto3, which cannot read it",
	"aws-sdk:s3:getObject: moto does not run it: States.Runtime: cannot pickle '_io.BufferedReader' object":                                                                                 "moto's port leaves the object's streaming Body in the result (the TaskSucceeded event shows its Python repr) and then cannot copy the state; AWS returns the Body as text",
	"aws-sdk:eventbridge:putEvents: moto does not run it: States.Runtime: Unknown service: 'eventbridge'.":                                                                                  "Step Functions names EventBridge's SDK integration eventbridge; moto's port passes the name to boto3, which knows the service as events",
	"aws-sdk:sfn:startExecution: moto does not run it: States.Runtime: 'StateMachineArn'":                                                                                                   lowerCamelParams,
	"states:startExecution: moto does not run it: States.Runtime: 'StateMachineArn'":                                                                                                        lowerCamelParams,
	"states:startExecution.sync: moto does not run it: States.Runtime: 'StateMachineArn'":                                                                                                   lowerCamelParams,
	"ecs:runTask: moto does not run it: States.Runtime: 'Cluster'":                                                                                                                          lowerCamelParams,
	"athena:startQueryExecution.sync: moto does not run it: States.Runtime: RuntimeError(Unsupported sync callback procedure in resource arn:aws:states:::athena:startQueryExecution.sync)": "moto's port forwards the request-response call of services it lists as unsupported (athena) to boto3, but has no way to wait for their jobs",
	"glue:startJobRun.sync: moto does not run it: States.Runtime: 'NoneType' object has no attribute 'interrupt_all'":                                                                       "moto's port fails while it waits for the Glue job run to finish",
}

// Reasons shared by several differences.
const (
	noSdkMetadata = "AWS's optimized DynamoDB, SQS and SNS integrations add the Java SDK's SdkHttpMetadata and SdkResponseMetadata (recorded); moto's port drops boto3's ResponseMetadata and adds nothing"
	// LocalStack translates Step Functions' member names to the model's
	// before it calls boto3; moto's port of its interpreter leaves that
	// step out.
	lowerCamelResult = "moto's port does not re-case the members of results whose models use lower camel case; Step Functions returns StateMachines (as AWS's recorded aws-sdk:sfn:startExecution result has ExecutionArn and StartDate)"
	lowerCamelParams = "the service's model names its members in lower camel case (stateMachineArn, cluster); moto's port passes Step Functions' names (StateMachineArn) to boto3, which refuses them"
)

// compareWithMoto lists how moto's result of resource differs from
// Example's and, when given, from the results AWS recorded for the same
// request.
func compareWithMoto(t *testing.T, resource string, got map[string]any, recorded []map[string]any) []string {
	t.Helper()
	r, err := Parse(resource)
	if err != nil {
		t.Fatalf("%s: %v", resource, err)
	}
	exAny, note := Example(r)
	if note != "" {
		t.Fatalf("%s: the example is not the API's result: %s", resource, note)
	}
	ex := exAny.(map[string]any)
	shape := outputShape(r)
	var diffs []string
	for k, v := range got {
		e, ok := ex[k]
		switch {
		case !ok:
			diffs = append(diffs, "moto returns "+k+", the example lacks it")
			continue
		case jsonKind(e) != jsonKind(v):
			diffs = append(diffs, k+" is "+article(jsonKind(v))+" in moto's result, "+article(jsonKind(e))+" in the example")
			continue
		}
		if shape != nil {
			if m, ok := shape.Member(k); ok {
				diffs = append(diffs, nestedDiffs(k, v, m.Shape, 1)...)
			}
		}
	}
	if shape != nil {
		for _, m := range shape.Members {
			if _, ok := got[m.Name]; !ok && m.Required {
				diffs = append(diffs, "moto leaves out "+m.Name+", which the API requires")
			}
		}
	}
	if len(recorded) > 0 {
		inAll, inAny := map[string]bool{}, map[string]bool{}
		for k := range recorded[0] {
			inAll[k] = true
		}
		for _, rec := range recorded {
			for k := range inAll {
				if _, ok := rec[k]; !ok {
					delete(inAll, k)
				}
			}
			for k := range rec {
				inAny[k] = true
			}
		}
		for k := range inAll {
			if _, ok := got[k]; !ok {
				diffs = append(diffs, "moto leaves out "+k+", which AWS returns")
			}
		}
		for k := range got {
			if !inAny[k] {
				diffs = append(diffs, "moto returns "+k+", which AWS leaves out")
			}
		}
	}
	sort.Strings(diffs)
	return diffs
}

// nestedDiffs checks a member's value against its shape in the API's
// output: every member it holds is in the shape, with a value of the JSON
// type the example gives that shape.
func nestedDiffs(path string, v any, s *awsshapes.Shape, depth int) []string {
	if depth > exampleDepth {
		return nil
	}
	var diffs []string
	check := func(p string, x any, xs *awsshapes.Shape) {
		if xs.Type == awsshapes.Document {
			return
		}
		if want := jsonKind(exampleOf(xs, exampleDepth, map[*awsshapes.Shape]bool{})); want != jsonKind(x) {
			diffs = append(diffs, p+" is "+article(jsonKind(x))+" in moto's result, "+article(want)+" in the API's shape")
			return
		}
		diffs = append(diffs, nestedDiffs(p, x, xs, depth+1)...)
	}
	switch s.Type {
	case awsshapes.Structure, awsshapes.Union:
		obj, _ := v.(map[string]any)
		for k, x := range obj {
			m, ok := s.Member(k)
			if !ok {
				diffs = append(diffs, "moto returns "+path+"."+k+", which the API's shape lacks")
				continue
			}
			check(path+"."+k, x, m.Shape)
		}
	case awsshapes.List:
		arr, _ := v.([]any)
		for _, x := range arr {
			check(path+"[]", x, s.Elem)
		}
	case awsshapes.Map:
		obj, _ := v.(map[string]any)
		for _, x := range obj {
			check(path+".*", x, s.Value)
		}
	}
	return diffs
}

// recordedResults returns what AWS returned at "case/state" in the corpus.
func recordedResults(t *testing.T, byCase map[string]*corpusCase, ref string) []map[string]any {
	t.Helper()
	name, state, _ := strings.Cut(ref, "/")
	c, ok := byCase[name]
	if !ok {
		t.Fatalf("the corpus has no execution case %s", name)
	}
	var out []map[string]any
	for _, rec := range c.results() {
		if rec.state == state {
			out = append(out, rec.result)
		}
	}
	if len(out) == 0 {
		t.Fatalf("corpus case %s has no recorded result of state %s", name, state)
	}
	return out
}

// motoDriver creates and runs state machines on moto.
type motoDriver struct {
	t   *testing.T
	ctx context.Context
	sfn *sfn.Client
}

// addressRE matches what varies in moto's failure causes: Python object
// addresses and request ids.
var addressRE = regexp.MustCompile(`0x[0-9a-f]+|Request ID: [A-Za-z0-9]+`)

// task runs a one-Task machine and returns the Task's result, or why it
// failed ("ERROR: CAUSE", the cause's first 160 characters).
func (d *motoDriver) task(name, def string) (map[string]any, string) {
	events, failure := d.history(name, def)
	if failure != "" {
		return nil, failure
	}
	for _, e := range events {
		if e.Type == types.HistoryEventTypeTaskSucceeded {
			var out map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(e.TaskSucceededEventDetails.Output)), &out); err != nil {
				d.t.Fatalf("%s: the Task's output is not a JSON object: %v", name, err)
			}
			return out, ""
		}
	}
	return nil, "the history has no TaskSucceeded event"
}

// run runs a machine and returns its output.
func (d *motoDriver) run(name, def string) (map[string]any, string) {
	events, failure := d.history(name, def)
	if failure != "" {
		return nil, failure
	}
	var out map[string]any
	last := events[len(events)-1]
	if err := json.Unmarshal([]byte(aws.ToString(last.ExecutionSucceededEventDetails.Output)), &out); err != nil {
		d.t.Fatalf("%s: the output is not a JSON object: %v", name, err)
	}
	return out, ""
}

// history creates the machine, starts it and waits for its end. It reads
// the history rather than DescribeExecution, which moto 5.2.1 answers with
// HTTP 500 when the output holds a timestamp it cannot serialise.
func (d *motoDriver) history(name, def string) ([]types.HistoryEvent, string) {
	d.t.Helper()
	created, err := d.sfn.CreateStateMachine(d.ctx, &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(motoRole),
	})
	if err != nil {
		d.t.Fatalf("%s: CreateStateMachine: %v", name, err)
	}
	started, err := d.sfn.StartExecution(d.ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Input: aws.String("{}")})
	if err != nil {
		d.t.Fatalf("%s: StartExecution: %v", name, err)
	}
	for {
		h, err := d.sfn.GetExecutionHistory(d.ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn})
		if err != nil {
			d.t.Fatalf("%s: GetExecutionHistory: %v", name, err)
		}
		if n := len(h.Events); n > 0 {
			switch last := h.Events[n-1]; last.Type {
			case types.HistoryEventTypeExecutionSucceeded:
				return h.Events, ""
			case types.HistoryEventTypeExecutionFailed:
				errName, cause := aws.ToString(last.ExecutionFailedEventDetails.Error), aws.ToString(last.ExecutionFailedEventDetails.Cause)
				for _, e := range h.Events {
					if e.Type == types.HistoryEventTypeTaskFailed { // the Task's own cause, without the execution's preamble
						errName, cause = aws.ToString(e.TaskFailedEventDetails.Error), aws.ToString(e.TaskFailedEventDetails.Cause)
					}
				}
				cause = addressRE.ReplaceAllString(cause, "…")
				if i := strings.Index(cause, ". "); i >= 0 {
					cause = cause[:i+1] // moto's causes can list every service boto3 knows
				}
				if len(cause) > 160 {
					cause = cause[:160] + "…"
				}
				return nil, errName + ": " + cause
			case types.HistoryEventTypeExecutionAborted, types.HistoryEventTypeExecutionTimedOut:
				return nil, string(last.Type)
			}
		}
		select {
		case <-d.ctx.Done():
			d.t.Fatalf("%s: the execution did not end: %v", name, d.ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// article puts "a" or "an" before a JSON type's name.
func article(kind string) string {
	if strings.IndexByte("aeiou", kind[0]) >= 0 {
		return "an " + kind
	}
	return "a " + kind
}

func str(v any) string {
	if m, ok := v.(map[string]any); ok {
		v = m["Arn"]
	}
	s, _ := v.(string)
	return s
}

// TestCompareWithMoto checks the comparison itself, without moto.
func TestCompareWithMoto(t *testing.T) {
	got := map[string]any{
		"Item":             map[string]any{"id": map[string]any{"S": 1.0, "Q": "?"}},
		"ConsumedCapacity": "x",
		"Extra":            true,
	}
	recorded := []map[string]any{
		{"Item": map[string]any{}, "SdkHttpMetadata": map[string]any{}},
		{"SdkHttpMetadata": map[string]any{}},
	}
	want := []string{
		"ConsumedCapacity is a string in moto's result, an object in the example",
		"Item.*.S is a number in moto's result, a string in the API's shape",
		"moto leaves out SdkHttpMetadata, which AWS returns",
		"moto returns ConsumedCapacity, which AWS leaves out",
		"moto returns Extra, the example lacks it",
		"moto returns Extra, which AWS leaves out",
		"moto returns Item.*.Q, which the API's shape lacks",
	}
	diffs := compareWithMoto(t, "arn:aws:states:::dynamodb:getItem", got, recorded)
	if strings.Join(diffs, "\n") != strings.Join(want, "\n") {
		t.Errorf("differences:\n%s\nwant:\n%s", strings.Join(diffs, "\n"), strings.Join(want, "\n"))
	}
	// sfn:DescribeExecution requires ExecutionArn, StateMachineArn, Status
	// and StartDate.
	diffs = compareWithMoto(t, "arn:aws:states:::aws-sdk:sfn:describeExecution", map[string]any{"ExecutionArn": "arn"}, nil)
	want = []string{
		"moto leaves out StartDate, which the API requires",
		"moto leaves out StateMachineArn, which the API requires",
		"moto leaves out Status, which the API requires",
	}
	if strings.Join(diffs, "\n") != strings.Join(want, "\n") {
		t.Errorf("required members:\n%s\nwant:\n%s", strings.Join(diffs, "\n"), strings.Join(want, "\n"))
	}
}
