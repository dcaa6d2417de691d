package sqsapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/queue"
)

// The handler's own cost per request, in process (no sockets): what the
// load test's server spends besides HTTP and the queue model.

func benchRequest(b *testing.B, h http.Handler, target, body string) {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func batchBody(url string, n int) string {
	var sb strings.Builder
	sb.WriteString(`{"QueueUrl":"` + url + `","Entries":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"Id":"%d","MessageBody":"{\"n\":%d,\"pad\":\"%s\"}","MessageAttributes":{"traceId":{"DataType":"String","StringValue":"1-67a0b1c2-000000000000000000000001"}}}`, i, i, strings.Repeat("x", 230))
	}
	sb.WriteString(`]}`)
	return sb.String()
}

// benchHandler is the handler over a fresh broker, and the URL of its one
// queue.
func benchHandler(b *testing.B) (http.Handler, string) {
	br := queue.New(queue.Options{})
	b.Cleanup(br.Close)
	q, _ := br.CreateQueue("q", nil, nil)
	return NewHandler(br), q.URL()
}

func BenchmarkSendMessageBatch(b *testing.B) {
	h, url := benchHandler(b)
	body := batchBody(url, 10)
	b.ReportAllocs()
	for b.Loop() {
		benchRequest(b, h, "AmazonSQS.SendMessageBatch", body)
	}
	b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "messages/s")
}

func BenchmarkReceiveDelete(b *testing.B) {
	h, url := benchHandler(b)
	send := batchBody(url, 10)
	recv := `{"QueueUrl":"` + url + `","MaxNumberOfMessages":10,"MessageAttributeNames":["All"],"MessageSystemAttributeNames":["ApproximateReceiveCount"]}`
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		benchRequest(b, h, "AmazonSQS.SendMessageBatch", send)
		b.StartTimer()
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(recv))
		req.Header.Set("X-Amz-Target", "AmazonSQS.ReceiveMessage")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out struct {
			Messages []struct{ ReceiptHandle string }
		}
		b.StopTimer()
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Messages) != 10 {
			b.Fatalf("%v %d", err, len(out.Messages))
		}
		var sb strings.Builder
		sb.WriteString(`{"QueueUrl":"` + url + `","Entries":[`)
		for i, m := range out.Messages {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"Id":"%d","ReceiptHandle":%q}`, i, m.ReceiptHandle)
		}
		sb.WriteString(`]}`)
		del := sb.String()
		b.StartTimer()
		benchRequest(b, h, "AmazonSQS.DeleteMessageBatch", del)
	}
	b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "messages/s")
}

// The hand-written answer of a ReceiveMessage of ten messages against
// encoding/json on the same data.
func BenchmarkEncodeReceive(b *testing.B) {
	msgs := make([]queue.Message, 10)
	for i := range msgs {
		msgs[i] = queue.Message{MessageID: "0f2a7c1e-5b7d-4c2a-9a51-1f9e0c3b6d7a", ReceiptHandle: strings.Repeat("AQEB", 40),
			Body: `{"orderId":"ord_1","pad":"` + strings.Repeat("x", 230) + `"}`, Attributes: map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": "1767268800000"},
			MessageAttributes: map[string]queue.MessageAttributeValue{"traceId": {DataType: "String", StringValue: "1-67a0b1c2-000000000000000000000001"}}}
	}
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := newWriter()
			writeMessages(w, msgs)
			_ = w.bytes()
			w.release()
		}
	})
	type attr struct {
		StringValue string `json:",omitempty"`
		BinaryValue []byte `json:",omitempty"`
		DataType    string
	}
	type message struct {
		MessageId, ReceiptHandle, MD5OfBody, Body string
		Attributes                                map[string]string `json:",omitempty"`
		MD5OfMessageAttributes                    string            `json:",omitempty"`
		MessageAttributes                         map[string]attr   `json:",omitempty"`
	}
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := struct{ Messages []message }{}
			for _, m := range msgs {
				ma := map[string]attr{}
				for k, v := range m.MessageAttributes {
					ma[k] = attr{StringValue: v.StringValue, BinaryValue: v.BinaryValue, DataType: v.DataType}
				}
				out.Messages = append(out.Messages, message{m.MessageID, m.ReceiptHandle, m.MD5OfBody(), m.Body, m.Attributes, m.MD5OfMessageAttributes(), ma})
			}
			if _, err := json.Marshal(out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
