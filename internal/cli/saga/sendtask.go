package saga

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/awsops/tasktoken"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/ui"
)

// SendTaskOptions are the inputs of `yafdp saga send-task-success`,
// `send-task-failure` and `send-task-heartbeat`.
type SendTaskOptions struct {
	cmdutil.Deps

	Kind   tasktoken.Kind
	Token  string
	Output string // JSON, or @FILE (success)
	Error  string // failure
	Cause  string // failure

	answer tasktoken.Answer
}

// sendTaskVerbs describe the three verbs.
var sendTaskVerbs = map[tasktoken.Kind]struct {
	short, long, example string
}{
	tasktoken.Success: {
		short: "Answer a task waiting for its token with its result",
		long: `
			Answer a Task that waits for its task token (a .waitForTaskToken integration,
			which gets the token as $$.Task.Token, or an activity) with its result, as
			SendTaskSuccess does: the Task succeeds with --task-output (JSON, or @FILE) as
			its result, and the execution goes on.`,
		example: `
			$ yafdp saga send-task-success "$TOKEN" --task-output '{"courierId":"c-42"}'
			$ yafdp --endpoint-url http://127.0.0.1:4566 saga send-task-success "$TOKEN" --task-output @result.json`,
	},
	tasktoken.Failure: {
		short: "Fail a task waiting for its token",
		long: `
			Fail a Task that waits for its task token, as SendTaskFailure does: the Task
			fails with --error and --cause (either may be left out), which its Retry and
			Catch see like any other error.`,
		example: `
			$ yafdp saga send-task-failure "$TOKEN" --error Courier.Unavailable --cause "no courier within 5 km"`,
	},
	tasktoken.Heartbeat: {
		short: "Tell a task waiting for its token that its work goes on",
		long: `
			Tell a Task that waits for its task token that the work goes on, as
			SendTaskHeartbeat does: a Task with HeartbeatSeconds times out with
			States.HeartbeatTimeout when no heartbeat comes for that long.`,
		example: `
			$ yafdp saga send-task-heartbeat "$TOKEN"`,
	},
}

const sendTaskCommon = `

			The token is the one the Task passed on (in the message, event or payload its
			Parameters built from $$.Task.Token). Exit codes: 0 sent; 1 the task has ended
			(it timed out, was already answered, or its execution stopped); 2 bad input
			(nothing is sent), or a token no task was given.`

// NewCmdSendTask returns `yafdp saga send-task-<kind>`. runF replaces
// runSendTask in tests.
func NewCmdSendTask(f *cmdutil.Factory, kind tasktoken.Kind, runF func(context.Context, *SendTaskOptions) error) *cobra.Command {
	opts := &SendTaskOptions{Deps: f.Deps(), Kind: kind}
	v := sendTaskVerbs[kind]
	cmd := &cobra.Command{
		Use:     "send-task-" + string(kind) + " TOKEN",
		Short:   v.short,
		Long:    cmdutil.Heredoc(v.long + sendTaskCommon),
		Example: cmdutil.Examples(v.example),
		Args:    cobra.ExactArgs(1),
		RunE:    cmdutil.RunE(opts, opts.parse, runF, runSendTask),
	}
	fl := cmd.Flags()
	switch kind {
	case tasktoken.Success:
		fl.StringVar(&opts.Output, "task-output", "", "The task's result: JSON, or @FILE (required)")
	case tasktoken.Failure:
		fl.StringVar(&opts.Error, "error", "", "The error `name` the task fails with")
		fl.StringVar(&opts.Cause, "cause", "", "The `text` that explains the failure")
	}
	return cmd
}

// parse reads the token and the answer, and checks them against the API's
// limits: bad input is refused before anything is sent.
func (o *SendTaskOptions) parse(_ *cobra.Command, args []string) error {
	o.Token = strings.TrimSpace(args[0])
	a := tasktoken.Answer{Kind: o.Kind, Token: o.Token, Error: o.Error, Cause: o.Cause}
	if o.Kind == tasktoken.Success {
		if o.Output == "" {
			return cmdutil.FlagErrorf("--task-output is required: give the task's result as JSON, as in --task-output '{\"paid\":true}' or @result.json")
		}
		out, err := readTaskOutput(o.Output)
		if err != nil {
			return cmdutil.InputError(err)
		}
		a.Output = out
	}
	if err := a.Check(); err != nil {
		return cmdutil.InputError(err)
	}
	o.answer = a
	return nil
}

// readTaskOutput returns --task-output: the value, or the file after @,
// read no further than the API's limit.
func readTaskOutput(v string) (string, error) {
	path, ok := strings.CutPrefix(v, "@")
	if !ok {
		return v, nil
	}
	data, err := input.ReadFile(path, input.Limit{Bytes: tasktoken.MaxOutput, What: "the most Step Functions takes for a task's output"})
	if err != nil {
		return "", input.Errorf("task_output", "%v", err)
	}
	return string(data), nil
}

// sendTaskResult is what the verbs print.
type sendTaskResult struct {
	Sent  tasktoken.Kind `json:"sent"`
	Token string         `json:"taskToken"`
}

func runSendTask(ctx context.Context, o *SendTaskOptions) error {
	p, c, err := cmdutil.PrinterAnd(ctx, o.Deps, o.SFNClient)
	if err != nil {
		return err
	}
	if err := tasktoken.Send(ctx, c, o.answer); err != nil {
		if errors.Is(err, tasktoken.ErrTaskEnded) {
			return fmt.Errorf("send-task-%s: %w", o.Kind, err)
		}
		return cmdutil.InputError(err)
	}
	res := sendTaskResult{Sent: o.Kind, Token: o.Token}
	return output.PrintWith(p, res, func(w io.Writer, s *ui.Styles) error {
		_, err := fmt.Fprintf(w, "%s sent %s to the task with token %s\n", s.SuccessIcon(), o.Kind, shortToken(o.Token))
		return err
	})
}

// shortToken shows a token's start and end: tokens are hundreds of
// characters long.
func shortToken(t string) string {
	if len(t) <= 24 {
		return t
	}
	return t[:12] + "…" + t[len(t)-8:]
}
