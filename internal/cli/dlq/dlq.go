package dlq

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/input"
)

// NewCmd returns the dlq command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewNoun("dlq <command>", "Inspect and redrive the dead-letter queue",
		cmdutil.Heredoc(`
			Inspect and redrive the dead-letter queue.

			An order message that the new-order Lambda fails to process maxReceiveCount
			times lands in the dead-letter queue (DLQ). list shows each DLQ with its
			depth and sources, peek shows messages without deleting them, and redrive
			moves them back to their source queue without losing one.
		`),
		cmdutil.Examples(`
			# Every DLQ, its depth and where its messages come from
			$ yafdp dlq list

			# Look at five messages of the environment's DLQ
			$ yafdp --env prod dlq peek 5

			# Move the EUR orders back, 20 a second, after a dry run
			$ yafdp --env prod dlq redrive --filter 'body.currency == "EUR"' --rate 20/s --dry-run
			$ yafdp --env prod dlq redrive --filter 'body.currency == "EUR"' --rate 20/s
		`),
		NewCmdList(f, nil),
		NewCmdPeek(f, nil),
		NewCmdRedrive(f, nil),
	)
}

// dlqRef is --queue, or the environment's DLQ, checked without AWS.
func dlqRef(flag string, cfg func() (*config.Config, error)) (awsops.QueueRef, error) {
	ref := flag
	if ref == "" {
		c, err := cfg()
		if err != nil {
			return awsops.QueueRef{}, err
		}
		ref = c.DLQ
	}
	if ref == "" {
		return awsops.QueueRef{}, cmdutil.FlagErrorf("--queue: no dead-letter queue given; pass --queue URL|NAME or select an environment with a dlq (--env)")
	}
	r, err := awsops.ParseQueueRef("queue", ref)
	if err != nil {
		return r, cmdutil.FlagError(err)
	}
	return r, nil
}

// begin returns what a verb on one dead-letter queue needs first: the
// printer, the SQS client and the queue.
func begin(ctx context.Context, d cmdutil.Deps, ref awsops.QueueRef) (*output.Printer, *sqs.Client, awsops.Queue, error) {
	p, c, err := cmdutil.PrinterAnd(ctx, d, d.SQSClient)
	if err != nil {
		return nil, nil, awsops.Queue{}, err
	}
	q, err := resolve(ctx, c, "queue", ref)
	return p, c, q, err
}

// resolve finds the queue a reference names; one that does not exist is a
// usage error naming the flag.
func resolve(ctx context.Context, c *sqs.Client, field input.Field, ref awsops.QueueRef) (awsops.Queue, error) {
	q, err := awsops.ResolveQueue(ctx, c, field, ref)
	return q, cmdutil.InputError(err)
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
