package queue

import "testing"

func str(v string) MessageAttributeValue {
	return MessageAttributeValue{DataType: "String", StringValue: v}
}

// The digests below come from three kinds of source. "aws" ones were
// recorded from real SQS responses (LocalStack's snapshot tests of
// ReceiveMessage and SendMessage, recorded against AWS); "sdk" ones are
// the sample vectors SQS clients test their checksum validation with.
func TestAttributesMD5(t *testing.T) {
	tests := []struct {
		source string
		attrs  map[string]MessageAttributeValue
		want   string
	}{
		{"aws", map[string]MessageAttributeValue{"Foo": str("Bar")}, "ae7155c6026991b6d54b11589678bf9c"},
		{"aws", map[string]MessageAttributeValue{"General": str("Kenobi"), "Hello": str("There"), "Help.Me": str("Me")}, "4c360f3fdafd970e05fae2f149d997f5"},
		{"aws", map[string]MessageAttributeValue{"General": str("Kenobi"), "Hello": str("There")}, "fca026605781cb4126a1e9044df24232"},
		{"aws", map[string]MessageAttributeValue{"Hello": str("There")}, "a311262e065454b75da111d535b8dacd"},
		{"aws", map[string]MessageAttributeValue{"Hello": str("There"), "Help.Me": str("Me")}, "83fee93c1bcd8b9a5a923ffacdc636c7"},
		{"sdk (AWS sample)", map[string]MessageAttributeValue{
			"test_attribute_name_2": str("test_attribute_value_2"),
			"test_attribute_name_1": str("test_attribute_value_1"),
		}, "d53f3b558fe951154770f25cb63dbba9"},
		{"sdk (AWS sample)", map[string]MessageAttributeValue{
			"test_attribute_name": {DataType: "Binary", BinaryValue: []byte("test_attribute_value")},
		}, "23f6bd27ea87aab7dfeadcc9aebee495"},
		{"sdk", map[string]MessageAttributeValue{"attribName1": str("attribValue 1")}, "19e27d4e946b072f3f58da80d94fd778"},
		{"sdk", map[string]MessageAttributeValue{
			"customNumberTypeAttrib": {DataType: "Number.float", StringValue: "4563442423554324324264524243.32543234"},
		}, "9fe1b90bbd9965bdf77bac517c7d2495"},
		{"sdk", map[string]MessageAttributeValue{
			"binaryAttribute": {DataType: "Binary", BinaryValue: []byte("Hello binary world!")},
		}, "31a92b15d92f8db860eda32aceb656c3"},
		{"sdk", map[string]MessageAttributeValue{
			"attribName1":            str("attribValue 1"),
			"customNumberTypeAttrib": {DataType: "Number.float", StringValue: "4563442423554324324264524243.32543234"},
			"binaryAttribute":        {DataType: "Binary", BinaryValue: []byte("Hello binary world!")},
		}, "c932db14a896c663f83c260297d594ff"},
		{"sdk", map[string]MessageAttributeValue{
			"ordinal":  {DataType: "Number", StringValue: "1"},
			"category": str("test"),
		}, "d21ae90c49061e927f57df5f5d72be1f"},
		{"sdk", map[string]MessageAttributeValue{"SellerName": str("Example Store")}, "cd28f3b68aeee4b2eac9c66f2f694b58"},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		if got := AttributesMD5(tt.attrs); got != tt.want {
			t.Errorf("%s %v: got %s, want %s", tt.source, tt.attrs, got, tt.want)
		}
	}
}

func TestBodyMD5(t *testing.T) {
	for body, want := range map[string]string{
		"test": "098f6bcd4621d373cade4e832627b4f6", // aws-sdk-go-v2's checksum test
		"msg":  "6e2baaf3b97dbeef01c0043275f9a0e7", // recorded from SQS
		"a":    "0cc175b9c0f1b6a831c399e269772661",
	} {
		if got := BodyMD5(body); got != want {
			t.Errorf("BodyMD5(%q) = %s, want %s", body, got, want)
		}
	}
}

// The digests a send returns are of what was sent; a receive's are of
// what it returns (the attributes asked for).
func TestDigestsOnSendAndReceive(t *testing.T) {
	b, _ := newVirtualBroker()
	q := mustCreate(t, b, "digests", nil)
	out, err := q.Send(SendInput{Body: "msg", MessageAttributes: map[string]MessageAttributeValue{
		"General": str("Kenobi"), "Hello": str("There"), "Help.Me": str("Me"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.MD5OfMessageBody() != "6e2baaf3b97dbeef01c0043275f9a0e7" || out.MD5OfMessageAttributes() != "4c360f3fdafd970e05fae2f149d997f5" {
		t.Fatalf("send digests %s %s", out.MD5OfMessageBody(), out.MD5OfMessageAttributes())
	}
	ms, _ := q.Receive(ReceiveInput{MessageAttributeNames: []string{"He.*"}, VisibilityTimeout: ptr(0)})
	if len(ms) != 1 || ms[0].MD5OfMessageAttributes() != "83fee93c1bcd8b9a5a923ffacdc636c7" || ms[0].MD5OfBody() != out.MD5OfMessageBody() {
		t.Fatalf("receive digests: %+v", ms)
	}
	ms, _ = q.Receive(ReceiveInput{MessageAttributeNames: []string{"Hello", "Nope"}})
	if ms[0].MD5OfMessageAttributes() != "a311262e065454b75da111d535b8dacd" {
		t.Fatalf("filtered digest %s", ms[0].MD5OfMessageAttributes())
	}
	tr, err := q.Send(SendInput{Body: "x", MessageSystemAttributes: map[string]MessageAttributeValue{"AWSTraceHeader": str("Root=1-5759e988-bd862e3fe1be46a994272793")}})
	if err != nil || tr.MD5OfMessageSystemAttributes() == "" || tr.MD5OfMessageAttributes() != "" {
		t.Fatalf("system attribute digest: %v %q", err, tr.MD5OfMessageSystemAttributes())
	}
}

func TestValidBody(t *testing.T) {
	// Every byte value at every position of a 17-byte ASCII body, so that
	// the eight-at-a-time path and the byte path agree.
	for pos := range 17 {
		for c := range 256 {
			b := []byte("abcdefghijklmnopq")
			b[pos] = byte(c)
			want := c >= 0x20 && c < 0x80 || c == '\t' || c == '\n' || c == '\r'
			if got := validBody(string(b)); got != want {
				t.Fatalf("byte %#x at %d: %v, want %v", c, pos, got, want)
			}
		}
	}
	for s, want := range map[string]bool{"héllo wörld, ça va?": true, "\U0010FFFF": true, "\uFFFD": true, "\uFFFF": false, "\xed\xa0\x80": false} {
		if validBody(s) != want {
			t.Errorf("%q: want %v", s, want)
		}
	}
}
