package dlq

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/dlq"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/ui"
)

// MaxPeek is the most messages one peek shows.
const MaxPeek = 100

// PeekOptions are the inputs of `yafdp dlq peek`.
type PeekOptions struct {
	cmdutil.Deps

	Queue string
	Count int
	Hold  time.Duration

	queue awsops.QueueRef
}

var peekLong = cmdutil.Heredoc(`
			Show up to N messages (default 10, at most 100) of a dead-letter queue with
			their bodies, attributes and receive counts, without deleting them.

			SQS has no true peek: the messages are received, hidden for --hold while the
			peek collects them (so each shows once), then made visible again at once.
			Each receive adds one to a message's receive count. That is harmless for a
			dead-letter queue without a RedrivePolicy of its own; when it has one, peek
			warns, since receives count toward moving the messages on.
		`)

var peekExample = cmdutil.Examples(`
			$ yafdp --env prod dlq peek
			$ yafdp dlq peek 3 --queue orders-dlq --output json
		`)

// NewCmdPeek returns `yafdp dlq peek`. runF replaces runPeek in tests.
func NewCmdPeek(f *cmdutil.Factory, runF func(context.Context, *PeekOptions) error) *cobra.Command {
	opts := &PeekOptions{Deps: f.Deps()}
	cmd := &cobra.Command{
		Use:     "peek [N]",
		Short:   "Show messages of a dead-letter queue without deleting them",
		Long:    peekLong,
		Example: peekExample,
		Args:    cobra.MaximumNArgs(1),
		RunE:    cmdutil.RunE(opts, opts.parse, runF, runPeek),
	}
	cmd.Flags().StringVar(&opts.Queue, "queue", "", "Peek at this dead-letter queue `URL|NAME` (default: the environment's dlq)")
	cmd.Flags().DurationVar(&opts.Hold, "hold", 30*time.Second, "Hide messages for at most this `duration` while collecting them")
	_ = cmd.RegisterFlagCompletionFunc("queue", cmdutil.CompleteQueues(f))
	return cmd
}

// parse checks the arguments and flags.
func (o *PeekOptions) parse(_ *cobra.Command, args []string) error {
	o.Count = 10
	if len(args) == 1 {
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 || n > MaxPeek {
			return cmdutil.FlagErrorf("N: %q must be a whole number from 1 to %d", args[0], MaxPeek)
		}
		o.Count = n
	}
	if o.Hold < time.Second || o.Hold > 12*time.Hour {
		return cmdutil.FlagErrorf("--hold: must be 1s to 12h, not %s", o.Hold)
	}
	ref, err := dlqRef(o.Queue, o.Config)
	if err != nil {
		return err
	}
	o.Queue, o.queue = ref.String(), ref
	return nil
}

func orderIDOf(body string) string {
	var v struct {
		OrderID string `json:"orderId"`
	}
	if json.Unmarshal([]byte(body), &v) != nil || v.OrderID == "" {
		return "-"
	}
	return v.OrderID
}

func attrSummary(m dlq.Message) string {
	keys := make([]string, 0, len(m.Attributes))
	for k := range m.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		a := m.Attributes[k]
		v := aws.ToString(a.StringValue)
		if strings.HasPrefix(aws.ToString(a.DataType), "Binary") {
			v = fmt.Sprintf("(%d bytes)", len(a.BinaryValue))
		}
		parts = append(parts, k+"="+truncate(v, 24))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

var peekColumns = []output.Column[dlq.Message]{
	{Header: "Message ID", Value: func(m dlq.Message) string { return m.MessageID }},
	{Header: "Receives", Value: func(m dlq.Message) string { return strconv.Itoa(m.ReceiveCount()) }, Align: ui.AlignRight},
	{Header: "Sent", Value: func(m dlq.Message) string {
		if t := m.SentAt(); !t.IsZero() {
			return t.Format("2006-01-02 15:04:05")
		}
		return "-"
	}},
	{Header: "Order", Value: func(m dlq.Message) string { return orderIDOf(m.Body) }},
	{Header: "Attributes", Value: attrSummary},
	{Header: "Body", Value: func(m dlq.Message) string { return truncate(m.Body, 60) }},
}

func runPeek(ctx context.Context, o *PeekOptions) error {
	p, c, q, err := begin(ctx, o.Deps, o.queue)
	if err != nil {
		return err
	}
	res, err := dlq.Peek(ctx, c, dlq.PeekOptions{Queue: q, Max: o.Count, Hold: o.Hold})
	errS := ui.NewStyles(o.IO.ErrColorEnabled())
	if res != nil && res.OwnRedrivePolicy != "" {
		fmt.Fprintf(o.IO.ErrOut, "%s %s has a redrive policy of its own (after %d receives): this peek added one receive to each message shown.\n",
			errS.Warning("Warning:"), q.Name, res.MaxReceiveCount)
	}
	if err != nil && res == nil {
		return cmdutil.InputError(err)
	}
	if err := output.PrintList(p, res.Messages, peekColumns...); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "%s of about %s in %s; %d made visible again (each receive counts once toward its receive count).\n",
		ui.Plural(len(res.Messages), "message"), ui.Count(res.Visible), q.Name, res.Released)
	if err != nil {
		return err
	}
	return nil
}
