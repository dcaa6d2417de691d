package saga

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/executions"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/ui"
)

// ListOptions are the inputs of `yafdp saga list`.
type ListOptions struct {
	cmdutil.Deps
	Now func() time.Time
	// Logs returns the CloudWatch Logs client Express executions are
	// listed with.
	Logs func(context.Context) (awsops.LogsAPI, error)

	StateMachine string
	Status       string
	Since        string
	Order        string
	Limit        int

	since time.Time
}

// NewCmdList returns `yafdp saga list`. runF replaces runList in tests.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{Deps: f.Deps(), Now: time.Now, Logs: logsClient(f)}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List saga executions by status, order id and start time",
		Long: cmdutil.Heredoc(`
			List the executions of the saga's state machine, newest first.

			--status keeps one status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED,
			PENDING_REDRIVE), --since drops executions started earlier (a duration such
			as 30m or 2h, or an RFC 3339 time), --order keeps the executions whose name
			(the order id) starts with the given prefix. Pages of ListExecutions are
			read until --limit executions are found (0: no limit).

			An Express state machine keeps no list of its executions (ListExecutions
			answers StateMachineTypeNotSupported): its executions are listed from its
			CloudWatch Logs instead, the log group of its loggingConfiguration, read
			with FilterLogEvents from --since (default: the last 24 hours), at most
			200,000 log events. Each execution's status is its last logged end
			(RUNNING while none is logged); at level ERROR or FATAL only failed
			executions are logged, so only they are listed. A machine without logging
			is an error (exit 2) that says how to enable it.
		`),
		Example: cmdutil.Examples(`
			# What failed in the last hour
			$ yafdp --env prod saga list --status FAILED --since 1h

			# One customer's orders of the day, as JSON
			$ yafdp saga list --state-machine order-saga --order ord_2vbm --since 2026-01-01T00:00:00Z --output json
		`),
		Args: cobra.NoArgs,
		RunE: cmdutil.RunE(opts, opts.parse, runF, runList),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.StateMachine, "state-machine", "", "The saga's state machine `ARN|NAME` (default: the environment's)")
	fl.StringVar(&opts.Status, "status", "", "Keep executions with this `status`")
	fl.StringVar(&opts.Since, "since", "", "Keep executions started after this `time` (30m, 2h, 2026-01-01T00:00:00Z)")
	fl.StringVar(&opts.Order, "order", "", "Keep executions whose order id starts with `prefix`")
	fl.IntVar(&opts.Limit, "limit", 50, "Show at most `n` executions (0: all)")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(executions.Statuses(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("state-machine", cmdutil.CompleteStateMachines(f))
	return cmd
}

func (o *ListOptions) parse(*cobra.Command, []string) error {
	if o.Status != "" {
		o.Status = strings.ToUpper(o.Status)
		if !slices.Contains(executions.Statuses(), o.Status) {
			return cmdutil.FlagErrorf("--status: %q is not one of %s", o.Status, strings.Join(executions.Statuses(), ", "))
		}
	}
	if o.Since != "" {
		if d, err := time.ParseDuration(o.Since); err == nil {
			if d <= 0 {
				return cmdutil.FlagErrorf("--since: a duration must be positive, such as 30m or 2h")
			}
			o.since = o.Now().Add(-d)
		} else if t, err := time.Parse(time.RFC3339, o.Since); err == nil {
			o.since = t
		} else {
			return cmdutil.FlagErrorf("--since: %q is neither a duration (30m, 2h) nor an RFC 3339 time (2026-01-01T00:00:00Z)", o.Since)
		}
	}
	if o.Limit < 0 {
		return cmdutil.FlagErrorf("--limit: must be 0 (all) or more, not %d", o.Limit)
	}
	if o.StateMachine == "" {
		c, err := o.Config()
		if err != nil {
			return err
		}
		o.StateMachine = c.StateMachine
	}
	if o.StateMachine == "" {
		return cmdutil.FlagErrorf("--state-machine: no state machine given; pass --state-machine ARN|NAME or select an environment with one (--env)")
	}
	if err := executions.CheckStateMachineRef(o.StateMachine); err != nil {
		return cmdutil.FlagError(err)
	}
	return nil
}

func executionColumns(now func() time.Time) []output.Column[executions.Execution] {
	return []output.Column[executions.Execution]{
		{Header: "Execution", Value: func(x executions.Execution) string { return x.Name }},
		{Header: "Status", Value: func(x executions.Execution) string { return x.Status }, Tone: statusTone},
		{Header: "Started", Value: func(x executions.Execution) string { return x.StartDate.UTC().Format("2006-01-02 15:04:05") }},
		{Header: "Duration", Value: func(x executions.Execution) string { return ui.Duration(x.Duration(now()).Truncate(time.Millisecond)) }, Align: ui.AlignRight},
	}
}

func statusTone(x executions.Execution) ui.Tone {
	switch {
	case x.Succeeded():
		return ui.ToneSuccess
	case !x.Done():
		return ui.ToneWarning
	}
	return ui.ToneFailure
}

func runList(ctx context.Context, o *ListOptions) error {
	p, c, err := cmdutil.PrinterAnd(ctx, o.Deps, o.SFNClient)
	if err != nil {
		return err
	}
	m, err := executions.ResolveStateMachine(ctx, c, o.StateMachine)
	if err != nil {
		return cmdutil.InputError(err)
	}
	if m.Express() {
		return runListExpress(ctx, o, p, c, m)
	}
	xs, err := executions.List(ctx, c, executions.ListOptions{StateMachineARN: m.ARN, Status: o.Status, Since: o.since, NamePrefix: o.Order, Limit: o.Limit})
	if err != nil {
		if ctx.Err() != nil {
			return cmdutil.ErrInterrupted
		}
		return cmdutil.InputError(err)
	}
	if err := output.PrintList(p, xs, executionColumns(o.Now)...); err != nil {
		return err
	}
	if len(xs) == 0 && p.Format() == output.Table {
		fmt.Fprintf(o.IO.ErrOut, "No executions of %s match.\n", m.Name)
	}
	return nil
}

// runListExpress lists an Express machine's executions from its logs.
func runListExpress(ctx context.Context, o *ListOptions, p *output.Printer, c awsops.SFNAPI, m executions.StateMachine) error {
	target, err := executions.ExpressLogging(ctx, c, m)
	if err != nil {
		return cmdutil.InputError(err)
	}
	lc, err := o.Logs(ctx)
	if err != nil {
		return err
	}
	now := o.Now()
	xs, truncated, err := executions.ListExpress(ctx, lc, target, executions.ListOptions{Status: o.Status, Since: o.since, NamePrefix: o.Order, Limit: o.Limit}, now)
	if err != nil {
		if ctx.Err() != nil {
			return cmdutil.ErrInterrupted
		}
		return cmdutil.InputError(err)
	}
	if err := output.PrintList(p, xs, executionColumns(o.Now)...); err != nil {
		return err
	}
	if truncated {
		fmt.Fprintf(o.IO.ErrOut, "Read the first %d log events of %s only: narrow the window with --since.\n", executions.MaxExpressScan, target.Group)
	}
	if target.Level != "ALL" {
		fmt.Fprintf(o.IO.ErrOut, "%s logs at level %s: executions that succeed leave no record and are not listed.\n", m.Name, target.Level)
	}
	if len(xs) == 0 && p.Format() == output.Table {
		fmt.Fprintf(o.IO.ErrOut, "No Express executions of %s match in log group %s.\n", m.Name, target.Group)
	}
	return nil
}
