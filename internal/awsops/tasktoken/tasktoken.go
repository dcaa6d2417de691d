package tasktoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/input"
)

// API is the part of the Step Functions API that answers tasks. *sfn.Client
// satisfies it.
type API interface {
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
	SendTaskHeartbeat(ctx context.Context, in *sfn.SendTaskHeartbeatInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error)
}

var _ API = (*sfn.Client)(nil)

// Kind is what an Answer tells the task.
type Kind string

// The three answers.
const (
	Success   Kind = "success"
	Failure   Kind = "failure"
	Heartbeat Kind = "heartbeat"
)

// Answer is one answer to the task waiting for Token.
type Answer struct {
	Kind  Kind
	Token string
	// Output is the task's result, JSON (Success).
	Output string
	// Error and Cause fail the task (Failure); either may be empty.
	Error, Cause string
}

// The API's limits on an answer.
const (
	MaxTokenLen = 2048
	MaxOutput   = 256 * 1024 // bytes of UTF-8
	MaxErrorLen = 256
	MaxCauseLen = 32768
)

// Check reports the first way a would be refused by the API, as an
// *input.Error on the field at fault (task_token, task_output, error,
// cause), so that nothing is sent.
func (a Answer) Check() error {
	switch {
	case a.Token == "":
		return input.Errorf("task_token", "is empty").WithFix("give the token the task received ($$.Task.Token)")
	case utf8.RuneCountInString(a.Token) > MaxTokenLen:
		return input.Errorf("task_token", "is %d characters long; a task token has at most %d", utf8.RuneCountInString(a.Token), MaxTokenLen)
	}
	switch a.Kind {
	case Success:
		if len(a.Output) > MaxOutput {
			return input.Errorf("task_output", "is %d bytes; Step Functions takes at most %d", len(a.Output), MaxOutput)
		}
		if !json.Valid([]byte(a.Output)) {
			return input.Errorf("task_output", "is not JSON").WithFix("give the task's result as JSON, as in '{\"paid\":true}' or @result.json")
		}
	case Failure:
		if n := utf8.RuneCountInString(a.Error); n > MaxErrorLen {
			return input.Errorf("error", "is %d characters long; Step Functions takes at most %d", n, MaxErrorLen)
		}
		if n := utf8.RuneCountInString(a.Cause); n > MaxCauseLen {
			return input.Errorf("cause", "is %d characters long; Step Functions takes at most %d", n, MaxCauseLen)
		}
	case Heartbeat:
	default:
		return fmt.Errorf("tasktoken: unknown answer kind %q", a.Kind)
	}
	return nil
}

// Errors Send returns for answers the API refuses.
var (
	// ErrInvalidToken: no task was ever given this token (InvalidToken).
	ErrInvalidToken = errors.New("no task was given this token: check that it was copied whole")
	// ErrTaskEnded: the task has ended and takes no more answers
	// (TaskTimedOut, TaskDoesNotExist): it timed out, was answered or its
	// execution stopped.
	ErrTaskEnded = errors.New("the task has ended (it timed out, was already answered, or its execution stopped) and takes no more answers")
)

// Send checks a and sends it.
func Send(ctx context.Context, c API, a Answer) error {
	if err := a.Check(); err != nil {
		return err
	}
	var err error
	switch a.Kind {
	case Success:
		_, err = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(a.Token), Output: aws.String(a.Output)})
	case Failure:
		in := &sfn.SendTaskFailureInput{TaskToken: aws.String(a.Token)}
		if a.Error != "" {
			in.Error = aws.String(a.Error)
		}
		if a.Cause != "" {
			in.Cause = aws.String(a.Cause)
		}
		_, err = c.SendTaskFailure(ctx, in)
	case Heartbeat:
		_, err = c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(a.Token)})
	}
	switch awsops.ErrorCode(err) {
	case "":
	case "InvalidToken":
		return input.Errorf("task_token", "%v", ErrInvalidToken)
	case "TaskTimedOut", "TaskDoesNotExist":
		return ErrTaskEnded
	}
	return err
}
