package saga

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/awsops/executions"
	"github.com/yafdp/yafdp/internal/awsops/sagaredrive"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/ui"
)

// RedriveOptions are the inputs of `yafdp saga redrive`.
type RedriveOptions struct {
	cmdutil.Deps
	Now func() time.Time

	// Execution is the one execution to redrive (ARN or order id); empty
	// in bulk.
	Execution    string
	StateMachine string
	Status       string
	Since        string
	Error        string
	DryRun       bool
	Rate         rate.Rate
	Journal      string

	since time.Time
}

// redriveStatuses are the statuses an execution can be redriven from.
var redriveStatuses = []string{"FAILED", "TIMED_OUT", "ABORTED"}

// NewCmdRedrive returns `yafdp saga redrive`. runF replaces runRedrive in
// tests.
func NewCmdRedrive(f *cmdutil.Factory, runF func(context.Context, *RedriveOptions) error) *cobra.Command {
	opts := &RedriveOptions{Deps: f.Deps(), Now: time.Now}
	cmd := &cobra.Command{
		Use:   "redrive [<execution-arn | order-id>]",
		Short: "Redrive failed saga executions from the step that failed (RedriveExecution)",
		Long: cmdutil.Heredoc(`
			Redrive saga executions with Step Functions' RedriveExecution: each resumes
			from the step that failed, with the input it failed with, keeping its
			history; the steps that succeeded do not run again (no second charge).
			Step Functions redrives Standard executions that ended FAILED, TIMED_OUT
			or ABORTED in the last 14 days, at most 1,000 times each.

			With an execution ARN or order id, that one execution is redriven.

			Without one, every execution of the state machine that ended with --status
			(FAILED by default; TIMED_OUT or ABORTED) is selected: --since keeps those
			that stopped in the window (a duration such as 2h, or an RFC 3339 time),
			--error those whose error is exactly this name (read with
			DescribeExecution for each, paced by --rate). They are redriven one at a
			time at --rate at most. --dry-run lists what would be redriven and
			changes nothing. This is what to do after a payment provider outage ends.

			A bulk run records each step in a journal file before the next (--journal;
			by default one per state machine and filters under
			$XDG_STATE_HOME/yafdp/saga-redrive/). A run that is killed resumes when the
			same command runs again: what it recorded as redriven is skipped, and an
			execution whose redrive was in flight is redriven only if its redrive
			count shows the call did not land (each call also carries a client token,
			so Step Functions itself treats a repeat as the same redrive). A run
			where some redrives failed stays open too: running it again retries them
			and skips the executions it redrove. A run that finished with nothing
			failed leaves nothing to resume: the next run selects afresh (an
			execution it redrove that failed again is then redriven again).

			Executions that cannot be redriven any more (SUCCEEDED or RUNNING again
			since they were listed, the 1,000-redrive limit) are skipped, each with
			its reason. So is a FAILED execution that ended in a Fail state (a saga
			that caught the error and ran its compensations): a redrive would enter
			that state again and fail at once, so submit such an order again
			instead (one GetExecutionHistory call each tells). As on AWS, a Parallel or Map step that failed reruns only its
			branches and iterations that did not succeed, each from the step where it
			stopped, and a Distributed Map step that failed redrives its Map Run:
			only its child executions that did not succeed run again. 'yafdp local
			up' does the same, but for an execution it restored from --data-dir
			after a restart, whose Map Run it no longer holds: there a new Map Run
			runs every item again.

			Exit codes: 0 every selected execution was redriven or skipped with a
			reason (or listed, with --dry-run); 1 some redrives failed (listed with
			why; run again to retry them); 2 bad arguments or flags, an execution
			that cannot be redriven (SUCCEEDED, RUNNING, Express), or no such
			execution or state machine, with nothing redriven; 130 interrupted (what
			was redriven so far is reported; run the same command again to resume).
		`),
		Example: cmdutil.Examples(`
			# One order's saga, from the step that failed
			$ yafdp --env prod saga redrive ord_2vbm1gh5f8f8x

			# After the payment provider's outage: what would be redriven, then do it
			$ yafdp --env prod saga redrive --status FAILED --since 2h --error Payment.Unavailable --dry-run
			$ yafdp --env prod saga redrive --status FAILED --since 2h --error Payment.Unavailable --rate 20/s
		`),
		Args: cobra.MaximumNArgs(1),
		RunE: cmdutil.RunE(opts, opts.parse, runF, runRedrive),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.StateMachine, "state-machine", "", "The saga's state machine `ARN|NAME` (default: the environment's)")
	fl.StringVar(&opts.Status, "status", "", "In bulk, redrive executions that ended with this `status`: FAILED (default), TIMED_OUT or ABORTED")
	fl.StringVar(&opts.Since, "since", "", "In bulk, keep executions that stopped after this `time` (30m, 2h, 2026-01-01T00:00:00Z)")
	fl.StringVar(&opts.Error, "error", "", "In bulk, keep executions that failed with this `error` name, e.g. Payment.Unavailable")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "List what would be redriven; redrive nothing")
	fl.Var(cmdutil.LimitFlag(&opts.Rate), "rate", "Redrive at most this many executions per second or minute, e.g. 20/s (0: no limit)")
	fl.StringVar(&opts.Journal, "journal", "", "In bulk, record the run in `file` (default $XDG_STATE_HOME/yafdp/saga-redrive/MACHINE-HASH.journal)")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(redriveStatuses, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("state-machine", cmdutil.CompleteStateMachines(f))
	cmd.ValidArgsFunction = cmdutil.CompleteExecutions(f)
	return cmd
}

// parse checks the arguments and flags before anything is sent.
func (o *RedriveOptions) parse(cmd *cobra.Command, args []string) error {
	if len(args) == 1 {
		o.Execution = args[0]
		for _, name := range []string{"status", "since", "error", "journal"} {
			if cmd.Flags().Changed(name) {
				return cmdutil.FlagErrorf("--%s selects executions in bulk; pass either an execution (ARN or order id) or --%s, not both", name, name)
			}
		}
		if strings.Contains(o.Execution, ":express:") {
			return cmdutil.InputError(input.Errorf("execution", "%s is an Express execution, which Step Functions does not redrive", o.Execution).
				WithFix("redrive an execution of a Standard state machine"))
		}
		sm, err := checkExecutionArgs(o.Execution, o.StateMachine, o.Config)
		if err != nil {
			return err
		}
		o.StateMachine = sm
		return nil
	}
	o.Status = strings.ToUpper(o.Status)
	if o.Status == "" {
		o.Status = "FAILED"
	}
	if !slices.Contains(redriveStatuses, o.Status) {
		return cmdutil.FlagErrorf("--status: %q cannot be redriven; pass FAILED, TIMED_OUT or ABORTED", o.Status)
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
	if strings.TrimSpace(o.Error) != o.Error || len(o.Error) > 256 {
		return cmdutil.FlagErrorf("--error: give the error name as the execution reports it, at most 256 characters without surrounding spaces, e.g. Payment.Unavailable")
	}
	if o.Journal != "" {
		if fi, err := os.Stat(o.Journal); err == nil && !fi.Mode().IsRegular() {
			return cmdutil.FlagErrorf("--journal: %s is not a regular file; pass a file path", o.Journal)
		}
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

// expressRedriveError says that Express executions are not redriven.
func expressRedriveError(field input.Field, name string) error {
	return input.Errorf(field, "%s is an Express state machine, whose executions Step Functions does not redrive", name).
		WithFix("redrive the executions of a Standard state machine")
}

// defaultRedriveJournal is where a bulk redrive keeps its journal unless
// --journal says otherwise: one file per state machine and filters, so
// that running the same command again resumes.
func defaultRedriveJournal(machine string, sel sagaredrive.Selection) string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".local", "state")
		} else {
			dir = os.TempDir()
		}
	}
	sum := sha256.Sum256([]byte(sel.Key()))
	return filepath.Join(dir, "yafdp", "saga-redrive", machine+"-"+hex.EncodeToString(sum[:4])+".journal")
}

// openJournal opens the bulk run's journal (--journal, or the default
// one of the machine and selection) and says when it resumes a run.
func (o *RedriveOptions) openJournal(machine string, sel sagaredrive.Selection) (*sagaredrive.JournalFile, error) {
	path := o.Journal
	if path == "" {
		path = defaultRedriveJournal(machine, sel)
	}
	j, st, err := sagaredrive.OpenJournal(path, sel.Key())
	if err != nil {
		return nil, cmdutil.InputError(err)
	}
	if st.Resuming {
		fmt.Fprintf(o.IO.ErrOut, "Resuming from %s: an earlier run stopped with %s recorded redriven and %s unconfirmed (in flight when it stopped, or failed).\n",
			path, ui.Plural(st.Redriven, "execution"), ui.Plural(st.InFlight, "redrive"))
	}
	return j, nil
}

// resolveOne finds the execution given by ARN or order id and checks it
// can be redriven.
func (o *RedriveOptions) resolveOne(ctx context.Context, c *sfn.Client) (executions.Execution, error) {
	machine := o.StateMachine
	if !strings.HasPrefix(o.Execution, "arn:") {
		// An order id: the state machine first, to say what an Express
		// one means here.
		m, err := executions.ResolveStateMachine(ctx, c, o.StateMachine)
		if err != nil {
			return executions.Execution{}, cmdutil.InputError(err)
		}
		if m.Express() {
			return executions.Execution{}, cmdutil.InputError(expressRedriveError("state_machine", m.Name))
		}
		machine = m.ARN
	}
	x, err := executions.Resolve(ctx, c, o.Execution, machine)
	if err != nil {
		return executions.Execution{}, cmdutil.InputError(err)
	}
	if !sagaredrive.Redrivable(x.Status) {
		return executions.Execution{}, cmdutil.InputError(input.Errorf("execution", "%s is %s and cannot be redriven", x.Name, x.Status).
			WithFix("redrive an execution that ended FAILED, TIMED_OUT or ABORTED ('yafdp saga list --status FAILED' lists them)"))
	}
	return x, nil
}

func runRedrive(ctx context.Context, o *RedriveOptions) error {
	p, c, err := cmdutil.PrinterAnd(ctx, o.Deps, o.SFNClient)
	if err != nil {
		return err
	}
	ro := sagaredrive.Options{DryRun: o.DryRun, Rate: o.Rate}
	var journal *sagaredrive.JournalFile
	if o.Execution != "" {
		x, err := o.resolveOne(ctx, c)
		if err != nil {
			return err
		}
		ro.Executions = []executions.Execution{x}
	} else {
		m, err := executions.ResolveStateMachine(ctx, c, o.StateMachine)
		if err != nil {
			return cmdutil.InputError(err)
		}
		if m.Express() {
			return cmdutil.InputError(expressRedriveError("state_machine", m.Name))
		}
		sel := sagaredrive.Selection{StateMachineARN: m.ARN, Status: o.Status, Since: o.since, Error: o.Error}
		ro.Selection = &sel
		if !o.DryRun {
			if journal, err = o.openJournal(m.Name, sel); err != nil {
				return err
			}
			ro.Journal = journal
		}
	}
	var bar *ui.Progress
	if o.IO.CanRedraw() {
		ro.Progress = func(pr sagaredrive.Progress) {
			if bar == nil && pr.Total >= 50 {
				bar = ui.NewProgress(o.IO.ErrOut, int64(pr.Total), "executions redriven")
			}
			if bar != nil {
				bar.Set(int64(pr.Done))
			}
		}
	}
	res, err := sagaredrive.Redrive(ctx, c, ro)
	if bar != nil {
		bar.Done()
	}
	if journal != nil {
		// A run with failed redrives stays open, so that running it again
		// retries them without redriving the others a second time.
		finished := ctx.Err() == nil && err == nil && res.Failed == 0
		if cerr := journal.Close(finished); cerr != nil && err == nil {
			err = cerr
		}
	}
	rep := redriveReport{res}
	if perr := output.PrintWith(p, rep, rep.render); perr != nil {
		return perr
	}
	switch {
	case ctx.Err() != nil:
		return cmdutil.ErrInterrupted
	case err != nil:
		return fmt.Errorf("saga redrive: %w", err)
	case res.Failed > 0:
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed}
	}
	return nil
}

// redriveReport is what the command prints.
type redriveReport struct {
	*sagaredrive.Result
}

func (r redriveReport) render(w io.Writer, s *ui.Styles) error {
	title := "Redrive:"
	if r.DryRun {
		title = "Dry run:"
	}
	if _, err := io.WriteString(w, s.Headline(title, fmt.Sprintf("%s selected", ui.Plural(r.Selected, "execution")))+"\n"); err != nil {
		return err
	}
	if len(r.Items) > 0 {
		t := ui.Table{Headers: []string{"Execution", "Status", "Error", "Stopped", "Redrives", "Outcome", "Why"},
			Align: []ui.Align{ui.AlignLeft, ui.AlignLeft, ui.AlignLeft, ui.AlignLeft, ui.AlignRight, ui.AlignLeft, ui.AlignLeft}}
		for _, it := range r.Items {
			stopped := "-"
			if it.StopDate != nil {
				stopped = it.StopDate.UTC().Format("2006-01-02 15:04:05")
			}
			outcome := it.Outcome
			switch it.Outcome {
			case sagaredrive.OutcomeRedriven:
				outcome = s.Success(outcome)
			case sagaredrive.OutcomeFailed:
				outcome = s.Failure(outcome)
			case "":
				outcome = "not attempted"
			}
			t.Rows = append(t.Rows, []string{it.Name, it.Status, dashed(it.Error), stopped, fmt.Sprint(it.RedriveCount), outcome, dashed(it.Reason)})
		}
		if err := ui.RenderTable(w, t, s); err != nil {
			return err
		}
		io.WriteString(w, "\n")
	}
	facts := ui.NewFacts(s)
	fact := facts.Add
	fact("Selected", ui.Count(int64(r.Selected)))
	if r.DryRun {
		fact("Would redrive", ui.Count(int64(r.Selected-r.Skipped)))
	} else {
		fact("Redriven", s.Success(ui.Count(int64(r.Redriven))))
	}
	fact("Skipped", ui.Count(int64(r.Skipped)))
	failed := ui.Count(int64(r.Failed))
	if r.Failed > 0 {
		failed = s.Failure(failed + " (run again to retry them)")
	}
	fact("Failed", failed)
	if r.Journal != "" {
		fact("Journal", r.Journal)
	}
	if r.Interrupted {
		fact("Interrupted", s.Warning("yes: run the same command again to resume"))
	}
	return facts.Render(w)
}

func dashed(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
