package sqsapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/local/sqsapi"
	"github.com/yafdp/yafdp/internal/queue"
)

// fuzzSeeds are requests of every operation, valid and not; the committed
// corpus in testdata/fuzz/FuzzHandler holds more, found by fuzzing.
var fuzzSeeds = []struct{ target, body string }{
	{"AmazonSQS.CreateQueue", `{"QueueName":"f","Attributes":{"VisibilityTimeout":"5","RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\",\"maxReceiveCount\":2}"},"tags":{"a":"b"}}`},
	{"AmazonSQS.CreateQueue", `{"QueueName":"f.fifo","Attributes":{"FifoQueue":"true","ContentBasedDeduplication":"true"}}`},
	{"AmazonSQS.GetQueueUrl", `{"QueueName":"q","QueueOwnerAWSAccountId":"000000000000"}`},
	{"AmazonSQS.ListQueues", `{"QueueNamePrefix":"q","MaxResults":1,"NextToken":"cQ"}`},
	{"AmazonSQS.DeleteQueue", `{"QueueUrl":"http://h/000000000000/f"}`},
	{"AmazonSQS.GetQueueAttributes", `{"QueueUrl":"/000000000000/q","AttributeNames":["All"]}`},
	{"AmazonSQS.SetQueueAttributes", `{"QueueUrl":"/000000000000/q","Attributes":{"DelaySeconds":"0","Policy":"{}"}}`},
	{"AmazonSQS.SendMessage", `{"QueueUrl":"/000000000000/q","MessageBody":"hi","DelaySeconds":0,"MessageAttributes":{"b":{"DataType":"Binary","BinaryValue":"AAH/"},"n":{"DataType":"Number","StringValue":"1.5"}},"MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"Root=1"}}}`},
	{"AmazonSQS.SendMessage", `{"QueueUrl":"/000000000000/q.fifo","MessageBody":"hi","MessageGroupId":"g","MessageDeduplicationId":"d"}`},
	{"AmazonSQS.SendMessageBatch", `{"QueueUrl":"/000000000000/q","Entries":[{"Id":"a","MessageBody":"x"},{"Id":"b","MessageBody":"\u0001"}]}`},
	{"AmazonSQS.ReceiveMessage", `{"QueueUrl":"/000000000000/q","MaxNumberOfMessages":10,"VisibilityTimeout":0,"WaitTimeSeconds":1,"AttributeNames":["All"],"MessageSystemAttributeNames":["SenderId"],"MessageAttributeNames":["All","b.*"]}`},
	{"AmazonSQS.DeleteMessage", `{"QueueUrl":"/000000000000/q","ReceiptHandle":"AQEB"}`},
	{"AmazonSQS.DeleteMessageBatch", `{"QueueUrl":"/000000000000/q","Entries":[{"Id":"a","ReceiptHandle":"x"}]}`},
	{"AmazonSQS.ChangeMessageVisibility", `{"QueueUrl":"/000000000000/q","ReceiptHandle":"x","VisibilityTimeout":10}`},
	{"AmazonSQS.ChangeMessageVisibilityBatch", `{"QueueUrl":"/000000000000/q","Entries":[{"Id":"a","ReceiptHandle":"x","VisibilityTimeout":1}]}`},
	{"AmazonSQS.PurgeQueue", `{"QueueUrl":"/000000000000/q"}`},
	{"AmazonSQS.ListDeadLetterSourceQueues", `{"QueueUrl":"/000000000000/dlq","MaxResults":5}`},
	{"AmazonSQS.StartMessageMoveTask", `{"SourceArn":"arn:aws:sqs:us-east-1:000000000000:dlq","DestinationArn":"arn:aws:sqs:us-east-1:000000000000:q","MaxNumberOfMessagesPerSecond":10}`},
	{"AmazonSQS.ListMessageMoveTasks", `{"SourceArn":"arn:aws:sqs:us-east-1:000000000000:dlq","MaxResults":10}`},
	{"AmazonSQS.CancelMessageMoveTask", `{"TaskHandle":"eyJ0YXNrSWQiOiJ4Iiwic291cmNlQXJuIjoiYXJuIn0="}`},
	{"AmazonSQS.TagQueue", `{"QueueUrl":"/000000000000/q","Tags":{"k":"v"}}`},
	{"AmazonSQS.UntagQueue", `{"QueueUrl":"/000000000000/q","TagKeys":["k"]}`},
	{"AmazonSQS.ListQueueTags", `{"QueueUrl":"/000000000000/q"}`},
	{"AmazonSQS.SendMessage", `{"QueueUrl":`},
	{"AmazonSQS.SendMessage", `{"QueueUrl":null,"MessageBody":7}`},
	{"AmazonSQS.Nope", `{}`},
	{"AWSStepFunctions.StartExecution", `{}`},
	{"", ``},
}

// FuzzHandler: whatever the target and body, the handler answers without
// panicking, with a JSON object, and with a client error or success — never
// a server error.
func FuzzHandler(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.target, s.body)
	}
	b := queue.New(queue.Options{})
	f.Cleanup(b.Close)
	for _, q := range []struct {
		name  string
		attrs map[string]string
	}{{"dlq", nil}, {"q", nil}, {"q.fifo", map[string]string{"FifoQueue": "true"}}} {
		if _, err := b.CreateQueue(q.name, q.attrs, nil); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := b.CreateQueue("src", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1}`}, nil); err != nil {
		f.Fatal(err)
	}
	h := sqsapi.NewHandler(b)
	f.Fuzz(func(t *testing.T, target, body string) {
		// Long polls end with the request; keep them short.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		defer cancel()
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)).WithContext(ctx)
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: HTTP %d %s", target, body, rec.Code, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %q: the answer is not a JSON object: %q", target, body, rec.Body)
		}
		if rec.Code != http.StatusOK {
			if typ, _ := out["__type"].(string); typ == "" || rec.Header().Get("x-amzn-query-error") == "" {
				t.Fatalf("%s %q: an error without __type or query code: %d %s", target, body, rec.Code, rec.Body)
			}
		}
	})
}
