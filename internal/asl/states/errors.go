package states

// The predefined error names (ASL specification, "Errors").
const (
	ALL                             = "States.ALL"
	DataLimitExceeded               = "States.DataLimitExceeded"
	Runtime                         = "States.Runtime"
	HeartbeatTimeout                = "States.HeartbeatTimeout"
	Timeout                         = "States.Timeout"
	TaskFailed                      = "States.TaskFailed"
	Permissions                     = "States.Permissions"
	ResultPathMatchFailure          = "States.ResultPathMatchFailure"
	ParameterPathFailure            = "States.ParameterPathFailure"
	BranchFailed                    = "States.BranchFailed"
	NoChoiceMatched                 = "States.NoChoiceMatched"
	IntrinsicFailure                = "States.IntrinsicFailure"
	ExceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold"
	ItemReaderFailed                = "States.ItemReaderFailed"
	ResultWriterFailed              = "States.ResultWriterFailed"
	QueryEvaluationError            = "States.QueryEvaluationError"
)

// Predefined reports whether name is one of the States.* names a Retrier or
// Catcher may list.
func Predefined(name string) bool {
	switch name {
	case ALL, DataLimitExceeded, Runtime, HeartbeatTimeout, Timeout, TaskFailed,
		Permissions, ResultPathMatchFailure, ParameterPathFailure, BranchFailed,
		NoChoiceMatched, IntrinsicFailure, ExceedToleratedFailureThreshold,
		ItemReaderFailed, ResultWriterFailed, QueryEvaluationError:
		return true
	}
	return false
}

// Error is a named failure inside an execution: what a Fail state raises, what
// a task handler returns, what the engine raises for a bad path. Name is what
// Retry and Catch match on; Cause is free text.
type Error struct {
	Name  string
	Cause string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

// New builds an *Error.
func New(name, cause string) *Error { return &Error{Name: name, Cause: cause} }

// Matches reports whether a Retrier's or Catcher's ErrorEquals list matches
// the error name. States.ALL matches every name except States.Runtime and
// States.DataLimitExceeded, which are terminal.
func Matches(errorEquals []string, name string) bool {
	for _, e := range errorEquals {
		if e == name {
			return true
		}
		if e == ALL && name != Runtime && name != DataLimitExceeded {
			return true
		}
		if e == TaskFailed && name != Timeout && name != Runtime && name != DataLimitExceeded {
			// AWS: "acts as a wildcard that matches any known error name
			// except for States.Timeout".
			return true
		}
	}
	return false
}
