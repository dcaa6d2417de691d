package sfnapi

import (
	"fmt"
	"net/http"
	"strings"
)

// The error codes the service returns, as Step Functions names them. The
// SDKs turn each into its typed error (types.ExecutionDoesNotExist, ...).
const (
	CodeExecutionAlreadyExists       = "ExecutionAlreadyExists"
	CodeExecutionDoesNotExist        = "ExecutionDoesNotExist"
	CodeInvalidArn                   = "InvalidArn"
	CodeInvalidDefinition            = "InvalidDefinition"
	CodeInvalidExecutionInput        = "InvalidExecutionInput"
	CodeInvalidName                  = "InvalidName"
	CodeInvalidToken                 = "InvalidToken"
	CodeResourceNotFound             = "ResourceNotFound"
	CodeStateMachineAlreadyExists    = "StateMachineAlreadyExists"
	CodeStateMachineDoesNotExist     = "StateMachineDoesNotExist"
	CodeStateMachineTypeNotSupported = "StateMachineTypeNotSupported"
	CodeValidationException          = "ValidationException"
	CodeSerializationException       = "SerializationException"
	CodeUnknownOperation             = "UnknownOperationException"
	CodeInternalFailure              = "InternalFailure"
	// CodeThrottling is the answer to a call over the account's quota
	// (StartExecution's StartQuota): not in the service's model but
	// common to AWS's JSON services, and a throttle to the SDKs' retryers.
	CodeThrottling = "ThrottlingException"
)

// Error is a Step Functions error: a code the SDKs map to a typed error and
// AWS's message. The Go methods of Service return it too, so the in-process
// caller sees the same errors as an SDK client.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is makes errors.Is(err, ErrExecutionAlreadyExists) (and the other
// sentinels) true for any *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is; the message of a returned error says which
// machine or execution.
var (
	ErrExecutionAlreadyExists    = &Error{Code: CodeExecutionAlreadyExists}
	ErrExecutionDoesNotExist     = &Error{Code: CodeExecutionDoesNotExist}
	ErrStateMachineDoesNotExist  = &Error{Code: CodeStateMachineDoesNotExist}
	ErrStateMachineAlreadyExists = &Error{Code: CodeStateMachineAlreadyExists}
	ErrInvalidArn                = &Error{Code: CodeInvalidArn}
	ErrInvalidName               = &Error{Code: CodeInvalidName}
	ErrInvalidDefinition         = &Error{Code: CodeInvalidDefinition}
	ErrInvalidExecutionInput     = &Error{Code: CodeInvalidExecutionInput}
	ErrValidation                = &Error{Code: CodeValidationException}
	ErrThrottling                = &Error{Code: CodeThrottling}
)

// namespace is what AWS puts before the '#' of __type. The SDKs keep only
// what follows the '#', so the namespace matters to nobody but a reader of
// raw responses; it is AWS's all the same. Model constraint violations come
// from the request validator, with its own namespace.
func (e *Error) wireType() string {
	switch e.Code {
	case CodeValidationException:
		return "com.amazon.coral.validate#ValidationException"
	case CodeSerializationException, CodeUnknownOperation, CodeInternalFailure:
		return "com.amazon.coral.service#" + e.Code
	case CodeThrottling:
		// The throttle of AWS's request layer, ahead of the service.
		return "com.amazon.coral.availability#" + e.Code
	}
	return "com.amazonaws.swf.service.v2.model#" + e.Code
}

func (e *Error) httpStatus() int {
	if e.Code == CodeInternalFailure {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

func newError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func errStateMachineDoesNotExist(arn string) *Error {
	return newError(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
}

func errExecutionDoesNotExist(arn string) *Error {
	return newError(CodeExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
}

func errInvalidToken() *Error {
	return newError(CodeInvalidToken, "Invalid Token: 'Invalid token'")
}

// validation collects model constraint violations and reports them all in
// one ValidationException, worded like AWS's request validator.
type validation struct {
	problems []string
}

func (v *validation) required(field string, set bool) {
	if !set {
		v.problems = append(v.problems, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", field))
	}
}

// length checks a string's length in characters. sensitive values are not
// quoted back, as AWS does for execution input and the like.
func (v *validation) length(field string, s *string, min, max int, sensitive bool) {
	if s == nil {
		return
	}
	n := len([]rune(*s))
	what := fmt.Sprintf("Value '%s' at '%s'", *s, field)
	if sensitive {
		what = fmt.Sprintf("Value at '%s'", field)
	}
	switch {
	case n < min:
		v.problems = append(v.problems, fmt.Sprintf("%s failed to satisfy constraint: Member must have length greater than or equal to %d", what, min))
	case n > max:
		v.problems = append(v.problems, fmt.Sprintf("%s failed to satisfy constraint: Member must have length less than or equal to %d", what, max))
	}
}

func (v *validation) bytesAtMost(field string, s *string, max int) {
	if s != nil && len(*s) > max {
		v.problems = append(v.problems, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have size less than or equal to %d bytes in UTF-8 encoding", field, max))
	}
}

func (v *validation) rangeOf(field string, n *int64, min, max int64) {
	if n == nil {
		return
	}
	switch {
	case *n < min:
		v.problems = append(v.problems, fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", *n, field, min))
	case *n > max:
		v.problems = append(v.problems, fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", *n, field, max))
	}
}

func (v *validation) enum(field string, s *string, values ...string) {
	if s == nil {
		return
	}
	for _, x := range values {
		if *s == x {
			return
		}
	}
	v.problems = append(v.problems, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", *s, field, strings.Join(values, ", ")))
}

func (v *validation) err() *Error {
	switch len(v.problems) {
	case 0:
		return nil
	case 1:
		return newError(CodeValidationException, "1 validation error detected: %s", v.problems[0])
	}
	return newError(CodeValidationException, "%d validation errors detected: %s", len(v.problems), strings.Join(v.problems, "; "))
}
