package dlq

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/filter"
	"github.com/yafdp/yafdp/internal/awsops/redrive"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/ui"
)

// RedriveOptions are the inputs of `yafdp dlq redrive`.
type RedriveOptions struct {
	cmdutil.Deps

	Queue      string
	To         string
	Strategy   string
	Rate       rate.Rate
	Max        int
	Filter     string
	DryRun     bool
	Journal    string
	Visibility time.Duration
	Wait       time.Duration

	filter *filter.Filter
	queue  awsops.QueueRef
	to     awsops.QueueRef
}

var redriveLong = cmdutil.Heredoc(`
			Move the messages of a dead-letter queue back to the queue they came from,
			or to --to QUEUE, without losing one.

			Strategies (--strategy):
			  native  SQS's own StartMessageMoveTask, paced by --rate (at most 500/s),
			          progress from ListMessageMoveTasks. Moved messages get new
			          MessageIds. Ctrl-C cancels the task, which does not undo the moves
			          already made. No --filter, --max or --dry-run.
			  copy    receive (long polling), send a copy with every attribute intact
			          (String, Number and Binary, the trace header, FIFO group and
			          deduplication ids), then delete only the messages whose copy was
			          accepted. Stops when the queue is really empty: several empty
			          receives in a row, with nothing visible or in flight. Like a move
			          task, it moves only messages sent before it started: a copy that
			          fails back into the DLQ during the run (the consumer still broken)
			          is left there and counted, not moved round and round. A journal file
			          records every step before the next, so a run killed at any point
			          resumes (run the same command again) without losing a message and
			          without sending again what it records as moved. What it cannot know
			          is whether a send in flight when a run died (killed, or a call with
			          no answer) arrived: those messages, at most one batch of ten per
			          worker, are sent again and reported as possible duplicates (a FIFO
			          target drops them by deduplication id within five minutes). After
			          Ctrl-C, messages the run never tried are reported as not attempted
			          and stay in the DLQ for the next run.
			  auto    native where the endpoint supports it and no copy-only flag is
			          given; copy otherwise. The default.

			--filter EXPR moves only matching messages (the rest stay): body.FIELD,
			body["key"], body.items[0].sku, attr.NAME, sys.NAME (ApproximateReceiveCount,
			SentTimestamp, ...), id; == != < <= > >= contains startsWith endsWith matches;
			&& || ! and parentheses. --max N stops after N messages, --rate paces,
			--dry-run lists what would move (it receives the messages, which counts
			toward their receive count, and makes them visible again).

			A FIFO queue drops a message whose deduplication id it saw in the last five
			minutes; copy leaves such a message in the DLQ and says when to run again.

			A copy run hides each message it holds (being moved, skipped by --filter,
			failed, listed by --dry-run) for --visibility (30s) at a time, extends that
			every third of it while it runs, and makes held messages visible again when
			it ends. A run that is killed leaves them hidden for at most --visibility;
			a run started meanwhile says how many messages in flight it is waiting for.

			Native redrive needs a DLQ that some queue names in its RedrivePolicy and a
			destination of the same type (standard or FIFO); messages sent straight into
			the DLQ (no DeadLetterQueueSourceArn) go to the DLQ's only source queue, and
			auto copies when the DLQ has several. --to is checked before any message is
			touched.

			Exit codes: 0 everything matching was moved; 1 some messages could not be
			moved (listed with why; they are still in the DLQ); 2 bad flags, an unknown
			queue, or a DLQ with several sources and no --to; 130 interrupted (what
			moved so far is reported; run again to resume).
		`)

var redriveExample = cmdutil.Examples(`
			# Everything back to the source queue, the best way the endpoint allows
			$ yafdp --env prod dlq redrive

			# See what a filtered redrive would move, then do it at 20 messages a second
			$ yafdp --env prod dlq redrive --filter 'body.currency == "EUR" && sys.ApproximateReceiveCount < 10' --dry-run
			$ yafdp --env prod dlq redrive --filter 'body.currency == "EUR" && sys.ApproximateReceiveCount < 10' --rate 20/s

			# The first 100 messages to a quarantine queue
			$ yafdp dlq redrive --queue orders-dlq --to orders-quarantine --max 100 --strategy copy
		`)

// NewCmdRedrive returns `yafdp dlq redrive`. runF replaces runRedrive in
// tests.
func NewCmdRedrive(f *cmdutil.Factory, runF func(context.Context, *RedriveOptions) error) *cobra.Command {
	opts := &RedriveOptions{Deps: f.Deps()}
	cmd := &cobra.Command{
		Use:     "redrive",
		Short:   "Move dead-lettered messages back to their source queue without losing one",
		Long:    redriveLong,
		Example: redriveExample,
		Args:    cobra.NoArgs,
		RunE:    cmdutil.RunE(opts, opts.parse, runF, runRedrive),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Queue, "queue", "", "Redrive this dead-letter queue `URL|NAME` (default: the environment's dlq)")
	fl.StringVar(&opts.To, "to", "", "Move to this queue `URL|NAME` instead of each message's source queue")
	fl.StringVar(&opts.Strategy, "strategy", redrive.StrategyAuto, "How to move: auto, native or copy")
	fl.Var(cmdutil.LimitFlag(&opts.Rate), "rate", "Move at most this many messages per second or minute, e.g. 50/s (0: no limit)")
	fl.IntVar(&opts.Max, "max", 0, "Stop after `n` messages (0: all); copy strategy")
	fl.StringVar(&opts.Filter, "filter", "", "Move only messages matching this `expression`; copy strategy")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "List what would move; move nothing")
	fl.StringVar(&opts.Journal, "journal", "", "Record the run in `file` (default $XDG_STATE_HOME/yafdp/redrive/QUEUE-HASH.journal)")
	fl.DurationVar(&opts.Visibility, "visibility", 30*time.Second, "Hide a held message for this `duration` at a time, extended while the run goes on")
	fl.DurationVar(&opts.Wait, "wait", 5*time.Second, "Long-poll each receive for up to this `duration` (0 to 20s)")
	_ = cmd.RegisterFlagCompletionFunc("strategy", cobra.FixedCompletions(redrive.Strategies, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("queue", cmdutil.CompleteQueues(f))
	_ = cmd.RegisterFlagCompletionFunc("to", cmdutil.CompleteQueues(f))
	return cmd
}

func (o *RedriveOptions) parse(cmd *cobra.Command, _ []string) error {
	switch o.Strategy {
	case redrive.StrategyAuto, redrive.StrategyNative, redrive.StrategyCopy:
	default:
		return cmdutil.FlagErrorf("--strategy: %q is not auto, native or copy", o.Strategy)
	}
	if o.Max < 0 {
		return cmdutil.FlagErrorf("--max: must be 0 (all) or more, not %d", o.Max)
	}
	if o.Visibility < time.Second || o.Visibility > 12*time.Hour {
		return cmdutil.FlagErrorf("--visibility: must be 1s to 12h, not %s", o.Visibility)
	}
	if o.Wait < 0 || o.Wait > 20*time.Second {
		return cmdutil.FlagErrorf("--wait: must be 0 to 20s (SQS long polling), not %s", o.Wait)
	}
	if cmd.Flags().Changed("filter") {
		f, err := filter.Parse(o.Filter)
		if err != nil {
			return cmdutil.FlagErrorf("--filter: %v", err)
		}
		o.filter = f
	}
	if o.To != "" {
		var err error
		if o.to, err = awsops.ParseQueueRef("target", o.To); err != nil {
			return cmdutil.FlagError(err)
		}
	}
	if o.Journal != "" {
		// Checked before any AWS call: a journal is a file of its own.
		if fi, err := os.Stat(o.Journal); err == nil && !fi.Mode().IsRegular() {
			return cmdutil.FlagErrorf("--journal: %s is not a regular file; pass a file path", o.Journal)
		}
	}
	ref, err := dlqRef(o.Queue, o.Config)
	if err != nil {
		return err
	}
	o.Queue, o.queue = ref.String(), ref
	if o.To != "" && o.To == o.Queue {
		return cmdutil.FlagErrorf("--to is the dead-letter queue itself; give the queue to move messages to")
	}
	check := redrive.Options{Strategy: o.Strategy, Max: o.Max, Rate: o.Rate, Filter: o.filter, DryRun: o.DryRun}
	if err := redrive.Check(&check); err != nil {
		return cmdutil.FlagError(err)
	}
	return nil
}

// defaultJournal is where a redrive of queueURL keeps its journal unless
// --journal says otherwise: one file per queue, so running the same
// command again resumes.
func defaultJournal(q awsops.Queue) string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".local", "state")
		} else {
			dir = os.TempDir()
		}
	}
	sum := sha256.Sum256([]byte(q.URL))
	return filepath.Join(dir, "yafdp", "redrive", q.Name+"-"+hex.EncodeToString(sum[:4])+".journal")
}

// redriveReport is what the command prints: the result, with the options
// its notes and failures name shown as flags.
type redriveReport struct {
	*redrive.Result
}

func newRedriveReport(res *redrive.Result) redriveReport {
	r := *res
	r.Notes = flagMessages(res.Notes)
	r.Failures = make([]redrive.Failure, len(res.Failures))
	for i, f := range res.Failures {
		r.Failures[i] = redrive.Failure{MessageID: f.MessageID, Reason: flagMessage(f.Reason)}
	}
	return redriveReport{&r}
}

func flagMessages(ms []input.Message) []input.Message {
	if ms == nil {
		return nil
	}
	out := make([]input.Message, len(ms))
	for i, m := range ms {
		out[i] = flagMessage(m)
	}
	return out
}

// flagMessage is m with the fields it names shown as flags.
func flagMessage(m input.Message) input.Message { return input.Msg("%s", m.Render(cmdutil.FlagOf)) }

func (r redriveReport) render(w io.Writer, s *ui.Styles) error {
	var b strings.Builder
	title := "Redrive:"
	if r.DryRun {
		title = "Dry run:"
	}
	targets := strings.Join(r.Targets, ", ")
	if targets == "" {
		targets = "-"
	}
	b.WriteString(s.Headline(title, fmt.Sprintf("%s → %s · %s strategy", r.Source, targets, r.Strategy)))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  %s\n", s.Muted(n.String()))
	}
	b.WriteString("\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if r.DryRun && len(r.Planned) > 0 {
		t := ui.Table{Headers: []string{"Message ID", "Target", "Receives", "Bytes"}, Align: []ui.Align{ui.AlignLeft, ui.AlignLeft, ui.AlignRight, ui.AlignRight}}
		for _, p := range r.Planned {
			t.Rows = append(t.Rows, []string{p.MessageID, p.Target, fmt.Sprint(p.ReceiveCount), ui.Count(int64(p.Bytes))})
		}
		if err := ui.RenderTable(w, t, s); err != nil {
			return err
		}
		io.WriteString(w, "\n")
	}
	facts := ui.NewFacts(s)
	fact := facts.Add
	if r.DryRun {
		fact("Would move", ui.Count(int64(len(r.Planned))))
	} else {
		fact("Moved", s.Success(ui.Count(int64(r.Moved))))
	}
	fact("Skipped by filter", ui.Count(int64(r.Skipped)))
	failed := ui.Count(int64(r.Failed))
	if r.Failed > 0 {
		failed = s.Failure(failed + " (still in the DLQ)")
	}
	fact("Failed", failed)
	if r.NotAttempted > 0 {
		fact("Not attempted", ui.Count(int64(r.NotAttempted))+" (the run stopped first; still in the DLQ)")
	}
	if r.ArrivedDuringRun > 0 {
		fact("Left for later", ui.Count(int64(r.ArrivedDuringRun))+" (sent after this run began; run it again to move them)")
	}
	if r.AlreadyMoved > 0 {
		fact("Already moved", ui.Count(int64(r.AlreadyMoved))+" (sent by an earlier run, deleted now)")
	}
	if r.PossibleDuplicates > 0 {
		fact("Possible duplicates", s.Warning(ui.Count(int64(r.PossibleDuplicates))+" (sent again: an earlier run died while their send was in flight)"))
	}
	if r.Native != nil {
		st := r.Native.Status
		if r.Native.Cancelled {
			st += ", cancelled: moves already made stay made"
		}
		fact("Move task", fmt.Sprintf("%s (%s of %s)", st, ui.Count(r.Native.Moved), ui.Count(r.Native.ToMove)))
	}
	if r.Journal != "" {
		fact("Journal", r.Journal)
	}
	if r.Interrupted {
		fact("Interrupted", s.Warning("yes: run the same command again to resume"))
	}
	if err := facts.Render(w); err != nil {
		return err
	}
	if len(r.Failures) > 0 {
		io.WriteString(w, "\n")
		t := ui.Table{Headers: []string{"Message ID", "Why it was not moved"}}
		for _, f := range r.Failures {
			t.Rows = append(t.Rows, []string{dashed(f.MessageID), s.Failure(f.Reason.String())})
		}
		return ui.RenderTable(w, t, s)
	}
	return nil
}

func dashed(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runRedrive(ctx context.Context, o *RedriveOptions) error {
	p, c, q, err := begin(ctx, o.Deps, o.queue)
	if err != nil {
		return err
	}
	ro := redrive.Options{Source: q, Strategy: o.Strategy, Max: o.Max, Rate: o.Rate, Filter: o.filter, DryRun: o.DryRun,
		Visibility: o.Visibility, Wait: o.Wait}
	if o.Wait == 0 {
		ro.Wait = -1
	}
	if o.To != "" {
		to, err := resolve(ctx, c, "target", o.to)
		if err != nil {
			return err
		}
		ro.Target = &to
	}
	needJournal := !o.DryRun && o.Strategy != redrive.StrategyNative
	if needJournal {
		path := o.Journal
		if path == "" {
			path = defaultJournal(q)
		}
		j, st, err := redrive.OpenJournal(path, q.URL)
		if err != nil {
			return cmdutil.InputError(err)
		}
		defer func() { _ = j.Close(ctx.Err() == nil) }()
		if st.Unfinished {
			fmt.Fprintf(o.IO.ErrOut, "Resuming from %s: an earlier run stopped with %s recorded moved and %s in flight.\n",
				path, ui.Plural(st.Sent, "message"), ui.Plural(st.Uncertain, "message"))
		}
		ro.Journal = j
	}
	var lastWaiting int64 = -1
	ro.Waiting = func(n int64) {
		if n != lastWaiting {
			lastWaiting = n
			fmt.Fprintf(o.IO.ErrOut, "Waiting for %s in flight that this run does not hold: another run has them, or one that was stopped (they come back within its --visibility).\n",
				ui.Plural(int(n), "message"))
		}
	}
	var bar *ui.Progress
	if o.IO.CanRedraw() {
		ro.Progress = func(pr redrive.Progress) {
			if bar == nil && pr.Total >= 50 {
				bar = ui.NewProgress(o.IO.ErrOut, pr.Total, "messages moved")
			}
			if bar != nil {
				bar.Set(int64(pr.Moved + pr.Skipped + pr.Failed))
			}
		}
	}
	res, err := redrive.Redrive(ctx, c, ro)
	if bar != nil {
		bar.Done()
	}
	if res == nil {
		return cmdutil.InputError(err)
	}
	rep := newRedriveReport(res)
	if perr := output.PrintWith(p, rep, rep.render); perr != nil {
		return perr
	}
	switch {
	case ctx.Err() != nil:
		return cmdutil.ErrInterrupted
	case err != nil:
		return cmdutil.InputError(err)
	case res.Failed > 0:
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed}
	}
	return nil
}
