package dlq

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/dlq"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/ui"
)

// ListOptions are the inputs of `yafdp dlq list`.
type ListOptions struct {
	cmdutil.Deps
	// Metrics returns the CloudWatch client for the age of the oldest
	// message; nil or an error leaves the column empty.
	Metrics func(context.Context) (awsops.MetricsAPI, error)

	Queue  string
	Prefix string

	queue awsops.QueueRef
}

// NewCmdList returns `yafdp dlq list`. runF replaces runList in tests.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{Deps: f.Deps(),
		Metrics: func(ctx context.Context) (awsops.MetricsAPI, error) {
			cfg, err := f.AWSConfig(ctx)
			if err != nil {
				return nil, err
			}
			return cloudwatch.NewFromConfig(cfg), nil
		}}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show each dead-letter queue with its depth, oldest message and sources",
		Long: cmdutil.Heredoc(`
			Show each dead-letter queue with its depth, the age of its oldest message
			and its source queues.

			A dead-letter queue is any queue that another queue's RedrivePolicy names;
			its sources come from ListDeadLetterSourceQueues, with their
			maxReceiveCount. The age of the oldest message is CloudWatch's
			ApproximateAgeOfOldestMessage (SQS has no attribute for it); it shows "-"
			when CloudWatch has no figure from the last 15 minutes. --queue shows one
			queue only.
		`),
		Example: cmdutil.Examples(`
			$ yafdp dlq list
			$ yafdp dlq list --prefix orders --output json
		`),
		Args: cobra.NoArgs,
		RunE: cmdutil.RunE(opts, opts.parse, runF, runList),
	}
	cmd.Flags().StringVar(&opts.Queue, "queue", "", "Show only this dead-letter queue `URL|NAME`")
	cmd.Flags().StringVar(&opts.Prefix, "prefix", "", "Look only at queues whose names start with `prefix`")
	_ = cmd.RegisterFlagCompletionFunc("queue", cmdutil.CompleteQueues(f))
	return cmd
}

// parse checks the arguments and flags.
func (o *ListOptions) parse(cmd *cobra.Command, _ []string) error {
	if o.Queue != "" {
		var err error
		if o.queue, err = awsops.ParseQueueRef("queue", o.Queue); err != nil {
			return cmdutil.FlagError(err)
		}
		if cmd.Flags().Changed("prefix") {
			return cmdutil.FlagErrorf("--prefix finds queues by name; drop it with --queue")
		}
	}
	return nil
}

var listColumns = []output.Column[dlq.DeadLetterQueue]{
	{Header: "DLQ", Value: func(d dlq.DeadLetterQueue) string { return d.Name }},
	{Header: "Visible", Value: func(d dlq.DeadLetterQueue) string { return ui.Count(d.Visible) }, Align: ui.AlignRight,
		Tone: func(d dlq.DeadLetterQueue) ui.Tone {
			if d.Visible > 0 {
				return ui.ToneWarning
			}
			return ui.ToneNone
		}},
	{Header: "In flight", Value: func(d dlq.DeadLetterQueue) string { return ui.Count(d.InFlight) }, Align: ui.AlignRight},
	{Header: "Oldest", Value: func(d dlq.DeadLetterQueue) string {
		if d.OldestAge == nil {
			return "-"
		}
		return ui.Duration(*d.OldestAge)
	}, Align: ui.AlignRight},
	{Header: "Sources", Value: func(d dlq.DeadLetterQueue) string {
		if len(d.Sources) == 0 {
			return "-"
		}
		var parts []string
		for _, s := range d.Sources {
			if s.MaxReceiveCount > 0 {
				parts = append(parts, fmt.Sprintf("%s (after %d receives)", s.Name, s.MaxReceiveCount))
			} else {
				parts = append(parts, s.Name)
			}
		}
		return strings.Join(parts, ", ")
	}},
}

func runList(ctx context.Context, o *ListOptions) error {
	p, c, err := cmdutil.PrinterAnd(ctx, o.Deps, o.SQSClient)
	if err != nil {
		return err
	}
	lo := dlq.ListOptions{Prefix: o.Prefix}
	if o.Queue != "" {
		q, err := resolve(ctx, c, "queue", o.queue)
		if err != nil {
			return err
		}
		lo.Queue = &q
	}
	var metrics awsops.MetricsAPI
	if o.Metrics != nil {
		if m, err := o.Metrics(ctx); err == nil {
			metrics = m
		}
	}
	dlqs, err := dlq.List(ctx, c, metrics, lo)
	if err != nil {
		return cmdutil.InputError(err)
	}
	if err := output.PrintList(p, dlqs, listColumns...); err != nil {
		return err
	}
	if len(dlqs) == 0 && p.Format() == output.Table {
		where := "in this account and region"
		if o.Prefix != "" {
			where = fmt.Sprintf("among the queues named %s*", o.Prefix)
		}
		fmt.Fprintf(o.IO.ErrOut, "No dead-letter queues %s (no queue has a RedrivePolicy).\n", where)
	}
	return nil
}
