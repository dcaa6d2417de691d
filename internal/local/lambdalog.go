package local

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/yafdp/yafdp/internal/local/logsapi"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
	"github.com/yafdp/yafdp/internal/uuid"
)

// ErrThrottled is what errors.Is finds in a StartExecution error that the
// quota refused (ThrottlingException).
var ErrThrottled = errors.New("ThrottlingException")

// StartError is a StartExecution call the service refused, worded as the
// AWS SDK for Go v2 words it with one attempt (RetryMaxAttempts 1: the
// function leaves the retrying to the queue, as the simulator's does); a
// retryable error (a throttle, an internal failure) says the attempts ran
// out:
//
//	operation error SFN: StartExecution, exceeded maximum number of attempts, 1, https response error StatusCode: 400, RequestID: 5f0c…, api error ThrottlingException: Rate exceeded
//
// so that the new-order function's log reads as a real one's, and a
// filter pattern that finds throttles there finds them here.
type StartError struct {
	Code, Message, RequestID string
	StatusCode               int
	err                      *sfnapi.Error
}

func newStartError(e *sfnapi.Error) *StartError {
	status := http.StatusBadRequest
	if e.Code == sfnapi.CodeInternalFailure {
		status = http.StatusInternalServerError
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return &StartError{Code: e.Code, Message: e.Message, RequestID: uuid.V4(b), StatusCode: status, err: e}
}

func (e *StartError) Error() string {
	attempts := ""
	if e.Code == sfnapi.CodeThrottling || e.StatusCode >= 500 {
		attempts = "exceeded maximum number of attempts, 1, "
	}
	return fmt.Sprintf("operation error SFN: StartExecution, %shttps response error StatusCode: %d, RequestID: %s, api error %s: %s",
		attempts, e.StatusCode, e.RequestID, e.Code, e.Message)
}

// Unwrap gives the service's error (errors.Is with sfnapi's sentinels).
func (e *StartError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrThrottled) true for a throttle.
func (e *StartError) Is(target error) bool {
	return target == ErrThrottled && e.Code == sfnapi.CodeThrottling
}

// logSink writes the new-order function's log to a CloudWatch Logs group,
// as Lambda does with a function's standard error: one event per line, a
// stream per execution environment (here, per poller), named as Lambda
// names them (2026/12/06/[$LATEST]<32 hex digits>).
type logSink struct {
	store *logsapi.Store
	group string
}

// stream returns a new stream name for a poller started at t.
func (l logSink) stream(t time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/[$LATEST]%x", t.UTC().Format("2006/01/02"), b)
}

// write puts one line in the stream, with the time prefix Go's log
// package writes by default. The group is created again when someone
// deleted it, as Lambda does with logs:CreateLogGroup.
func (l logSink) write(stream string, t time.Time, line string) {
	if l.store == nil {
		return
	}
	msg := t.UTC().Format("2006/01/02 15:04:05 ") + line
	if err := l.store.PutLogEvent(l.group, stream, t, msg); err != nil {
		if l.group == NewOrderLogGroup {
			_ = createLogGroup(l.store)
		} else {
			_ = l.store.CreateGroup(l.group)
		}
		_ = l.store.PutLogEvent(l.group, stream, t, msg)
	}
}
