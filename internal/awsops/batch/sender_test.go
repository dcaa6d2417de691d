package batch

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/rate"
)

// stubSQS answers SendMessageBatch with answer; the other calls are not
// used by a Sender.
type stubSQS struct {
	awsops.SQSAPI
	mu     sync.Mutex
	calls  int
	answer func(call int, in *sqs.SendMessageBatchInput) (*sqs.SendMessageBatchOutput, error)
}

func (s *stubSQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	s.mu.Lock()
	s.calls++
	n := s.calls
	s.mu.Unlock()
	return s.answer(n, in)
}

func messages(n int) []Message {
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = Message{Body: strings.Repeat("x", 10)}
	}
	return msgs
}

// accept answers every entry as sent, except those fail says.
func accept(in *sqs.SendMessageBatchInput, fail func(id string) *types.BatchResultErrorEntry) *sqs.SendMessageBatchOutput {
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		if f := fail(aws.ToString(e.Id)); f != nil {
			out.Failed = append(out.Failed, *f)
			continue
		}
		out.Successful = append(out.Successful, types.SendMessageBatchResultEntry{Id: e.Id, MessageId: aws.String("sqs-" + aws.ToString(e.Id))})
	}
	return out
}

// Entries that fail inside a 200, come back without a MessageId or do not
// come back at all are sent again; the sender's fault is final. Every
// message ends with one outcome, and OnDone hears of each once.
func TestSendRetriesWhatMaySucceed(t *testing.T) {
	c := &stubSQS{answer: func(call int, in *sqs.SendMessageBatchInput) (*sqs.SendMessageBatchOutput, error) {
		out := accept(in, func(id string) *types.BatchResultErrorEntry {
			switch {
			case id == "m3":
				return &types.BatchResultErrorEntry{Id: aws.String(id), Code: aws.String("InvalidMessageContents"), SenderFault: true}
			case id == "m1" && call == 1:
				return &types.BatchResultErrorEntry{Id: aws.String(id), Code: aws.String("ThrottlingException"), SenderFault: true}
			}
			return nil
		})
		if call == 1 {
			out.Successful = out.Successful[:len(out.Successful)-1] // the last entry is left out
			out.Successful[0].MessageId = nil                       // the first comes back without an id
		}
		return out, nil
	}}
	done := map[int]int{}
	res := Sender{Client: c, QueueURL: "q", Sleep: func(ctx context.Context, _ time.Duration) error { return nil },
		OnDone: func(idx []int, _ []Outcome) {
			for _, i := range idx {
				done[i]++
			}
		}}.Send(context.Background(), messages(5))
	for i, o := range res.Outcomes {
		if done[i] != 1 {
			t.Errorf("message %d: OnDone told %d times", i, done[i])
		}
		switch {
		case i == 3 && (o.Sent() || o.Err != "InvalidMessageContents" || o.Attempts != 1):
			t.Errorf("the sender's fault is final: %+v", o)
		case i != 3 && (!o.Sent() || o.MessageID != "sqs-m"+string(rune('0'+i))):
			t.Errorf("message %d: %+v", i, o)
		}
	}
	if res.Calls != 2 || res.Retries != 3 || res.Permanent != nil {
		t.Errorf("calls %d, retries %d, permanent %v", res.Calls, res.Retries, res.Permanent)
	}
}

// A permanent error (no permission, say) stops the send: no retries, no
// call once it is known (a call already waiting for its turn may still
// go), every message says why.
func TestSendStopsOnPermanentErrors(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}
	c := &stubSQS{answer: func(int, *sqs.SendMessageBatchInput) (*sqs.SendMessageBatchOutput, error) { return nil, denied }}
	res := Sender{Client: c, QueueURL: "q", Concurrency: 1}.Send(context.Background(), messages(35))
	if !errors.Is(res.Permanent, denied) || res.Retries != 0 || c.calls > 2 {
		t.Fatalf("permanent %v, retries %d, calls %d", res.Permanent, res.Retries, c.calls)
	}
	for i, o := range res.Outcomes {
		if o.Sent() || (o.Err != "AccessDenied: not authorized" && o.Err != "not sent: the run stopped after AccessDenied: not authorized") {
			t.Errorf("message %d: %+v", i, o)
		}
	}
	if last := res.Outcomes[34]; last.Attempts != 0 {
		t.Errorf("the last batch was sent: %+v", last)
	}
}

// A failing call is retried until the attempts run out; each message then
// says how many it had.
func TestSendGivesUp(t *testing.T) {
	c := &stubSQS{answer: func(int, *sqs.SendMessageBatchInput) (*sqs.SendMessageBatchOutput, error) {
		return nil, &smithy.GenericAPIError{Code: "InternalError", Message: "boom"}
	}}
	res := Sender{Client: c, QueueURL: "q", MaxAttempts: 3, Sleep: func(ctx context.Context, _ time.Duration) error { return nil }}.Send(context.Background(), messages(2))
	for _, o := range res.Outcomes {
		if o.Sent() || o.Err != "InternalError: boom (gave up after 3 attempts)" {
			t.Errorf("%+v", o)
		}
	}
	if res.Calls != 3 {
		t.Errorf("%d calls", res.Calls)
	}
}

func TestSplitKeepsWithinTheLimits(t *testing.T) {
	msgs := append(messages(12), Message{Body: strings.Repeat("y", MaxBytes-5)}, Message{Body: "zzzzzz"})
	idx := make([]int, len(msgs))
	for i := range idx {
		idx[i] = i
	}
	got := Split(msgs, idx)
	if len(got) != 4 || len(got[0]) != 10 || len(got[1]) != 2 || len(got[2]) != 1 || len(got[3]) != 1 {
		t.Fatalf("%v", got)
	}
}

// A paced send starts pacing with the first message: at 20 messages a
// second the batches hold two (a tenth of a second's worth), not ten sent
// at once before the first wait.
func TestPacingStartsWithTheFirstMessage(t *testing.T) {
	r, err := rate.ParseLimit("20/s")
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	c := &stubSQS{answer: func(_ int, in *sqs.SendMessageBatchInput) (*sqs.SendMessageBatchOutput, error) {
		sizes = append(sizes, len(in.Entries))
		return accept(in, func(string) *types.BatchResultErrorEntry { return nil }), nil
	}}
	res := Sender{Client: c, QueueURL: "q", Limiter: Limiter(r)}.Send(context.Background(), messages(10))
	if res.Calls != 5 || !slices.Equal(sizes, []int{2, 2, 2, 2, 2}) {
		t.Errorf("%d calls of %v messages, want 5 of 2", res.Calls, sizes)
	}
	for _, tt := range []struct {
		rate  string
		burst int
	}{{"1/s", 1}, {"5/s", 1}, {"50/s", 5}, {"500/s", 10}, {"30000/m", 10}} {
		r, _ := rate.ParseLimit(tt.rate)
		if got := Limiter(r).Burst(); got != tt.burst {
			t.Errorf("Limiter(%s).Burst() = %d, want %d", tt.rate, got, tt.burst)
		}
	}
	if Limiter(rate.Rate{}) != nil {
		t.Error("no rate, yet a limiter")
	}
}
