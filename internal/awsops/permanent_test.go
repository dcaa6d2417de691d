package awsops

import (
	"errors"
	"net"
	"syscall"
	"testing"

	"github.com/aws/smithy-go"
)

// An endpoint that refuses connections is down: no retry helps. A
// connection that broke in the middle of a call (a lost answer) is worth
// another try.
func TestIsPermanentTellsDownFromBroken(t *testing.T) {
	call := func(err error) error {
		return &smithy.OperationError{ServiceID: "SQS", OperationName: "ReceiveMessage", Err: err}
	}
	refused := call(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	closed := call(&net.OpError{Op: "read", Net: "tcp", Err: net.ErrClosed})
	reset := call(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
	if !IsPermanent(refused) {
		t.Error("connection refused: want permanent")
	}
	if IsPermanent(closed) || IsPermanent(reset) {
		t.Error("a connection broken mid-call: want a retry")
	}
	if IsPermanent(errors.New("other")) {
		t.Error("an unknown error is not permanent")
	}
}
