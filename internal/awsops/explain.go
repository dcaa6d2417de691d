package awsops

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// Kind is what went wrong with an AWS call, as the person who must put it
// right sees it.
type Kind int

// Kinds of failed calls.
const (
	// KindOther is any other failure: the AWS error code says what.
	KindOther Kind = iota
	// KindTimeout: no answer in time (--timeout).
	KindTimeout
	// KindUnreachable: no connection to the endpoint (refused, no such
	// host, network down, connection broken).
	KindUnreachable
	// KindNoCredentials: the SDK found no credentials.
	KindNoCredentials
	// KindExpiredCredentials: AWS says the credentials have expired.
	KindExpiredCredentials
	// KindBadCredentials: AWS does not know the access key or the
	// signature does not match.
	KindBadCredentials
	// KindAccessDenied: the credentials lack a permission.
	KindAccessDenied
	// KindNoRegion: no region is configured.
	KindNoRegion
	// KindThrottled: AWS kept throttling the call after the SDK's retries.
	KindThrottled
)

// Failure is a failed AWS call, read for people.
type Failure struct {
	Kind Kind
	// Service and Operation name the call (SQS, GetQueueUrl), when known.
	Service, Operation string
	// Code and Message are AWS's error, when it answered with one.
	Code, Message string
	// Detail says what the network said: "connection refused", "no such
	// host sqs.eu-west-9.amazonaws.com".
	Detail string
	// After is the limit a call that timed out ran into.
	After time.Duration
	// Context is what the program was doing, as the error's wrappers put
	// it ("looking up queue \"orders\""), or "".
	Context string
}

// Call names the call: "SQS GetQueueUrl", "Step Functions
// ListExecutions", or "an AWS call".
func (f Failure) Call() string {
	service := f.Service
	if service == "SFN" {
		service = "Step Functions"
	}
	switch {
	case service != "" && f.Operation != "":
		return service + " " + f.Operation
	case f.Operation != "":
		return f.Operation
	}
	return "an AWS call"
}

// Permission is the IAM action the call needs, such as sqs:SendMessage
// for SendMessageBatch, or "" when unknown.
func (f Failure) Permission() string {
	prefix := map[string]string{"SQS": "sqs", "SFN": "states", "CloudWatch": "cloudwatch"}[f.Service]
	if prefix == "" || f.Operation == "" {
		return ""
	}
	return prefix + ":" + strings.TrimSuffix(f.Operation, "Batch")
}

// AWSError returns AWS's error as "Code: message".
func (f Failure) AWSError() string {
	if f.Message == "" {
		return f.Code
	}
	return f.Code + ": " + f.Message
}

// Classify reads err as a failed AWS call. It returns false for errors
// that are not one: nil, a cancelled context (Ctrl-C), bad input.
func Classify(err error) (Failure, bool) {
	if err == nil || errors.Is(err, context.Canceled) {
		return Failure{}, false
	}
	var f Failure
	var oe *smithy.OperationError
	isCall := errors.As(err, &oe)
	if isCall {
		f.Service, f.Operation = oe.ServiceID, oe.OperationName
		f.Context = strings.TrimSuffix(strings.TrimSuffix(err.Error(), oe.Error()), ": ")
	}
	var te *TimeoutError
	var ae smithy.APIError
	var mr *aws.MissingRegionError
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &te):
		f.Kind, f.After = KindTimeout, te.After
		if f.Service == "" {
			f.Service, f.Operation = te.Service, te.Operation
		}
		return f, true
	case errors.As(err, &mr):
		f.Kind = KindNoRegion
		return f, true
	case errors.As(err, &ae) && ae.ErrorCode() != "":
		f.Code, f.Message = ae.ErrorCode(), ae.ErrorMessage()
		f.Kind = kindOfCode(f.Code)
		return f, true
	case !isCall:
		return Failure{}, false
	case errors.Is(err, context.DeadlineExceeded):
		f.Kind = KindTimeout
	case errors.As(err, &dns):
		f.Kind, f.Detail = KindUnreachable, "no such host "+dns.Name
	case errors.Is(err, syscall.ECONNREFUSED):
		f.Kind, f.Detail = KindUnreachable, "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		f.Kind, f.Detail = KindUnreachable, "the connection was reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		f.Kind, f.Detail = KindUnreachable, "no route to the host"
	case errors.As(err, &op):
		f.Kind, f.Detail = KindUnreachable, op.Err.Error()
	case strings.Contains(err.Error(), "Missing Region"):
		f.Kind = KindNoRegion
	case isCredentialsError(err):
		f.Kind = KindNoCredentials
	default:
		f.Kind, f.Detail = KindOther, oe.Err.Error()
	}
	return f, true
}

func kindOfCode(code string) Kind {
	switch code {
	case "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired":
		return KindExpiredCredentials
	case "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidSignatureException",
		"IncompleteSignature", "MissingAuthenticationToken", "MissingAuthenticationTokenException", "InvalidSecurity":
		return KindBadCredentials
	case "AccessDenied", "AccessDeniedException", "AuthorizationError", "NotAuthorized":
		return KindAccessDenied
	case "ThrottlingException", "Throttling", "ThrottledException", "RequestThrottled", "RequestThrottledException",
		"TooManyRequestsException", "RequestLimitExceeded", "AWS.SimpleQueueService.RequestThrottled":
		return KindThrottled
	}
	return KindOther
}

// isCredentialsError recognises the SDK's failure to find credentials,
// which has no type of its own.
func isCredentialsError(err error) bool {
	msg := err.Error()
	for _, s := range []string{"get identity", "failed to retrieve credentials", "failed to refresh cached credentials",
		"no EC2 IMDS role found", "static credentials are empty", "get credentials"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
