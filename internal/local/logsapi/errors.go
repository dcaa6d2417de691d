package logsapi

import "fmt"

// Error is a CloudWatch Logs error: the code the SDKs map to a typed error
// (types.ResourceNotFoundException, ...) and AWS's message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The codes the service answers with.
const (
	CodeResourceNotFound      = "ResourceNotFoundException"
	CodeResourceAlreadyExists = "ResourceAlreadyExistsException"
	CodeInvalidParameter      = "InvalidParameterException"
	CodeSerialization         = "SerializationException"
	CodeUnknownOperation      = "UnknownOperationException"
)

func newError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func errGroupNotFound() *Error {
	return newError(CodeResourceNotFound, "The specified log group does not exist.")
}

func errStreamNotFound() *Error {
	return newError(CodeResourceNotFound, "The specified log stream does not exist.")
}

func errGroupExists() *Error {
	return newError(CodeResourceAlreadyExists, "The specified log group already exists")
}

func errStreamExists() *Error {
	return newError(CodeResourceAlreadyExists, "The specified log stream already exists")
}

// errConstraint words a model constraint violation as AWS's request
// validator does.
func errConstraint(field string, value any, constraint string) *Error {
	return newError(CodeInvalidParameter, "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}
