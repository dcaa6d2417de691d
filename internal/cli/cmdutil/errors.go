package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes. internal/cli maps errors to them in one place; commands return
// errors and never call os.Exit. A command that uses further codes documents
// them in its help text and returns an *ExitError.
const (
	ExitOK          = 0
	ExitFailed      = 1   // the operation failed
	ExitUsage       = 2   // usage error or bad input: flags, arguments, config, input files
	ExitRetriable   = 3   // saga test-state: the tested state's Retry would retry it
	ExitInterrupted = 130 // interrupted by Ctrl-C (128 + SIGINT)
)

// UsageError is bad input: a wrong flag or argument, an invalid value, an
// input file that does not validate. It makes the CLI exit with ExitUsage.
// Its message is one line that names the field and the fix.
type UsageError struct {
	err error
	// ShowHelpHint adds "Run 'yafdp CMD --help' for usage." under the
	// message; it is set for flag and argument errors.
	ShowHelpHint bool
}

func (e *UsageError) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.err }

// FlagErrorf reports a wrong flag or argument; the CLI prints the message
// and a pointer to the command's help, and exits with ExitUsage.
func FlagErrorf(format string, args ...any) error {
	return &UsageError{err: fmt.Errorf(format, args...), ShowHelpHint: true}
}

// FlagErrorWrap turns err into a flag error (nil stays nil).
func FlagErrorWrap(err error) error {
	if err == nil {
		return nil
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return err
	}
	return &UsageError{err: err, ShowHelpHint: true}
}

// UsageErrorf reports bad input that is not about the command line itself,
// such as an order file that does not validate: exit ExitUsage, no help
// hint.
func UsageErrorf(format string, args ...any) error {
	return &UsageError{err: fmt.Errorf(format, args...)}
}

// ErrSilent says the command has already reported the failure; the CLI
// prints nothing more and exits with ExitFailed.
var ErrSilent = errors.New("silent error")

// ExitError makes the CLI exit with Code. Use it when the command has
// reported the outcome itself and the code carries the result, like a
// watched saga that ended FAILED. When Err is set it is printed as usual.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("exit status %d", e.Code)
}

// Unwrap returns the underlying error.
func (e *ExitError) Unwrap() error { return e.Err }

// ErrInterrupted reports that the command stopped early because the user
// pressed Ctrl-C; the CLI exits with ExitInterrupted. A command that drains
// and reports what it did on interruption returns it (or ctx.Err()).
var ErrInterrupted = errors.New("interrupted")
