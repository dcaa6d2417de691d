package queue

import "fmt"

// Error is an error SQS answers with. It carries what an endpoint needs to
// render it in either protocol, so that an SDK client gets the typed error
// it would get from AWS.
type Error struct {
	// Type is the error's shape name in the AWS JSON protocol (the __type
	// of the response body), e.g. QueueDoesNotExist.
	Type string
	// Code is the error code of the query protocol, which SQS also sends in
	// the x-amzn-query-error header of JSON responses, e.g.
	// AWS.SimpleQueueService.NonExistentQueue.
	Code string
	// Message is the message, worded as AWS words it where that is known.
	Message string
	// Status is the HTTP status code.
	Status int
}

// Error returns the code and the message.
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Is reports whether target is an *Error of the same type, so that
// errors.Is(err, queue.ErrQueueDoesNotExist) works whatever the message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Type == e.Type
}

// Fault is "Sender": every error here is the client's (the x-amzn-query-error
// header ends with ";Sender").
func (e *Error) Fault() string { return "Sender" }

// The errors, one per AWS error code. Compare with errors.Is; the values
// returned carry their own message. The types and codes are those of the
// SQS service model (the awsQueryError trait) and of recorded AWS responses
// for the two that the model leaves out (InvalidParameterValue and
// MissingParameter).
var (
	ErrQueueDoesNotExist = &Error{Type: "QueueDoesNotExist", Code: "AWS.SimpleQueueService.NonExistentQueue", Status: 400}
	// ErrQueueAlreadyExists is CreateQueue with an existing name and
	// different attributes. Its JSON type is QueueNameExists.
	ErrQueueAlreadyExists     = &Error{Type: "QueueNameExists", Code: "QueueAlreadyExists", Status: 400}
	ErrQueueDeletedRecently   = &Error{Type: "QueueDeletedRecently", Code: "AWS.SimpleQueueService.QueueDeletedRecently", Status: 400}
	ErrInvalidAttributeName   = &Error{Type: "InvalidAttributeName", Code: "InvalidAttributeName", Status: 400}
	ErrInvalidAttributeValue  = &Error{Type: "InvalidAttributeValue", Code: "InvalidAttributeValue", Status: 400}
	ErrInvalidParameterValue  = &Error{Type: "InvalidParameterValueException", Code: "InvalidParameterValue", Status: 400}
	ErrMissingParameter       = &Error{Type: "MissingRequiredParameterException", Code: "MissingParameter", Status: 400}
	ErrInvalidMessageContents = &Error{Type: "InvalidMessageContents", Code: "InvalidMessageContents", Status: 400}
	ErrReceiptHandleIsInvalid = &Error{Type: "ReceiptHandleIsInvalid", Code: "ReceiptHandleIsInvalid", Status: 404}
	ErrOverLimit              = &Error{Type: "OverLimit", Code: "OverLimit", Status: 403}
	// ErrMessageNotInflight is in the API model but this package never
	// returns it: SQS answers a ChangeMessageVisibility on a message not in
	// flight with InvalidParameterValue ("Message does not exist or is not
	// available for visibility timeout change"), and so does this one.
	ErrMessageNotInflight       = &Error{Type: "MessageNotInflight", Code: "AWS.SimpleQueueService.MessageNotInflight", Status: 400}
	ErrPurgeQueueInProgress     = &Error{Type: "PurgeQueueInProgress", Code: "AWS.SimpleQueueService.PurgeQueueInProgress", Status: 403}
	ErrBatchEntryIdsNotDistinct = &Error{Type: "BatchEntryIdsNotDistinct", Code: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", Status: 400}
	ErrTooManyEntriesInBatch    = &Error{Type: "TooManyEntriesInBatchRequest", Code: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", Status: 400}
	ErrEmptyBatchRequest        = &Error{Type: "EmptyBatchRequest", Code: "AWS.SimpleQueueService.EmptyBatchRequest", Status: 400}
	ErrInvalidBatchEntryID      = &Error{Type: "InvalidBatchEntryId", Code: "AWS.SimpleQueueService.InvalidBatchEntryId", Status: 400}
	ErrBatchRequestTooLong      = &Error{Type: "BatchRequestTooLong", Code: "AWS.SimpleQueueService.BatchRequestTooLong", Status: 400}
	// ErrUnsupportedOperation is for an endpoint to answer actions it does
	// not serve (AddPermission, say); nothing here returns it.
	ErrUnsupportedOperation      = &Error{Type: "UnsupportedOperation", Code: "AWS.SimpleQueueService.UnsupportedOperation", Status: 400}
	ErrResourceNotFoundException = &Error{Type: "ResourceNotFoundException", Code: "ResourceNotFoundException", Status: 404}
)

// errorf returns a copy of kind with a message.
func errorf(kind *Error, format string, args ...any) *Error {
	e := *kind
	if len(args) == 0 {
		e.Message = format
	} else {
		e.Message = fmt.Sprintf(format, args...)
	}
	return &e
}

func errQueueGone() *Error {
	return errorf(ErrQueueDoesNotExist, "The specified queue does not exist.")
}

// invalidValue is AWS's wording for a request parameter out of range.
func invalidValue(param string, value any, reason string) *Error {
	return errorf(ErrInvalidParameterValue, "Value %v for parameter %s is invalid. Reason: %s", value, param, reason)
}
