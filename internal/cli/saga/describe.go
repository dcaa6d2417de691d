package saga

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/executions"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/ui"
)

// DescribeOptions are the inputs of `yafdp saga describe`.
type DescribeOptions struct {
	cmdutil.Deps
	Now func() time.Time
	// Logs returns the CloudWatch Logs client Express executions are read
	// with.
	Logs func(context.Context) (awsops.LogsAPI, error)

	Execution    string
	StateMachine string
}

// NewCmdDescribe returns `yafdp saga describe`. runF replaces runDescribe
// in tests.
func NewCmdDescribe(f *cmdutil.Factory, runF func(context.Context, *DescribeOptions) error) *cobra.Command {
	opts := &DescribeOptions{Deps: f.Deps(), Now: time.Now, Logs: logsClient(f)}
	cmd := &cobra.Command{
		Use:   "describe <execution-arn | order-id>",
		Short: "Show one saga execution: status, input, output and timeline",
		Long: cmdutil.Heredoc(`
			Show one saga execution as it is now: its status, start and stop, error and
			cause, input and output, and its timeline (steps, retries, compensations)
			from the history so far. It does not wait; 'yafdp saga watch' follows an
			execution until it ends.

			An order id names its execution in the state machine of --state-machine or
			of the selected environment. An Express execution is read from its state
			machine's CloudWatch Logs, as 'saga watch' reads it (RUNNING while no end
			is logged). Exit codes: 0 shown; 2 bad arguments, or no such execution or
			state machine, or an Express machine without logging.
		`),
		Example: cmdutil.Examples(`
			$ yafdp --env prod saga describe ord_2vbm1gh5f8f8x
			$ yafdp saga describe arn:aws:states:eu-west-1:123456789012:execution:order-saga:ord_2vbm1gh5f8f8x --output json
		`),
		Args: cobra.ExactArgs(1),
		RunE: cmdutil.RunE(opts, opts.parse, runF, runDescribe),
	}
	cmd.Flags().StringVar(&opts.StateMachine, "state-machine", "", "The saga's state machine `ARN|NAME` (default: the environment's)")
	_ = cmd.RegisterFlagCompletionFunc("state-machine", cmdutil.CompleteStateMachines(f))
	cmd.ValidArgsFunction = cmdutil.CompleteExecutions(f)
	return cmd
}

// parse checks the arguments and flags.
func (o *DescribeOptions) parse(_ *cobra.Command, args []string) error {
	o.Execution = args[0]
	sm, err := checkExecutionArgs(o.Execution, o.StateMachine, o.Config)
	if err != nil {
		return err
	}
	o.StateMachine = sm
	return nil
}

// describeReport adds the execution's facts to its timeline.
type describeReport struct {
	*executionReport
	now time.Time
}

func (r describeReport) render(w io.Writer, s *ui.Styles) error {
	x := r.Execution
	facts := ui.NewFacts(s)
	fact := facts.AddIf
	fact("Execution", x.ARN)
	fact("Status", s.Render(statusTone(x), x.Status))
	fact("Started", x.StartDate.UTC().Format(time.RFC3339))
	if x.StopDate != nil {
		fact("Stopped", x.StopDate.UTC().Format(time.RFC3339))
	}
	fact("Duration", ui.Duration(x.Duration(r.now).Truncate(time.Millisecond)))
	fact("Retries", fmt.Sprint(r.Retries))
	if x.RedriveCount > 0 {
		fact("Redriven", fmt.Sprintf("%d times", x.RedriveCount))
	}
	fact("Input", oneLine(x.Input, 100))
	fact("Output", oneLine(x.Output, 100))
	if err := facts.Render(w); err != nil {
		return err
	}
	io.WriteString(w, "\n")
	return r.executionReport.render(w, s)
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) > n {
		return string([]rune(s)[:n-1]) + "…"
	}
	return s
}

func runDescribe(ctx context.Context, o *DescribeOptions) error {
	p, c, err := cmdutil.PrinterAnd(ctx, o.Deps, o.SFNClient)
	if err != nil {
		return err
	}
	x, err := executions.Resolve(ctx, c, o.Execution, o.StateMachine)
	var xe *executions.ExpressError
	var res *executions.WatchResult
	switch {
	case errors.As(err, &xe):
		res, err = readExpress(ctx, c, o.Logs, o.Execution, xe)
	case err != nil:
		return cmdutil.InputError(err)
	default:
		res, err = executions.Watch(ctx, c, executions.WatchOptions{ExecutionARN: x.ARN})
	}
	if err != nil {
		if ctx.Err() != nil {
			return cmdutil.ErrInterrupted
		}
		return cmdutil.InputError(err)
	}
	rep := describeReport{executionReport: newExecutionReport(res.Execution, res.Events, false), now: o.Now()}
	return output.PrintWith(p, rep, rep.render)
}
