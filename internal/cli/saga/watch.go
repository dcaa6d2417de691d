package saga

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/executions"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/saga"
	"github.com/yafdp/yafdp/internal/ui"
)

// WatchOptions are the inputs of `yafdp saga watch`.
type WatchOptions struct {
	cmdutil.Deps
	// Sleep waits between polls; tests replace it.
	Sleep awsops.Sleeper
	// Logs returns the CloudWatch Logs client Express executions are
	// followed with.
	Logs func(context.Context) (awsops.LogsAPI, error)

	Execution    string
	StateMachine string
	Interval     time.Duration
}

// NewCmdWatch returns `yafdp saga watch`. runF replaces runWatch in tests.
func NewCmdWatch(f *cmdutil.Factory, runF func(context.Context, *WatchOptions) error) *cobra.Command {
	opts := &WatchOptions{Deps: f.Deps(), Logs: logsClient(f)}
	cmd := &cobra.Command{
		Use:   "watch <execution-arn | order-id>",
		Short: "Follow one saga execution live until it ends",
		Long: cmdutil.Heredoc(`
			Follow one saga execution on Step Functions until it ends.

			An order id names its execution (the new-order Lambda names each execution
			after its order), in the state machine of --state-machine or of the selected
			environment; an execution ARN needs neither. The history is read with
			GetExecutionHistory, newest events first and paged (up to 1,000 events a
			call), every --interval until the execution ends.

			On a terminal the timeline redraws as the saga moves: each step with its
			status and duration, retry attempts with their errors, compensations marked
			as such, then the final status and cause. Piped, the timeline is printed
			once at the end. --output jsonl streams the raw history events (the
			GetExecutionHistory wire format) as they come; --output json prints the
			execution, its events and its timeline at the end.

			Express state machines keep no history in Step Functions: an Express
			execution (its arn:...:express:... ARN, or an order id of an Express
			machine) is followed through the machine's CloudWatch Logs instead, the
			log group of its loggingConfiguration, with FilterLogEvents every
			--interval (each call bounded to 30 s), and drawn the same way. An order id
			names the newest Express execution of that name in the log group. Logs at
			level ERROR or FATAL hold only failures: watch gives up (exit 1) once an
			Express execution must have ended, five minutes after its start plus a
			minute for log delivery, without an end in the logs. A machine without
			logging is an error (exit 2) that says how to enable it.

			Exit codes: 0 the execution SUCCEEDED; 1 it FAILED, TIMED_OUT or was
			ABORTED; 2 bad arguments, or no such execution or state machine; 130
			interrupted (the execution goes on).
		`),
		Example: cmdutil.Examples(`
			# By order id, in the state machine of the staging environment
			$ yafdp --env staging saga watch ord_2vbm1gh5f8f8x

			# By execution ARN, streaming events for a script
			$ yafdp saga watch arn:aws:states:eu-west-1:123456789012:execution:order-saga:ord_2vbm1gh5f8f8x --output jsonl
		`),
		Args: cobra.ExactArgs(1),
		RunE: cmdutil.RunE(opts, opts.parse, runF, runWatch),
	}
	cmd.Flags().StringVar(&opts.StateMachine, "state-machine", "", "The saga's state machine `ARN|NAME` (default: the environment's)")
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "Poll the history every `duration`")
	_ = cmd.RegisterFlagCompletionFunc("state-machine", cmdutil.CompleteStateMachines(f))
	cmd.ValidArgsFunction = cmdutil.CompleteExecutions(f)
	return cmd
}

// parse checks the arguments and flags.
func (o *WatchOptions) parse(_ *cobra.Command, args []string) error {
	o.Execution = args[0]
	if o.Interval < 100*time.Millisecond || o.Interval > 5*time.Minute {
		return cmdutil.FlagErrorf("--interval: must be 100ms to 5m, not %s", o.Interval)
	}
	sm, err := checkExecutionArgs(o.Execution, o.StateMachine, o.Config)
	if err != nil {
		return err
	}
	o.StateMachine = sm
	return nil
}

// checkExecutionArgs checks an execution argument and the state machine
// that an order id needs, without calling AWS.
func checkExecutionArgs(execution, machine string, cfg func() (*config.Config, error)) (string, error) {
	if err := executions.CheckRef(execution); err != nil {
		return "", cmdutil.FlagError(err)
	}
	if machine == "" && !strings.HasPrefix(execution, "arn:") {
		c, err := cfg()
		if err != nil {
			return "", err
		}
		machine = c.StateMachine
		if machine == "" {
			return "", cmdutil.FlagErrorf("--state-machine: %q is an order id; say which state machine runs it with --state-machine ARN|NAME (or --env), or pass the execution ARN", execution)
		}
	}
	if machine != "" {
		if err := executions.CheckStateMachineRef(machine); err != nil {
			return "", cmdutil.FlagError(err)
		}
	}
	return machine, nil
}

// executionReport is what watch and describe print as JSON.
type executionReport struct {
	Execution executions.Execution `json:"execution"`
	Timeline  []saga.Step          `json:"timeline"`
	Retries   int                  `json:"retries"`
	Events    []asl.HistoryEvent   `json:"events,omitempty"`
}

func newExecutionReport(x executions.Execution, events []asl.HistoryEvent, withEvents bool) *executionReport {
	r := &executionReport{Execution: x, Timeline: saga.Timeline(events)}
	if r.Timeline == nil {
		r.Timeline = []saga.Step{}
	}
	for _, s := range r.Timeline {
		if s.Attempts > 1 {
			r.Retries += s.Attempts - 1
		}
	}
	if withEvents {
		r.Events = events
		if r.Events == nil {
			r.Events = []asl.HistoryEvent{}
		}
	}
	return r
}

func (r *executionReport) render(w io.Writer, s *ui.Styles) error {
	var b strings.Builder
	renderExecutionTimeline(&b, s, r.Execution.Name, r.Execution.Status, r.Execution.Error, r.Execution.Cause, r.Timeline)
	_, err := io.WriteString(w, b.String())
	return err
}

// liveTimeline redraws the timeline in place on a terminal.
type liveTimeline struct {
	w     io.Writer
	s     *ui.Styles
	lines int
}

func (l *liveTimeline) draw(name, status string, events []asl.HistoryEvent) {
	var b strings.Builder
	renderExecutionTimeline(&b, l.s, name, status, "", "", saga.Timeline(events))
	if l.lines > 0 {
		fmt.Fprintf(l.w, "\033[%dA\033[J", l.lines)
	}
	out := b.String()
	l.lines = strings.Count(out, "\n")
	io.WriteString(l.w, out)
}

func (l *liveTimeline) clear() {
	if l.lines > 0 {
		fmt.Fprintf(l.w, "\033[%dA\033[J", l.lines)
		l.lines = 0
	}
}

// statusOf is the execution's status as far as its events tell: an
// execution that has ended says so in its last event (a FAILED one must
// not be drawn as RUNNING first); otherwise what Resolve found, or
// RUNNING.
func statusOf(resolved string, events []asl.HistoryEvent) string {
	if n := len(events); n > 0 {
		switch events[n-1].Type {
		case sfntypes.HistoryEventTypeExecutionSucceeded:
			return "SUCCEEDED"
		case sfntypes.HistoryEventTypeExecutionFailed:
			return "FAILED"
		case sfntypes.HistoryEventTypeExecutionAborted:
			return "ABORTED"
		case sfntypes.HistoryEventTypeExecutionTimedOut:
			return "TIMED_OUT"
		}
	}
	if resolved != "" {
		return resolved
	}
	return "RUNNING"
}

func runWatch(ctx context.Context, o *WatchOptions) error {
	p, c, err := cmdutil.PrinterAnd(ctx, o.Deps, o.SFNClient)
	if err != nil {
		return err
	}
	x, err := executions.Resolve(ctx, c, o.Execution, o.StateMachine)
	var xe *executions.ExpressError
	if errors.As(err, &xe) {
		return runWatchExpress(ctx, o, p, c, xe)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return cmdutil.InputError(err)
	}
	var live *liveTimeline
	if p.Format() == output.Table && o.IO.IsStdoutTTY() {
		live = &liveTimeline{w: o.IO.Out, s: p.Styles()}
	} else if p.Format() == output.Table && o.IO.CanRedraw() {
		fmt.Fprintf(o.IO.ErrOut, "Following %s until it ends…\n", x.Name)
	}
	stream := output.NewList[asl.HistoryEvent](p)
	res, werr := executions.Watch(ctx, c, executions.WatchOptions{ExecutionARN: x.ARN, Interval: o.Interval, Follow: true, Sleep: o.Sleep,
		OnEvents: func(added, all []asl.HistoryEvent) {
			switch {
			case p.Format() == output.JSONL:
				for _, e := range added {
					_ = stream.Add(e)
				}
			case live != nil:
				live.draw(x.Name, statusOf(x.Status, all), all)
			}
		}})
	if live != nil {
		live.clear()
	}
	if res != nil && res.Execution.ARN == "" {
		res.Execution = x
		res.Execution.Status = "RUNNING"
	}
	if res != nil && p.Format() != output.JSONL {
		rep := newExecutionReport(res.Execution, res.Events, p.Format() == output.JSON)
		if err := output.PrintWith(p, rep, rep.render); err != nil {
			return err
		}
	}
	if werr != nil {
		if ctx.Err() != nil {
			return cmdutil.ErrInterrupted
		}
		return cmdutil.InputError(werr)
	}
	if !res.Execution.Succeeded() {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed}
	}
	return nil
}
