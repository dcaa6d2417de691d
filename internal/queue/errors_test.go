package queue

import (
	"errors"
	"strings"
	"testing"
)

func TestCreateQueueValidation(t *testing.T) {
	tests := []struct {
		name  string
		qname string
		attrs map[string]string
		want  *Error
		msg   string // a part of the message, when checked
	}{
		{"defaults", "q", nil, nil, ""},
		{"empty name", "", nil, ErrMissingParameter, "QueueName"},
		{"bad character", "a.b", nil, ErrInvalidParameterValue, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"},
		{"81 characters", strings.Repeat("a", 81), nil, ErrInvalidParameterValue, ""},
		{"80 characters", strings.Repeat("a", 80), nil, nil, ""},
		{"fifo without suffix", "q", map[string]string{"FifoQueue": "true"}, ErrInvalidParameterValue, "must end with .fifo suffix"},
		{"suffix without fifo", "q.fifo", nil, ErrInvalidParameterValue, ""},
		{"fifo 80 with suffix", strings.Repeat("a", 75) + ".fifo", map[string]string{"FifoQueue": "true"}, nil, ""},
		{"fifo 81 with suffix", strings.Repeat("a", 76) + ".fifo", map[string]string{"FifoQueue": "true"}, ErrInvalidParameterValue, ""},
		{"FifoQueue not a boolean", "q", map[string]string{"FifoQueue": "yes"}, ErrInvalidAttributeValue, "Invalid value for the parameter FifoQueue."},
		{"FifoQueue false", "q", map[string]string{"FifoQueue": "false"}, nil, ""},
		{"unknown attribute", "q", map[string]string{"Colour": "blue"}, ErrInvalidAttributeName, "Unknown Attribute Colour."},
		{"read-only attribute", "q", map[string]string{"QueueArn": "x"}, ErrInvalidAttributeName, ""},
		{"FIFO attribute on standard", "q", map[string]string{"ContentBasedDeduplication": "true"}, ErrInvalidAttributeName, "Unknown Attribute ContentBasedDeduplication."},
		{"VisibilityTimeout max", "q", map[string]string{"VisibilityTimeout": "43200"}, nil, ""},
		{"VisibilityTimeout too long", "q", map[string]string{"VisibilityTimeout": "43201"}, ErrInvalidAttributeValue, "Invalid value for the parameter VisibilityTimeout."},
		{"VisibilityTimeout negative", "q", map[string]string{"VisibilityTimeout": "-1"}, ErrInvalidAttributeValue, ""},
		{"VisibilityTimeout not a number", "q", map[string]string{"VisibilityTimeout": "ten"}, ErrInvalidAttributeValue, ""},
		{"retention min", "q", map[string]string{"MessageRetentionPeriod": "60"}, nil, ""},
		{"retention too short", "q", map[string]string{"MessageRetentionPeriod": "59"}, ErrInvalidAttributeValue, ""},
		{"retention max", "q", map[string]string{"MessageRetentionPeriod": "1209600"}, nil, ""},
		{"retention too long", "q", map[string]string{"MessageRetentionPeriod": "1209601"}, ErrInvalidAttributeValue, ""},
		{"delay max", "q", map[string]string{"DelaySeconds": "900"}, nil, ""},
		{"delay too long", "q", map[string]string{"DelaySeconds": "901"}, ErrInvalidAttributeValue, ""},
		{"wait max", "q", map[string]string{"ReceiveMessageWaitTimeSeconds": "20"}, nil, ""},
		{"wait too long", "q", map[string]string{"ReceiveMessageWaitTimeSeconds": "21"}, ErrInvalidAttributeValue, ""},
		{"size min", "q", map[string]string{"MaximumMessageSize": "1024"}, nil, ""},
		{"size too small", "q", map[string]string{"MaximumMessageSize": "1023"}, ErrInvalidAttributeValue, ""},
		{"size max", "q", map[string]string{"MaximumMessageSize": "1048576"}, nil, ""},
		{"size too big", "q", map[string]string{"MaximumMessageSize": "1048577"}, ErrInvalidAttributeValue, ""},
		{"policy not JSON", "q", map[string]string{"Policy": "{"}, ErrInvalidAttributeValue, ""},
		{"policy", "q", map[string]string{"Policy": `{"Version":"2012-10-17"}`}, nil, ""},
		{"kms and sse", "q", map[string]string{"KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "true"}, ErrInvalidAttributeName, "one type of server-side encryption"},
		{"kms", "q", map[string]string{"KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": "600"}, nil, ""},
		{"kms reuse too short", "q", map[string]string{"KmsMasterKeyId": "k", "KmsDataKeyReusePeriodSeconds": "59"}, ErrInvalidAttributeValue, ""},
		{"redrive not JSON", "q", map[string]string{"RedrivePolicy": "nope"}, ErrInvalidParameterValue, "for parameter RedrivePolicy is invalid"},
		{"redrive bad arn", "q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}`}, ErrInvalidParameterValue,
			`Value {"deadLetterTargetArn": "dummy", "maxReceiveCount": 42} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.`},
		{"redrive count 0", "q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":0}`}, ErrInvalidParameterValue, "maxReceiveCount"},
		{"redrive count 1001", "q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1001}`}, ErrInvalidParameterValue, "from 1 to 1000"},
		{"redrive count 1000", "q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1000}`}, nil, ""},
		{"redrive missing count", "q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"}`}, ErrInvalidParameterValue, ""},
		{"redrive extra key", "q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1,"x":1}`}, ErrInvalidParameterValue, ""},
		{"redrive to a missing queue", "q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":1}`}, ErrInvalidParameterValue, "does not exist"},
		{"redrive standard to FIFO", "q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq.fifo","maxReceiveCount":1}`}, ErrInvalidParameterValue, "same type"},
		{"redrive denied", "q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:closed","maxReceiveCount":1}`}, ErrInvalidParameterValue, "does not allow"},
		{"redrive allowed by queue", "q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:byqueue","maxReceiveCount":1}`}, nil, ""},
		{"redrive not allowed by queue", "other", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:byqueue","maxReceiveCount":1}`}, ErrInvalidParameterValue, "does not allow"},
		{"allow policy bad permission", "q", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"some"}`}, ErrInvalidParameterValue, "RedriveAllowPolicy"},
		{"allow policy byQueue without arns", "q", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue"}`}, ErrInvalidParameterValue, ""},
		{"allow policy 11 arns", "q", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":[` + strings.Repeat(`"arn:aws:sqs:us-east-1:000000000000:a",`, 10) + `"arn:aws:sqs:us-east-1:000000000000:a"]}`}, ErrInvalidParameterValue, ""},
		{"fifo attributes", "x.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"}, nil, ""},
		{"bad dedup scope", "x.fifo", map[string]string{"FifoQueue": "true", "DeduplicationScope": "group"}, ErrInvalidAttributeValue, ""},
		{"bad throughput limit", "x.fifo", map[string]string{"FifoQueue": "true", "FifoThroughputLimit": "fast"}, ErrInvalidAttributeValue, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := newVirtualBroker()
			mustCreate(t, b, "dlq", nil)
			mustCreate(t, b, "dlq.fifo", map[string]string{"FifoQueue": "true"})
			mustCreate(t, b, "closed", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})
			mustCreate(t, b, "byqueue", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:000000000000:q"]}`})
			_, err := b.CreateQueue(tt.qname, tt.attrs, nil)
			checkErr(t, err, tt.want, tt.msg)
		})
	}
}

func checkErr(t *testing.T, err error, want *Error, msg string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, want) {
		t.Fatalf("got %v, want %s", err, want.Type)
	}
	if e.Code != want.Code || e.Status != want.Status || e.Type != want.Type {
		t.Fatalf("error %+v does not carry the codes of %+v", e, want)
	}
	if !strings.Contains(e.Message, msg) {
		t.Fatalf("message %q does not contain %q", e.Message, msg)
	}
}

func TestSetQueueAttributesValidation(t *testing.T) {
	b, _ := newVirtualBroker()
	q := mustCreate(t, b, "q", nil)
	f := mustCreate(t, b, "f.fifo", map[string]string{"FifoQueue": "true"})
	checkErr(t, q.SetAttributes(map[string]string{"FifoQueue": "true"}), ErrInvalidAttributeName, "Unknown Attribute FifoQueue.")
	checkErr(t, f.SetAttributes(map[string]string{"FifoQueue": "false"}), ErrInvalidAttributeValue, "Modifying queue type is not supported.")
	checkErr(t, q.SetAttributes(map[string]string{"VisibilityTimeout": "99999"}), ErrInvalidAttributeValue, "")
	checkErr(t, f.SetAttributes(map[string]string{"ContentBasedDeduplication": "true"}), nil, "")
	_, err := q.Attributes("ContentBasedDeduplication")
	checkErr(t, err, ErrInvalidAttributeName, "Unknown Attribute ContentBasedDeduplication.")
	_, err = q.Attributes("Nope")
	checkErr(t, err, ErrInvalidAttributeName, "")
}

func TestSendValidation(t *testing.T) {
	huge := strings.Repeat("x", 1024)
	tests := []struct {
		name string
		fifo bool
		in   SendInput
		want *Error
		msg  string
	}{
		{"ok", false, SendInput{Body: "x"}, nil, ""},
		{"empty body", false, SendInput{}, ErrMissingParameter, "The request must contain the parameter MessageBody."},
		{"control character", false, SendInput{Body: "a\x01b"}, ErrInvalidMessageContents, "Invalid characters found"},
		{"tab newline return", false, SendInput{Body: "a\tb\nc\rd"}, nil, ""},
		{"invalid UTF-8", false, SendInput{Body: "a\xffb"}, ErrInvalidMessageContents, ""},
		{"U+FFFE", false, SendInput{Body: "\uFFFE"}, ErrInvalidMessageContents, ""},
		{"emoji", false, SendInput{Body: "🍕"}, nil, ""},
		{"at the size limit", false, SendInput{Body: huge}, nil, ""},
		{"over the size limit", false, SendInput{Body: huge + "x"}, ErrInvalidParameterValue, "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."},
		{"attributes count toward size", false, SendInput{Body: huge[:1000], MessageAttributes: map[string]MessageAttributeValue{"name": str(strings.Repeat("v", 20))}}, ErrInvalidParameterValue, "shorter than"},
		{"delay 900", false, SendInput{Body: "x", DelaySeconds: ptr(900)}, nil, ""},
		{"delay 901", false, SendInput{Body: "x", DelaySeconds: ptr(901)}, ErrInvalidParameterValue, "DelaySeconds"},
		{"dedup on standard", false, SendInput{Body: "x", MessageDeduplicationID: "d"}, ErrInvalidParameterValue, "not valid for this queue type"},
		{"group on standard (fair queue)", false, SendInput{Body: "x", MessageGroupID: "tenant-1"}, nil, ""},
		{"11 attributes", false, SendInput{Body: "x", MessageAttributes: attrsN(11)}, ErrInvalidParameterValue, "Number of message attributes [11] exceeds the allowed maximum [10]."},
		{"10 attributes", false, SendInput{Body: "x", MessageAttributes: attrsN(10)}, nil, ""},
		{"attribute name AWS.", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"aws.x": str("v")}}, ErrInvalidParameterValue, "attribute name"},
		{"attribute name ..", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"a..b": str("v")}}, ErrInvalidParameterValue, "attribute name"},
		{"attribute name trailing .", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"a.": str("v")}}, ErrInvalidParameterValue, "attribute name"},
		{"attribute name space", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"a b": str("v")}}, ErrInvalidParameterValue, "attribute name"},
		{"attribute empty string", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"ErrorDetails": str("")}}, ErrInvalidParameterValue,
			"Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'."},
		{"attribute bad type", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"a": {DataType: "Text", StringValue: "v"}}}, ErrInvalidParameterValue, "supported type prefixes"},
		{"attribute custom type", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"a": {DataType: "String.json", StringValue: "{}"}}}, nil, ""},
		{"attribute number", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"a": {DataType: "Number", StringValue: "-12.5e3"}}}, nil, ""},
		{"attribute not a number", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"a": {DataType: "Number", StringValue: "12x"}}}, ErrInvalidParameterValue, ""},
		{"attribute 39 digits", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"a": {DataType: "Number.int", StringValue: strings.Repeat("9", 39)}}}, ErrInvalidParameterValue, ""},
		{"attribute binary", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"a": {DataType: "Binary.png", BinaryValue: []byte{0, 1}}}}, nil, ""},
		{"attribute empty binary", false, SendInput{Body: "x", MessageAttributes: map[string]MessageAttributeValue{"a": {DataType: "Binary"}}}, ErrInvalidParameterValue, "non-empty value of type 'Binary'"},
		{"system attribute", false, SendInput{Body: "x", MessageSystemAttributes: map[string]MessageAttributeValue{"AWSTraceHeader": str("Root=1")}}, nil, ""},
		{"unknown system attribute", false, SendInput{Body: "x", MessageSystemAttributes: map[string]MessageAttributeValue{"Other": str("v")}}, ErrInvalidParameterValue, "system attribute name"},
		{"fifo ok", true, SendInput{Body: "x", MessageGroupID: "g", MessageDeduplicationID: "d"}, nil, ""},
		{"fifo without group", true, SendInput{Body: "x", MessageDeduplicationID: "d"}, ErrMissingParameter, "The request must contain the parameter MessageGroupId."},
		{"fifo without dedup", true, SendInput{Body: "x", MessageGroupID: "g"}, ErrInvalidParameterValue,
			"The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"},
		{"fifo delay", true, SendInput{Body: "x", MessageGroupID: "g", MessageDeduplicationID: "d", DelaySeconds: ptr(2)}, ErrInvalidParameterValue,
			"Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."},
		{"fifo delay 0", true, SendInput{Body: "x", MessageGroupID: "g", MessageDeduplicationID: "d", DelaySeconds: ptr(0)}, nil, ""},
		{"fifo group too long", true, SendInput{Body: "x", MessageGroupID: strings.Repeat("g", 129), MessageDeduplicationID: "d"}, ErrInvalidParameterValue, "MessageGroupId"},
		{"fifo group with space", true, SendInput{Body: "x", MessageGroupID: "a b", MessageDeduplicationID: "d"}, ErrInvalidParameterValue, "MessageGroupId"},
		{"fifo punctuation", true, SendInput{Body: "x", MessageGroupID: "cus_1!#$%", MessageDeduplicationID: "ord:1/2"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := newVirtualBroker()
			attrs := map[string]string{"MaximumMessageSize": "1024"}
			name := "q"
			if tt.fifo {
				attrs["FifoQueue"], name = "true", "q.fifo"
			}
			q := mustCreate(t, b, name, attrs)
			_, err := q.Send(tt.in)
			checkErr(t, err, tt.want, tt.msg)
		})
	}
}

func attrsN(n int) map[string]MessageAttributeValue {
	m := map[string]MessageAttributeValue{}
	for i := range n {
		m["a"+string(rune('a'+i))] = str("v")
	}
	return m
}

func TestReceiveValidation(t *testing.T) {
	b, _ := newVirtualBroker()
	q := mustCreate(t, b, "q", nil)
	for _, tt := range []struct {
		in   ReceiveInput
		want *Error
		msg  string
	}{
		{ReceiveInput{MaxNumberOfMessages: 10}, nil, ""},
		{ReceiveInput{MaxNumberOfMessages: 11}, ErrInvalidParameterValue, "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."},
		{ReceiveInput{MaxNumberOfMessages: -1}, ErrInvalidParameterValue, ""},
		{ReceiveInput{VisibilityTimeout: ptr(43201)}, ErrInvalidParameterValue, "VisibilityTimeout"},
		{ReceiveInput{VisibilityTimeout: ptr(-1)}, ErrInvalidParameterValue, "VisibilityTimeout"},
		{ReceiveInput{WaitTimeSeconds: ptr(21)}, ErrInvalidParameterValue, "WaitTimeSeconds"},
		{ReceiveInput{WaitTimeSeconds: ptr(20)}, nil, ""},
	} {
		_, err := q.Receive(tt.in)
		checkErr(t, err, tt.want, tt.msg)
	}
}

func TestBatchRequestErrors(t *testing.T) {
	b, _ := newVirtualBroker()
	q := mustCreate(t, b, "q", nil)
	entries := func(ids ...string) []SendBatchEntry {
		var e []SendBatchEntry
		for _, id := range ids {
			e = append(e, SendBatchEntry{ID: id, SendInput: SendInput{Body: "x"}})
		}
		return e
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = string(rune('a' + i))
	}
	for _, tt := range []struct {
		name string
		e    []SendBatchEntry
		want *Error
		msg  string
	}{
		{"empty", nil, ErrEmptyBatchRequest, ""},
		{"eleven", entries(eleven...), ErrTooManyEntriesInBatch, "Maximum number of entries per request are 10. You have sent 11."},
		{"ten", entries(eleven[:10]...), nil, ""},
		{"bad id", entries("invalid:id"), ErrInvalidBatchEntryID, "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."},
		{"empty id", entries(""), ErrInvalidBatchEntryID, ""},
		{"81-character id", entries(strings.Repeat("i", 81)), ErrInvalidBatchEntryID, ""},
		{"repeated id", entries("a", "b", "a"), ErrBatchEntryIdsNotDistinct, ""},
		{"too long in total", []SendBatchEntry{
			{ID: "a", SendInput: SendInput{Body: strings.Repeat("x", 600_000)}},
			{ID: "b", SendInput: SendInput{Body: strings.Repeat("x", 600_000)}},
		}, ErrBatchRequestTooLong, "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := q.SendBatch(tt.e)
			checkErr(t, err, tt.want, tt.msg)
		})
	}
	_, err := q.DeleteBatch(nil)
	checkErr(t, err, ErrEmptyBatchRequest, "DeleteMessageBatchRequestEntry")
	_, err = q.ChangeVisibilityBatch([]VisibilityBatchEntry{{ID: "a"}, {ID: "a"}})
	checkErr(t, err, ErrBatchEntryIdsNotDistinct, "")
}

func TestErrorsCarryAWSCodes(t *testing.T) {
	// The JSON type and query code of each error, as the SQS service model
	// and recorded AWS responses give them.
	for _, tt := range []struct {
		err        *Error
		typ, code  string
		httpStatus int
	}{
		{ErrQueueDoesNotExist, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400},
		{ErrQueueAlreadyExists, "QueueNameExists", "QueueAlreadyExists", 400},
		{ErrPurgeQueueInProgress, "PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403},
		{ErrReceiptHandleIsInvalid, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404},
		{ErrResourceNotFoundException, "ResourceNotFoundException", "ResourceNotFoundException", 404},
		{ErrInvalidParameterValue, "InvalidParameterValueException", "InvalidParameterValue", 400},
		{ErrMissingParameter, "MissingRequiredParameterException", "MissingParameter", 400},
		{ErrBatchRequestTooLong, "BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400},
	} {
		if tt.err.Type != tt.typ || tt.err.Code != tt.code || tt.err.Status != tt.httpStatus {
			t.Errorf("%+v", tt.err)
		}
	}
	err := errQueueGone()
	if !errors.Is(err, ErrQueueDoesNotExist) || errors.Is(err, ErrQueueAlreadyExists) || err.Error() != "AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist." {
		t.Fatal(err)
	}
}
