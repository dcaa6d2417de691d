package awsops

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/smithy-go"
)

// ErrorCode returns the AWS error code of err, or "".
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus returns the HTTP status of a failed AWS call, or 0.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// IsUnsupported reports whether err says the endpoint does not implement the
// operation, as emulators do: an unknown-operation code, 501, or a 404/500
// whose body is not an AWS error at all.
func IsUnsupported(err error) bool {
	switch ErrorCode(err) {
	case "InvalidAction", "UnknownOperationException", "UnsupportedOperation", "NotImplemented",
		"AWS.SimpleQueueService.UnsupportedOperation", "UnrecognizedClientException.UnknownOperation":
		return true
	}
	switch httpStatus(err) {
	case http.StatusNotImplemented:
		return true
	case http.StatusNotFound, http.StatusInternalServerError:
		// An AWS error body always has a code; an emulator that does not know
		// the operation answers with an HTML page.
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			return true
		}
		code := ae.ErrorCode()
		return code == "" || code == "UnknownError" || code == fmt.Sprint(httpStatus(err))
	}
	return false
}

// IsQueueMissing reports a queue that does not exist.
func IsQueueMissing(err error) bool {
	switch ErrorCode(err) {
	case "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NonExistentQueue":
		return true
	}
	return false
}

// IsPermanent reports a whole-call error that no retry can fix:
// credentials, permissions, a missing queue, a malformed request, and an
// endpoint that cannot be reached or gave no answer within the time limit
// (the SDK has retried already). A run stops rather than hammer AWS with
// calls that cannot succeed, or wait minutes on one that does not answer.
func IsPermanent(err error) bool {
	if f, ok := Classify(err); ok {
		switch f.Kind {
		case KindTimeout, KindNoCredentials, KindNoRegion, KindExpiredCredentials, KindBadCredentials, KindAccessDenied:
			return true
		case KindUnreachable:
			// An endpoint that refuses connections or has no address is
			// down; a connection that broke mid-call is worth another try.
			return f.Detail == "connection refused" || strings.HasPrefix(f.Detail, "no such host") || f.Detail == "no route to the host"
		}
	}
	switch ErrorCode(err) {
	case "AccessDenied", "AccessDeniedException", "InvalidClientTokenId", "UnrecognizedClientException",
		"SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "InvalidSecurity",
		"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NonExistentQueue",
		"InvalidParameterValue", "InvalidParameterValueException", "MissingParameter",
		"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "BatchEntryIdsNotDistinct",
		"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequest",
		"BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
		"InvalidAddress", "KmsAccessDenied", "KmsDisabled", "KmsNotFound", "KmsInvalidKeyUsage", "KmsInvalidState":
		return true
	}
	return false
}

// IsCanceled reports whether err comes from a cancelled context.
func IsCanceled(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled)
}

// ShortError renders an AWS error on one line without the SDK's operation
// and request-id decoration: the AWS error code and message where there
// is one, what the network said, or the time limit that ran out.
func ShortError(err error) string {
	f, ok := Classify(err)
	switch {
	case !ok:
		return err.Error()
	case f.Code != "":
		return f.AWSError()
	case f.Kind == KindTimeout && f.After > 0:
		return "no answer within " + f.After.String()
	case f.Kind == KindTimeout:
		return "no answer in time"
	case f.Kind == KindUnreachable:
		return "cannot connect: " + f.Detail
	case f.Kind == KindNoCredentials:
		return "no AWS credentials"
	case f.Kind == KindNoRegion:
		return "no AWS region"
	}
	return err.Error()
}
