package redrive

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/input"
)

// redriveNative starts a StartMessageMoveTask and follows it to its end;
// a cancelled ctx cancels the task.
func redriveNative(ctx context.Context, c awsops.SQSAPI, opts *Options, st awsops.QueueStats, dest string, res *Result) error {
	task, err := startMoveTask(ctx, c, opts, st, dest, res)
	if err != nil {
		return err
	}
	res.Native = task
	res.Notes = append(res.Notes, input.Msg("moved messages get new MessageIds; cancelling a move task does not undo the moves already made"))
	sleep := opts.Sleep.OrSleepContext()
	interval := opts.PollInterval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	for {
		if err := readMoveTask(ctx, c, st.ARN, task); err != nil {
			return err
		}
		res.Moved = int(task.Moved)
		if opts.Progress != nil {
			opts.Progress(Progress{Moved: res.Moved, Total: max(task.ToMove, st.Visible)})
		}
		switch task.Status {
		case "COMPLETED":
			return nil
		case "FAILED":
			res.Failed = int(max(0, task.ToMove-task.Moved))
			res.Failures = append(res.Failures, Failure{Reason: input.Msg("the move task failed: %s", task.FailureReason)})
			return fmt.Errorf("the move task failed after %d messages: %s", task.Moved, task.FailureReason)
		case "CANCELLED":
			task.Cancelled = true
			return nil
		}
		if err := sleep(ctx, interval); err != nil {
			res.Interrupted = true
			cancelMoveTask(ctx, c, task, res)
			return ctx.Err()
		}
	}
}

// startMoveTask starts the task, to dest (an ARN) or to the messages' own
// sources, once no other task runs on the queue (SQS allows one).
func startMoveTask(ctx context.Context, c awsops.SQSAPI, opts *Options, st awsops.QueueStats, dest string, res *Result) (*NativeTask, error) {
	in := &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(st.ARN), DestinationArn: destinationARN(dest)}
	res.Targets = []string{"the queues the messages came from"}
	if dest != "" {
		res.Targets = []string{queueNameOfARN(dest)}
	}
	if ps := opts.Rate.PerSecond(); ps > 0 {
		in.MaxNumberOfMessagesPerSecond = aws.Int32(int32(max(1, ps)))
	}
	tasks, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(st.ARN), MaxResults: aws.Int32(10)})
	if err != nil {
		if awsops.IsUnsupported(err) {
			return nil, noNativeRedrive()
		}
		return nil, fmt.Errorf("listing move tasks of %s: %w", opts.Source.Name, err)
	}
	for _, t := range tasks.Results {
		if aws.ToString(t.Status) == "RUNNING" {
			return nil, input.Errorf("strategy", "a move task is already running on %s (%d of %d moved); SQS allows one at a time: wait for it or cancel it",
				opts.Source.Name, t.ApproximateNumberOfMessagesMoved, aws.ToInt64(t.ApproximateNumberOfMessagesToMove))
		}
	}
	out, err := c.StartMessageMoveTask(ctx, in)
	if err != nil {
		if awsops.IsUnsupported(err) {
			return nil, noNativeRedrive()
		}
		return nil, fmt.Errorf("starting the move task: %w", err)
	}
	return &NativeTask{TaskHandle: aws.ToString(out.TaskHandle), Status: "RUNNING"}, nil
}

func noNativeRedrive() error {
	return input.Errorf("strategy", "this endpoint has no StartMessageMoveTask (native redrive)").WithFix("%s", useCopy)
}

// readMoveTask reads the task's status and counts. It reads them even
// after Ctrl-C: the task goes on regardless.
func readMoveTask(ctx context.Context, c awsops.SQSAPI, sourceARN string, task *NativeTask) error {
	list, err := c.ListMessageMoveTasks(context.WithoutCancel(ctx), &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(sourceARN), MaxResults: aws.Int32(10)})
	if err != nil {
		return fmt.Errorf("reading the move task's progress: %w", err)
	}
	// SQS lists a task's TaskHandle only while it runs, newest task
	// first: once ours has ended it is the first entry, with no handle.
	// (Only one task per source queue can run at a time.)
	var found *types.ListMessageMoveTasksResultEntry
	for i := range list.Results {
		if h := aws.ToString(list.Results[i].TaskHandle); h != "" && h == task.TaskHandle {
			found = &list.Results[i]
			break
		}
	}
	if found == nil && len(list.Results) > 0 && aws.ToString(list.Results[0].TaskHandle) == "" {
		found = &list.Results[0]
	}
	if t := found; t != nil {
		task.Status = aws.ToString(t.Status)
		task.Moved = t.ApproximateNumberOfMessagesMoved
		task.ToMove = aws.ToInt64(t.ApproximateNumberOfMessagesToMove)
		task.FailureReason = aws.ToString(t.FailureReason)
	}
	return nil
}

// cancelMoveTask cancels the task after Ctrl-C; the moves made stay made.
func cancelMoveTask(ctx context.Context, c awsops.SQSAPI, task *NativeTask, res *Result) {
	if task.TaskHandle == "" {
		return
	}
	_, err := c.CancelMessageMoveTask(context.WithoutCancel(ctx), &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String(task.TaskHandle)})
	if err != nil {
		res.Notes = append(res.Notes, input.Msg("could not cancel the move task, which goes on: %s", awsops.ShortError(err)))
		return
	}
	task.Cancelled = true
	task.Status = "CANCELLING"
}

// queueNameOfARN is the queue name at the end of an SQS ARN.
func queueNameOfARN(arn string) string {
	return arn[strings.LastIndexByte(arn, ':')+1:]
}
