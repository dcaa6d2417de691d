package sqsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/local/sqsapi"
	"github.com/yafdp/yafdp/internal/local/sqsapi/sqstest"
	"github.com/yafdp/yafdp/internal/queue"
)

// post sends one raw request and returns the status, the headers and the
// decoded JSON body.
func post(t *testing.T, url, target, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: the answer is not a JSON object: %q", target, body, raw)
	}
	return resp.StatusCode, resp.Header, out
}

// The protocol layer's own answers: each an AWS-shaped error with the JSON
// type, the query code header and a message that says what is wrong.
func TestProtocolErrors(t *testing.T) {
	s := sqstest.Start(t)
	url := s.CreateQueue("q", nil)
	cases := []struct {
		name, target, body string
		status             int
		typ, query, msg    string
	}{
		{"malformed JSON", "AmazonSQS.SendMessage", `{"QueueUrl":`, 400,
			"com.amazon.coral.service#SerializationException", "SerializationException;Sender", "not valid JSON"},
		{"wrong type", "AmazonSQS.ReceiveMessage", `{"QueueUrl":"` + url + `","MaxNumberOfMessages":"10"}`, 400,
			"com.amazon.coral.service#SerializationException", "SerializationException;Sender", "STRING_VALUE can not be converted to an Integer (member MaxNumberOfMessages)"},
		{"not an object", "AmazonSQS.ListQueues", `[1,2]`, 400,
			"com.amazon.coral.service#SerializationException", "SerializationException;Sender", "Start of list found where an object was expected"},
		{"missing QueueUrl", "AmazonSQS.SendMessage", `{"MessageBody":"x"}`, 400,
			"com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender", "The request must contain the parameter QueueUrl."},
		{"missing MessageBody", "AmazonSQS.SendMessage", `{"QueueUrl":"` + url + `"}`, 400,
			"com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender", "The request must contain the parameter MessageBody."},
		{"missing QueueName", "AmazonSQS.CreateQueue", `{}`, 400,
			"com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender", "QueueName"},
		{"missing VisibilityTimeout", "AmazonSQS.ChangeMessageVisibility", `{"QueueUrl":"` + url + `","ReceiptHandle":"x"}`, 400,
			"com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender", "VisibilityTimeout"},
		{"missing Entries", "AmazonSQS.DeleteMessageBatch", `{"QueueUrl":"` + url + `"}`, 400,
			"com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender", "Entries"},
		{"unknown operation", "AmazonSQS.FrobnicateQueue", `{}`, 400,
			"com.amazonaws.sqs#InvalidAction", "InvalidAction;Sender", "The action FrobnicateQueue is not valid for this endpoint."},
		{"operation not served", "AmazonSQS.AddPermission", `{}`, 400,
			"com.amazonaws.sqs#UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation;Sender", "AddPermission is not supported"},
		{"another service", "DynamoDB_20120810.ListTables", `{}`, 400,
			"com.amazon.coral.service#UnknownOperationException", "UnknownOperationException;Sender", "AmazonSQS.<Operation>"},
		{"no target", "", `{}`, 400,
			"com.amazon.coral.service#UnknownOperationException", "UnknownOperationException;Sender", "AWSStepFunctions.<Operation>"},
		{"zero messages", "AmazonSQS.ReceiveMessage", `{"QueueUrl":"` + url + `","MaxNumberOfMessages":0}`, 400,
			"com.amazonaws.sqs#InvalidParameterValueException", "InvalidParameterValue;Sender", "Value 0 for parameter MaxNumberOfMessages is invalid."},
		{"move rate 0", "AmazonSQS.StartMessageMoveTask", `{"SourceArn":"arn:aws:sqs:us-east-1:000000000000:q","MaxNumberOfMessagesPerSecond":0}`, 400,
			"com.amazonaws.sqs#InvalidParameterValueException", "InvalidParameterValue;Sender", "Must be between 1 and 500."},
		{"other account", "AmazonSQS.SendMessage", `{"QueueUrl":"http://127.0.0.1:1/111111111111/q","MessageBody":"x"}`, 400,
			"com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue;Sender", "The specified queue does not exist."},
		{"bad receipt handle", "AmazonSQS.DeleteMessage", `{"QueueUrl":"` + url + `","ReceiptHandle":"nope"}`, 404,
			"com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid;Sender", "not a valid receipt handle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, hd, out := post(t, s.URL, tc.target, tc.body)
			if status != tc.status || out["__type"] != tc.typ || hd.Get("x-amzn-query-error") != tc.query {
				t.Fatalf("got %d %v %q, want %d %s %s", status, out["__type"], hd.Get("x-amzn-query-error"), tc.status, tc.typ, tc.query)
			}
			if msg, _ := out["message"].(string); !strings.Contains(msg, tc.msg) {
				t.Fatalf("message %q, want it to say %q", msg, tc.msg)
			}
			if hd.Get("Content-Type") != "application/x-amz-json-1.0" || hd.Get("x-amzn-RequestId") == "" {
				t.Fatalf("headers %v", hd)
			}
		})
	}
}

// An SQS query-protocol request (an old SDK) gets an XML error it can show.
func TestQueryProtocolIsRefusedInItsOwnFormat(t *testing.T) {
	s := sqstest.Start(t)
	resp, err := http.Post(s.URL, "application/x-www-form-urlencoded", strings.NewReader("Action=ListQueues&Version=2012-11-05"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>InvalidAction</Code>") || !strings.Contains(string(body), "JSON 1.0 protocol") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

// The SDK gets its typed errors, the query code, and the fault.
func TestSDKTypedErrors(t *testing.T) {
	s := sqstest.Start(t)
	c := awstest.SQS(s.URL, nil)
	ctx := context.Background()
	_, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	var qdne *types.QueueDoesNotExist
	if !errors.As(err, &qdne) || qdne.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" || qdne.ErrorFault() != smithy.FaultClient {
		t.Fatalf("%v", err)
	}
	url := s.CreateQueue("q", nil)
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("bogus")})
	var rhi *types.ReceiptHandleIsInvalid
	if !errors.As(err, &rhi) {
		t.Fatalf("%v", err)
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{}})
	var ebr *types.EmptyBatchRequest
	if !errors.As(err, &ebr) {
		t.Fatalf("%v", err)
	}
}

// A queue URL is resolved by its path: the host may be any (SDKs and
// proxies rewrite it), and the handler answers with the broker's URLs.
func TestQueueURLWithAnyHost(t *testing.T) {
	s := sqstest.Start(t)
	s.CreateQueue("orders", nil)
	c := awstest.SQS(s.URL, nil)
	ctx := context.Background()
	for _, u := range []string{
		"http://localhost:4566/000000000000/orders",
		"https://sqs.us-east-1.amazonaws.com/000000000000/orders",
		"/000000000000/orders",
	} {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x")}); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
	}
	if n := s.Count("orders"); n != 3 {
		t.Fatalf("%d messages", n)
	}
	out, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	if err != nil || aws.ToString(out.QueueUrl) != s.URL+"/000000000000/orders" {
		t.Fatalf("%v %v", err, out)
	}
}

// A long poll returns as soon as a message arrives, and ends when the
// client goes away: its handler returns long before the wait is over, and
// takes nothing sent afterwards.
func TestLongPolling(t *testing.T) {
	returned := make(chan time.Time, 16)
	url := sqstest.Serve(t, func(_ *queue.Broker, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r)
			if r.Header.Get("X-Amz-Target") == "AmazonSQS.ReceiveMessage" {
				returned <- time.Now()
			}
		})
	})
	c := awstest.SQS(url, nil)
	ctx := context.Background()
	cq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		t.Fatal(err)
	}
	qurl := cq.QueueUrl
	go func() {
		time.Sleep(200 * time.Millisecond)
		_, _ = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: qurl, MessageBody: aws.String("late")})
	}()
	start := time.Now()
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: qurl, WaitTimeSeconds: 10})
	if err != nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "late" {
		t.Fatalf("%v %+v", err, out)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the long poll took %v", d)
	}
	<-returned
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: qurl, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}

	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = c.ReceiveMessage(short, &sqs.ReceiveMessageInput{QueueUrl: qurl, WaitTimeSeconds: 20})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	select {
	case at := <-returned:
		if d := at.Sub(start); d > 10*time.Second {
			t.Fatalf("the abandoned poll ended after %v", d)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the abandoned long poll is still waiting")
	}
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: qurl, MessageBody: aws.String("after")}); err != nil {
		t.Fatal(err)
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: qurl, AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessages"] != "1" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("after the abandoned poll: %v %v", err, attrs)
	}
}

// The queue's ReceiveMessageWaitTimeSeconds applies when the request does
// not say, and a poll that finds nothing answers an empty object.
func TestQueueWaitTimeDefault(t *testing.T) {
	s := sqstest.Start(t)
	url := s.CreateQueue("q", map[string]string{"ReceiveMessageWaitTimeSeconds": "1"})
	start := time.Now()
	status, _, out := post(t, s.URL, "AmazonSQS.ReceiveMessage", `{"QueueUrl":"`+url+`"}`)
	if status != 200 || len(out) != 0 {
		t.Fatalf("%d %v", status, out)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Fatalf("returned after %v, before the queue's wait time", d)
	}
}

// Responses carry exactly the members of the API reference, with binary
// values in base64.
func TestResponseShapes(t *testing.T) {
	s := sqstest.Start(t)
	url := s.CreateQueue("q", nil)
	s.CreateQueue("dlq", nil)
	_, _, out := post(t, s.URL, "AmazonSQS.SendMessage", `{"QueueUrl":"`+url+`","MessageBody":"hi","MessageAttributes":{"b":{"DataType":"Binary","BinaryValue":"AAH/"},"s":{"DataType":"String","StringValue":"v"}}}`)
	for _, k := range []string{"MessageId", "MD5OfMessageBody", "MD5OfMessageAttributes"} {
		if _, ok := out[k]; !ok {
			t.Fatalf("SendMessage answer %v lacks %s", out, k)
		}
	}
	if len(out) != 3 {
		t.Fatalf("SendMessage answer %v", out)
	}
	_, _, out = post(t, s.URL, "AmazonSQS.ReceiveMessage", `{"QueueUrl":"`+url+`","MessageAttributeNames":["All"],"AttributeNames":["ApproximateReceiveCount"]}`)
	msgs := out["Messages"].([]any)
	m := msgs[0].(map[string]any)
	if m["Body"] != "hi" || m["MD5OfBody"] != queue.BodyMD5("hi") || m["Attributes"].(map[string]any)["ApproximateReceiveCount"] != "1" {
		t.Fatalf("%v", m)
	}
	if b := m["MessageAttributes"].(map[string]any)["b"].(map[string]any); b["BinaryValue"] != "AAH/" || b["DataType"] != "Binary" || len(b) != 2 {
		t.Fatalf("binary attribute %v", b)
	}
	_, _, out = post(t, s.URL, "AmazonSQS.ListDeadLetterSourceQueues", `{"QueueUrl":"`+s.URL+`/000000000000/dlq"}`)
	if urls, ok := out["queueUrls"].([]any); !ok || len(urls) != 0 {
		t.Fatalf("ListDeadLetterSourceQueues %v: queueUrls is required", out)
	}
	_, _, out = post(t, s.URL, "AmazonSQS.DeleteMessageBatch", `{"QueueUrl":"`+url+`","Entries":[{"Id":"a","ReceiptHandle":"x"}]}`)
	if _, ok := out["Successful"].([]any); !ok {
		t.Fatalf("DeleteMessageBatch %v: Successful is required", out)
	}
	_, _, out = post(t, s.URL, "AmazonSQS.ListQueues", `{"QueueNamePrefix":"zzz"}`)
	if len(out) != 0 {
		t.Fatalf("ListQueues with no match: %v", out)
	}
}

// Every operation the issue names is served.
func TestOperations(t *testing.T) {
	want := []string{"CancelMessageMoveTask", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "CreateQueue",
		"DeleteMessage", "DeleteMessageBatch", "DeleteQueue", "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues",
		"ListMessageMoveTasks", "ListQueueTags", "ListQueues", "PurgeQueue", "ReceiveMessage", "SendMessage", "SendMessageBatch",
		"SetQueueAttributes", "StartMessageMoveTask", "TagQueue", "UntagQueue"}
	if got := sqsapi.Operations(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("%v", got)
	}
}

// Message move tasks over the SDK: a DLQ moved back to its source.
func TestMessageMoveTask(t *testing.T) {
	s := sqstest.Start(t)
	dlqURL := s.CreateQueue("dlq", nil)
	srcURL := s.CreateQueue("src", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1}`})
	c := awstest.SQS(s.URL, nil)
	ctx := context.Background()
	for range 5 {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(dlqURL), MessageBody: aws.String("dead")}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq"), DestinationArn: aws.String("arn:aws:sqs:us-east-1:000000000000:src"), MaxNumberOfMessagesPerSecond: aws.Int32(100)})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		lt, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq"), MaxResults: aws.Int32(10)})
		if err != nil {
			t.Fatal(err)
		}
		r := lt.Results[0]
		if aws.ToString(r.Status) == "COMPLETED" {
			if r.ApproximateNumberOfMessagesMoved != 5 || aws.ToInt64(r.ApproximateNumberOfMessagesToMove) != 5 || aws.ToInt32(r.MaxNumberOfMessagesPerSecond) != 100 ||
				aws.ToString(r.DestinationArn) != "arn:aws:sqs:us-east-1:000000000000:src" || r.TaskHandle != nil || r.StartedTimestamp == 0 {
				t.Fatalf("%+v", r)
			}
			break
		}
		if aws.ToString(r.TaskHandle) != aws.ToString(st.TaskHandle) || time.Now().After(deadline) {
			t.Fatalf("%+v", r)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s.Count("src") != 5 || s.Count("dlq") != 0 {
		t.Fatalf("src %d dlq %d", s.Count("src"), s.Count("dlq"))
	}
	_, err = c.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: st.TaskHandle})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("cancelling a finished task: %v", err)
	}
	_ = srcURL
}

// A body larger than any valid request is refused without reading it all.
func TestRequestTooLarge(t *testing.T) {
	h := sqsapi.NewHandler(queue.New(queue.Options{}))
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat(" ", 9<<20)))
	req.Header.Set("X-Amz-Target", "AmazonSQS.ListQueues")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "RequestEntityTooLarge") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
