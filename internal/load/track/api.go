package track

import (
	"context"
	"hash/maphash"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// SQSAPI is the part of SQS the trackers call; *sqs.Client satisfies it.
type SQSAPI interface {
	CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, optFns ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	DeleteQueue(ctx context.Context, in *sqs.DeleteQueueInput, optFns ...func(*sqs.Options)) (*sqs.DeleteQueueOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	SetQueueAttributes(ctx context.Context, in *sqs.SetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
}

// EventsAPI is the part of EventBridge the EventBridge tracker calls;
// *eventbridge.Client satisfies it.
type EventsAPI interface {
	PutRule(ctx context.Context, in *eventbridge.PutRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error)
	PutTargets(ctx context.Context, in *eventbridge.PutTargetsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error)
	RemoveTargets(ctx context.Context, in *eventbridge.RemoveTargetsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error)
	DeleteRule(ctx context.Context, in *eventbridge.DeleteRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error)
}

// SFNAPI is the part of Step Functions the trackers call; *sfn.Client
// satisfies it.
type SFNAPI interface {
	ListExecutions(ctx context.Context, in *sfn.ListExecutionsInput, optFns ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	GetExecutionHistory(ctx context.Context, in *sfn.GetExecutionHistoryInput, optFns ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error)
}

var (
	_ SQSAPI    = (*sqs.Client)(nil)
	_ EventsAPI = (*eventbridge.Client)(nil)
	_ SFNAPI    = (*sfn.Client)(nil)
)

// seen remembers which (execution, kind) pairs were reported, so that a
// change delivered twice is reported once. It keeps a 64-bit hash of each
// key rather than the key (about 20 bytes an execution instead of 150):
// two executions of one run share a hash with a probability of about
// n²/2⁶⁵, one in ten million for a million executions.
type seen struct {
	mu   sync.Mutex
	seed maphash.Seed
	m    map[uint64]uint8
}

func newSeen() *seen { return &seen{seed: maphash.MakeSeed(), m: map[uint64]uint8{}} }

// first marks (key, kind) and reports whether it was not marked before.
func (s *seen) first(key string, k Kind) bool {
	h := maphash.String(s.seed, key)
	bit := uint8(1) << uint(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[h]&bit != 0 {
		return false
	}
	s.m[h] |= bit
	return true
}

// has reports whether (key, kind) was marked.
func (s *seen) has(key string, k Kind) bool {
	h := maphash.String(s.seed, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[h]&(uint8(1)<<uint(k)) != 0
}

// send hands an event on, or gives up when ctx ends.
func send(ctx context.Context, out chan<- Event, e Event) bool {
	select {
	case out <- e:
		return true
	case <-ctx.Done():
		return false
	}
}
