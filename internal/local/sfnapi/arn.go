package sfnapi

import (
	"strings"
	"unicode/utf8"
)

// MaxNameLength is the longest state machine or execution name.
const MaxNameLength = 80

// validName reports whether s may name a state machine or an execution:
// Step Functions refuses white space, brackets, wildcards, a set of
// punctuation and control characters. The length is checked separately (a
// ValidationException, not InvalidName).
func validName(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r <= 0x20, r >= 0x7f && r <= 0x9f:
			// Space and the C0 and C1 control characters.
			return false
		case strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r):
			return false
		case r == 0x85 || r == 0xa0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200a) ||
			r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000:
			// Unicode white space.
			return false
		}
	}
	return true
}

// arn is a Step Functions ARN split at its colons:
// arn:PARTITION:states:REGION:ACCOUNT:TYPE:PART[:PART...].
type arn struct {
	raw      string
	typ      string
	resource []string
}

// parseARN checks the shape common to every Step Functions ARN.
func parseARN(s string) (arn, *Error) {
	if !strings.HasPrefix(s, "arn:") {
		return arn{}, newError(CodeInvalidArn, "Invalid Arn: 'Invalid ARN prefix: %s'", s)
	}
	parts := strings.Split(s, ":")
	if len(parts) < 7 || parts[1] == "" || parts[2] != "states" || parts[3] == "" || !isAccount(parts[4]) {
		return arn{}, newError(CodeInvalidArn, "Invalid Arn: '%s'", s)
	}
	return arn{raw: s, typ: parts[5], resource: parts[6:]}, nil
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func errResourceType(typ string) *Error {
	return newError(CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: %s'", typ)
}

// parseStateMachineARN accepts arn:...:stateMachine:NAME, and a qualified
// NAME:VERSION or NAME:ALIAS (which names no machine here: versions and
// aliases are not served).
func parseStateMachineARN(s string) *Error {
	a, err := parseARN(s)
	if err != nil {
		return err
	}
	if a.typ != "stateMachine" {
		return errResourceType(a.typ)
	}
	if len(a.resource) > 2 || !validName(a.resource[0]) || len(a.resource) == 2 && !validName(a.resource[1]) {
		return newError(CodeInvalidArn, "Invalid Arn: '%s'", s)
	}
	return nil
}

// parseExecutionARN accepts arn:...:execution:MACHINE:NAME and returns the
// machine's ARN. Express executions (arn:...:express:...) are not visible to
// DescribeExecution, GetExecutionHistory or StopExecution, as on AWS.
func parseExecutionARN(s string) (machineARN string, e *Error) {
	a, err := parseARN(s)
	if err != nil {
		return "", err
	}
	if a.typ != "execution" {
		return "", errResourceType(a.typ)
	}
	if len(a.resource) != 2 || !validName(a.resource[0]) || !validName(a.resource[1]) {
		return "", newError(CodeInvalidArn, "Invalid Arn: '%s'", s)
	}
	prefix := s[:len(s)-len(a.resource[0])-len(a.resource[1])-len("execution::")]
	return prefix + "stateMachine:" + a.resource[0], nil
}

// checkRoleARN checks an IAM role ARN: arn:PARTITION:iam::ACCOUNT:role/PATH.
func checkRoleARN(s string) *Error {
	if !strings.HasPrefix(s, "arn:") {
		return newError(CodeInvalidArn, "Invalid Arn: 'Invalid ARN prefix: %s'", s)
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) == 6 && parts[1] != "" && parts[2] == "iam" && parts[3] == "" &&
		isAccount(parts[4]) && strings.HasPrefix(parts[5], "role/") && len(parts[5]) > len("role/") {
		return nil
	}
	return newError(CodeInvalidArn, "Invalid Arn: 'Invalid Role Arn: %s'", s)
}
