package awsops

import (
	"context"
	"errors"
	"fmt"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"
)

// Default time limits of one AWS call, its retries included. An endpoint
// that accepts the connection and never answers must not hang a command.
const (
	// DefaultTimeout bounds a call that sends or reads a little.
	DefaultTimeout = 30 * time.Second
	// DefaultSendTimeout bounds SendMessageBatch, which may upload 1 MiB.
	DefaultSendTimeout = 60 * time.Second
)

// TimeoutError is an AWS call that got no answer in time.
type TimeoutError struct {
	// Service and Operation name the call: SQS, GetQueueUrl.
	Service, Operation string
	// After is the limit that ran out (a long poll's wait not included).
	After time.Duration
	Err   error
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s %s got no answer within %s", e.Service, e.Operation, e.After)
}

// Unwrap returns the SDK's error.
func (e *TimeoutError) Unwrap() error { return e.Err }

// Timeout returns what a call may take: limit when it is set, otherwise
// the operation's default; a long poll (ReceiveMessage with
// WaitTimeSeconds) gets its wait on top.
func Timeout(limit time.Duration, operation string, params any) time.Duration {
	d := limit
	if d <= 0 {
		d = DefaultTimeout
		if operation == "SendMessageBatch" || operation == "SendMessage" {
			d = DefaultSendTimeout
		}
	}
	if in, ok := params.(*sqs.ReceiveMessageInput); ok && in.WaitTimeSeconds > 0 {
		d += time.Duration(in.WaitTimeSeconds) * time.Second
	}
	return d
}

// WithTimeout is an entry for aws.Config.APIOptions that bounds every call
// of the clients made from that configuration: see Timeout (limit 0 means
// the defaults). The limit covers the SDK's retries: a call that runs out
// of time is not tried again, and fails with a *TimeoutError.
func WithTimeout(limit time.Duration) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("yafdpTimeout",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				op := awsmiddleware.GetOperationName(ctx)
				d := Timeout(limit, op, in.Parameters)
				tctx, cancel := context.WithTimeout(ctx, d)
				defer cancel()
				out, md, err := next.HandleInitialize(tctx, in)
				if err != nil && ctx.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
					after := limit
					if after <= 0 {
						after = Timeout(0, op, nil)
					}
					err = &TimeoutError{Service: awsmiddleware.GetServiceID(ctx), Operation: op, After: after, Err: err}
				}
				return out, md, err
			}), middleware.After)
	}
}
