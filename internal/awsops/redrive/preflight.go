package redrive

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/dlq"
	"github.com/yafdp/yafdp/internal/input"
)

// sourceArnAttr is the system attribute SQS gives a message when it moves
// it to a dead-letter queue: the queue it came from. A message sent
// straight into the DLQ has none, and StartMessageMoveTask without a
// destination fails it (NonExistentQueue).
const sourceArnAttr = "DeadLetterQueueSourceArn"

// nativeCheck settles what StartMessageMoveTask needs before it starts:
// the source must be a dead-letter queue of some queue, the destination
// of the same type (standard or FIFO), and every message must have a
// queue to go to. It returns the destination ARN to pass (empty: each
// message's own source), and, when native redrive cannot do the job,
// why, as a message; err is a failed AWS call.
func nativeCheck(ctx context.Context, c awsops.SQSAPI, opts *Options, res *Result) (dest string, why input.Message, err error) {
	srcs, err := dlq.Sources(ctx, c, opts.Source.URL)
	if err != nil {
		return "", input.Message{}, err
	}
	if len(srcs) == 0 {
		return "", input.Msg("%s is not the dead-letter queue of any queue (no RedrivePolicy names it), and StartMessageMoveTask moves only from one", opts.Source.Name), nil
	}
	if opts.Target != nil {
		if opts.Target.FIFO != opts.Source.FIFO {
			return "", input.Msg("StartMessageMoveTask moves only between queues of one type, and %s is %s while %s is %s",
				opts.Source.Name, queueType(opts.Source), opts.Target.Name, queueType(*opts.Target)), nil
		}
		tst, err := awsops.Stats(ctx, c, "target", opts.Target.URL)
		if err != nil {
			return "", input.Message{}, err
		}
		return tst.ARN, input.Message{}, nil
	}
	if len(srcs) == 1 {
		// Every message goes back to the only source, also one that does
		// not record where it came from.
		sst, err := awsops.Stats(ctx, c, "", srcs[0].URL)
		if err != nil {
			return "", input.Message{}, err
		}
		res.Notes = append(res.Notes, input.Msg("every message goes to %s, the only queue that uses %s as its dead-letter queue", srcs[0].Name, opts.Source.Name))
		return sst.ARN, input.Message{}, nil
	}
	// Several sources: each message must say which it came from. A look
	// at the first messages finds those sent straight into the DLQ.
	msgs, err := dlq.Receive(ctx, c, opts.Source.URL, 10, 2*time.Second, 0)
	if err != nil {
		return "", input.Message{}, fmt.Errorf("looking at the messages of %s: %w", opts.Source.Name, err)
	}
	dlq.SetVisibility(ctx, c, opts.Source.URL, msgs, 0)
	for _, m := range msgs {
		if m.System[sourceArnAttr] == "" {
			names := make([]string, len(srcs))
			for i, s := range srcs {
				names[i] = s.Name
			}
			return "", input.Msg("message %s does not record the queue it came from (no %s: it was sent straight to the DLQ), and %s is the dead-letter queue of %d queues (%s)",
				m.MessageID, sourceArnAttr, opts.Source.Name, len(srcs), strings.Join(names, ", ")), nil
		}
	}
	return "", input.Message{}, nil
}

func queueType(q awsops.Queue) string {
	if q.FIFO {
		return "FIFO"
	}
	return "standard"
}

// destinationARN is the DestinationArn of a move task: nil for the
// messages' own sources.
func destinationARN(arn string) *string {
	if arn == "" {
		return nil
	}
	return aws.String(arn)
}
