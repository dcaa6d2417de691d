package queue

import "errors"

// BatchError is a failed entry of a batch request. A batch answers with
// its successes and failures side by side; a failure must be retried, not
// dropped.
type BatchError struct {
	ID          string
	Code        string
	Message     string
	SenderFault bool
}

func batchError(id string, err error) BatchError {
	var e *Error
	if errors.As(err, &e) {
		return BatchError{ID: id, Code: e.Code, Message: e.Message, SenderFault: true}
	}
	return BatchError{ID: id, Code: "InternalError", Message: err.Error()}
}

// SendBatchEntry is one entry of SendMessageBatch.
type SendBatchEntry struct {
	ID string
	SendInput
}

// SendBatchResult is a successful entry of SendMessageBatch.
type SendBatchResult struct {
	ID string
	SendOutput
}

// SendBatchOutput is the answer to SendMessageBatch.
type SendBatchOutput struct {
	Successful []SendBatchResult
	Failed     []BatchError
}

// DeleteBatchEntry is one entry of DeleteMessageBatch.
type DeleteBatchEntry struct {
	ID            string
	ReceiptHandle string
}

// VisibilityBatchEntry is one entry of ChangeMessageVisibilityBatch.
type VisibilityBatchEntry struct {
	ID                string
	ReceiptHandle     string
	VisibilityTimeout int
}

// BatchOutput is the answer to DeleteMessageBatch and
// ChangeMessageVisibilityBatch: the ids that succeeded and the failures.
type BatchOutput struct {
	Successful []string
	Failed     []BatchError
}

// checkBatch checks the entry ids of a batch request: 1 to 10 entries,
// valid and distinct ids.
func checkBatch(kind string, n int, id func(int) string) error {
	if n == 0 {
		return errorf(ErrEmptyBatchRequest, "There should be at least one %sRequestEntry in the request.", kind)
	}
	if n > MaxBatchEntries {
		return errorf(ErrTooManyEntriesInBatch, "Maximum number of entries per request are %d. You have sent %d.", MaxBatchEntries, n)
	}
	seen := make(map[string]struct{}, n)
	for i := range n {
		s := id(i)
		if !validBatchID(s) {
			return errorf(ErrInvalidBatchEntryID, "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if _, dup := seen[s]; dup {
			return errorf(ErrBatchEntryIdsNotDistinct, "Id %s repeated.", s)
		}
		seen[s] = struct{}{}
	}
	return nil
}

// SendBatch sends up to 10 messages (SendMessageBatch). The request fails
// as a whole for bad entry ids or more than 1 MiB in total; otherwise each
// entry succeeds or fails on its own.
func (q *Queue) SendBatch(entries []SendBatchEntry) (SendBatchOutput, error) {
	var out SendBatchOutput
	if err := checkBatch("SendMessageBatch", len(entries), func(i int) string { return entries[i].ID }); err != nil {
		return out, err
	}
	cfg := q.cfg.Load()
	total := 0
	for i := range entries {
		e := &entries[i]
		n, _ := validateAttributes(e.MessageAttributes)
		total += len(e.Body) + n
	}
	if total > MaxMessageBytes {
		return out, errorf(ErrBatchRequestTooLong, "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", MaxMessageBytes, total)
	}
	ps := make([]prepared, len(entries))
	ok := make([]bool, len(entries))
	for i := range entries {
		p, err := q.prepare(&entries[i].SendInput, cfg)
		if err != nil {
			out.Failed = append(out.Failed, batchError(entries[i].ID, err))
			continue
		}
		ps[i], ok[i] = p, true
	}
	var o op
	if err := q.begin(&o); err != nil {
		return SendBatchOutput{}, err
	}
	for i := range entries {
		if ok[i] {
			out.Successful = append(out.Successful, SendBatchResult{ID: entries[i].ID, SendOutput: q.sendLocked(&o, &ps[i])})
		}
	}
	q.end(&o)
	if err := o.durable(); err != nil {
		return SendBatchOutput{}, err
	}
	return out, nil
}

// DeleteBatch deletes up to 10 messages (DeleteMessageBatch), each as
// Delete does.
func (q *Queue) DeleteBatch(entries []DeleteBatchEntry) (BatchOutput, error) {
	return eachEntry(q, "DeleteMessageBatch", entries, func(e *DeleteBatchEntry) string { return e.ID },
		func(o *op, e *DeleteBatchEntry) error { return q.deleteLocked(o, e.ReceiptHandle) })
}

// ChangeVisibilityBatch changes the visibility timeout of up to 10
// messages (ChangeMessageVisibilityBatch), each as ChangeVisibility does.
func (q *Queue) ChangeVisibilityBatch(entries []VisibilityBatchEntry) (BatchOutput, error) {
	return eachEntry(q, "ChangeMessageVisibilityBatch", entries, func(e *VisibilityBatchEntry) string { return e.ID },
		func(o *op, e *VisibilityBatchEntry) error {
			if e.VisibilityTimeout < 0 || e.VisibilityTimeout > 43200 {
				return invalidValue("VisibilityTimeout", e.VisibilityTimeout, "Must be between 0 and 43200, if provided.")
			}
			return q.changeVisibilityLocked(o, e.ReceiptHandle, e.VisibilityTimeout)
		})
}

// eachEntry runs action's entries, each succeeding or failing on its own
// (do), in one operation on q. The request fails as a whole for bad entry
// ids (id), or when its changes cannot be made durable.
func eachEntry[E any](q *Queue, action string, entries []E, id func(*E) string, do func(*op, *E) error) (BatchOutput, error) {
	var out BatchOutput
	if err := checkBatch(action, len(entries), func(i int) string { return id(&entries[i]) }); err != nil {
		return out, err
	}
	var o op
	if err := q.begin(&o); err != nil {
		return out, err
	}
	for i := range entries {
		e := &entries[i]
		if err := do(&o, e); err != nil {
			out.Failed = append(out.Failed, batchError(id(e), err))
		} else {
			out.Successful = append(out.Successful, id(e))
		}
	}
	q.end(&o)
	if err := o.durable(); err != nil {
		return BatchOutput{}, err
	}
	return out, nil
}
