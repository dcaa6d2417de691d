package saga

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/executions"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/input"
)

// logsClient returns a CloudWatch Logs client built from the factory's AWS
// configuration, for the verbs that read Express executions.
func logsClient(f *cmdutil.Factory) func(context.Context) (awsops.LogsAPI, error) {
	return func(ctx context.Context) (awsops.LogsAPI, error) {
		cfg, err := f.AWSConfig(ctx)
		if err != nil {
			return nil, err
		}
		return cloudwatchlogs.NewFromConfig(cfg), nil
	}
}

// runWatchExpress follows an Express execution through its state machine's
// CloudWatch Logs, with the same output as for a Standard one.
func runWatchExpress(ctx context.Context, o *WatchOptions, p *output.Printer, c *sfn.Client, xe *executions.ExpressError) error {
	target, err := executions.ExpressLogging(ctx, c, xe.Machine)
	if err != nil {
		if ctx.Err() != nil {
			return cmdutil.ErrInterrupted
		}
		return cmdutil.InputError(err)
	}
	lc, err := o.Logs(ctx)
	if err != nil {
		return err
	}
	arn := xe.ARN
	if arn == "" {
		if arn, err = executions.FindExpress(ctx, lc, target, o.Execution); err != nil {
			if ctx.Err() != nil {
				return cmdutil.ErrInterrupted
			}
			return cmdutil.InputError(err)
		}
	}
	parts := strings.Split(arn, ":")
	x := executions.Execution{ARN: arn, Name: parts[len(parts)-2], StateMachineARN: target.Machine.ARN, Status: "RUNNING"}
	var live *liveTimeline
	if p.Format() == output.Table && o.IO.IsStdoutTTY() {
		live = &liveTimeline{w: o.IO.Out, s: p.Styles()}
	} else if p.Format() == output.Table && o.IO.CanRedraw() {
		fmt.Fprintf(o.IO.ErrOut, "Following %s through log group %s until it ends…\n", arn, target.Group)
	}
	stream := output.NewList[asl.HistoryEvent](p)
	res, werr := executions.WatchExpress(ctx, lc, executions.ExpressWatchOptions{Target: target, ExecutionARN: arn, Interval: o.Interval,
		Sleep: o.Sleep, Follow: true,
		OnEvents: func(added, all []asl.HistoryEvent) {
			switch {
			case p.Format() == output.JSONL:
				for _, e := range added {
					_ = stream.Add(e)
				}
			case live != nil:
				live.draw(x.Name, statusOf("", all), all)
			}
		}})
	if live != nil {
		live.clear()
	}
	if res != nil && p.Format() != output.JSONL {
		rep := newExecutionReport(res.Execution, res.Events, p.Format() == output.JSON)
		if err := output.PrintWith(p, rep, rep.render); err != nil {
			return err
		}
	}
	switch {
	case werr != nil && ctx.Err() != nil:
		return cmdutil.ErrInterrupted
	case errors.Is(werr, executions.ErrNoEnd):
		fmt.Fprintln(o.IO.ErrOut, werr)
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed}
	case werr != nil:
		return cmdutil.InputError(werr)
	case !res.Execution.Succeeded():
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed}
	}
	return nil
}

// readExpress reads an Express execution's records once, as they are now.
func readExpress(ctx context.Context, c awsops.SFNAPI, logs func(context.Context) (awsops.LogsAPI, error), ref string, xe *executions.ExpressError) (*executions.WatchResult, error) {
	target, err := executions.ExpressLogging(ctx, c, xe.Machine)
	if err != nil {
		return nil, err
	}
	lc, err := logs(ctx)
	if err != nil {
		return nil, err
	}
	arn := xe.ARN
	if arn == "" {
		if arn, err = executions.FindExpress(ctx, lc, target, ref); err != nil {
			return nil, err
		}
	}
	res, err := executions.WatchExpress(ctx, lc, executions.ExpressWatchOptions{Target: target, ExecutionARN: arn})
	if err == nil && len(res.Events) == 0 {
		return nil, input.Errorf("execution", "no record of %s in log group %s", arn, target.Group).
			WithFix("check the ARN; at level %s the logs hold only what that level records", target.Level)
	}
	return res, err
}
