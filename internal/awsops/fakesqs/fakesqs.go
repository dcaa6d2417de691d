// Package fakesqs is an in-process SQS endpoint speaking the JSON protocol
// that aws-sdk-go-v2 uses, over a real socket on 127.0.0.1. It keeps
// messages, visibility timeouts, receive counts, FIFO group and
// deduplication ids, redrive policies and (optionally) native move tasks in
// memory. Tests and benchmarks use it where moto is too slow; it is not a
// product endpoint (see `yafdp local up` for that).
package fakesqs

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Account is the account id in queue URLs and ARNs.
const Account = "000000000000"

// Server is a running fake SQS endpoint.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:PORT.
	URL string
	// Now is the server's clock (default time.Now).
	Now func() time.Time
	// NoMoveTasks makes the message-move-task operations answer like an
	// emulator that lacks them (moto): HTTP 500 with an HTML page.
	NoMoveTasks bool

	mu     sync.Mutex
	queues map[string]*queue
	seq    int64
	tasks  []*moveTask
	calls  map[string]int
	srv    *http.Server
	ln     net.Listener
}

type queue struct {
	name, url, arn string
	fifo           bool
	contentDedup   bool
	visibility     time.Duration
	redrive        string
	msgs           []*message
	dedup          map[string]time.Time
}

type message struct {
	id, body     string
	attrs        map[string]Attribute
	sys          map[string]string
	groupID      string
	dedupID      string
	sentAt       time.Time
	visibleAt    time.Time
	receives     int
	firstReceive time.Time
	receipt      string
	sourceARN    string
}

type moveTask struct {
	handle, source, dest, status string
	moved, toMove                int64
	started                      time.Time
}

// Start runs a fake SQS endpoint on a free port of 127.0.0.1 until Close.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), queues: map[string]*queue{}, calls: map[string]int{}, ln: ln}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Calls returns how many times each operation was called.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// StoredMessage is a message as the server holds it, for tests to inspect.
type StoredMessage struct {
	ID         string
	Body       string
	Attributes map[string]Attribute
	GroupID    string
	DedupID    string
	Receives   int
	SentAt     time.Time
}

// Messages returns every message in a queue, in order, without receiving
// them.
func (s *Server) Messages(queueName string) []StoredMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[queueName]
	if q == nil {
		return nil
	}
	out := make([]StoredMessage, len(q.msgs))
	for i, m := range q.msgs {
		attrs := make(map[string]Attribute, len(m.attrs))
		for k, v := range m.attrs {
			attrs[k] = v
		}
		out[i] = StoredMessage{ID: m.id, Body: m.body, Attributes: attrs, GroupID: m.groupID, DedupID: m.dedupID, Receives: m.receives, SentAt: m.sentAt}
	}
	return out
}

func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%08x-0000-4000-8000-%012x", prefix, s.seq>>16, s.seq)
}

// apiError is an SQS error answer.
type apiError struct {
	status int
	code   string
	msg    string
}

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AmazonSQS.")
	if !ok || r.Method != http.MethodPost {
		http.Error(w, "fakesqs speaks the SQS JSON protocol only", http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.calls[op]++
	noMove := s.NoMoveTasks
	s.mu.Unlock()
	if noMove && strings.Contains(op, "MessageMoveTask") {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "<!doctype html><title>500 Internal Server Error</title>")
		return
	}
	var in map[string]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil {
		writeErr(w, errf(400, "InvalidParameterValue", "request body is not JSON"))
		return
	}
	h, ok := handlers[op]
	if !ok {
		writeErr(w, errf(400, "UnsupportedOperation", "fakesqs does not implement %s", op))
		return
	}
	out, aerr := h(s, in)
	if aerr != nil {
		writeErr(w, aerr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if out == nil {
		out = map[string]any{}
	}
	_ = json.NewEncoder(w).Encode(out)
}

func writeErr(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("x-amzn-query-error", e.code+";Sender")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + e.code, "message": e.msg})
}

type handler func(s *Server, in map[string]json.RawMessage) (any, *apiError)

var handlers = map[string]handler{
	"CreateQueue":                  (*Server).createQueue,
	"GetQueueUrl":                  (*Server).getQueueURL,
	"GetQueueAttributes":           (*Server).getQueueAttributes,
	"ListQueues":                   (*Server).listQueues,
	"ListDeadLetterSourceQueues":   (*Server).listDLQSources,
	"SendMessage":                  (*Server).sendMessage,
	"SendMessageBatch":             (*Server).sendMessageBatch,
	"ReceiveMessage":               (*Server).receiveMessage,
	"DeleteMessageBatch":           (*Server).deleteMessageBatch,
	"ChangeMessageVisibilityBatch": (*Server).changeVisibilityBatch,
	"StartMessageMoveTask":         (*Server).startMoveTask,
	"ListMessageMoveTasks":         (*Server).listMoveTasks,
	"CancelMessageMoveTask":        (*Server).cancelMoveTask,
}

func str(in map[string]json.RawMessage, k string) string {
	var v string
	_ = json.Unmarshal(in[k], &v)
	return v
}

func num(in map[string]json.RawMessage, k string, def int) int {
	raw, ok := in[k]
	if !ok {
		return def
	}
	var v int
	if json.Unmarshal(raw, &v) != nil {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if n, err := strconv.Atoi(s); err == nil {
				return n
			}
		}
		return def
	}
	return v
}

// CreateQueue makes a queue; attrs may hold RedrivePolicy,
// VisibilityTimeout, FifoQueue and ContentBasedDeduplication.
func (s *Server) CreateQueue(name string, attrs map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.create(name, attrs)
}

func (s *Server) create(name string, attrs map[string]string) string {
	if q, ok := s.queues[name]; ok {
		return q.url
	}
	q := &queue{name: name, url: s.URL + "/" + Account + "/" + name, arn: "arn:aws:sqs:us-east-1:" + Account + ":" + name,
		fifo: strings.HasSuffix(name, ".fifo"), visibility: 30 * time.Second, dedup: map[string]time.Time{}}
	if v, err := strconv.Atoi(attrs["VisibilityTimeout"]); err == nil {
		q.visibility = time.Duration(v) * time.Second
	}
	q.redrive = attrs["RedrivePolicy"]
	q.contentDedup = attrs["ContentBasedDeduplication"] == "true"
	s.queues[name] = q
	return q.url
}

func (s *Server) createQueue(in map[string]json.RawMessage) (any, *apiError) {
	var attrs map[string]string
	_ = json.Unmarshal(in["Attributes"], &attrs)
	name := str(in, "QueueName")
	if name == "" {
		return nil, errf(400, "MissingParameter", "QueueName is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]string{"QueueUrl": s.create(name, attrs)}, nil
}

func (s *Server) queueOf(in map[string]json.RawMessage) (*queue, *apiError) {
	u := str(in, "QueueUrl")
	name := u[strings.LastIndexByte(u, '/')+1:]
	q, ok := s.queues[name]
	if !ok {
		return nil, errf(400, "QueueDoesNotExist", "The specified queue does not exist.")
	}
	return q, nil
}

func (s *Server) getQueueURL(in map[string]json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[str(in, "QueueName")]
	if !ok {
		return nil, errf(400, "QueueDoesNotExist", "The specified queue does not exist.")
	}
	return map[string]string{"QueueUrl": q.url}, nil
}

func (s *Server) counts(q *queue) (visible, inflight int) {
	now := s.now()
	for _, m := range q.msgs {
		if m.visibleAt.After(now) {
			inflight++
		} else {
			visible++
		}
	}
	return
}

func (s *Server) getQueueAttributes(in map[string]json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.queueOf(in)
	if e != nil {
		return nil, e
	}
	v, f := s.counts(q)
	attrs := map[string]string{
		"QueueArn":                              q.arn,
		"ApproximateNumberOfMessages":           strconv.Itoa(v),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(f),
		"ApproximateNumberOfMessagesDelayed":    "0",
		"VisibilityTimeout":                     strconv.Itoa(int(q.visibility / time.Second)),
	}
	if q.redrive != "" {
		attrs["RedrivePolicy"] = q.redrive
	}
	if q.fifo {
		attrs["FifoQueue"] = "true"
		attrs["ContentBasedDeduplication"] = strconv.FormatBool(q.contentDedup)
	}
	return map[string]any{"Attributes": attrs}, nil
}

func (s *Server) listQueues(in map[string]json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prefix := str(in, "QueueNamePrefix")
	var urls []string
	for name, q := range s.queues {
		if strings.HasPrefix(name, prefix) {
			urls = append(urls, q.url)
		}
	}
	sort.Strings(urls)
	return map[string]any{"QueueUrls": urls}, nil
}

func dlqARNOf(redrive string) string {
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	_ = json.Unmarshal([]byte(redrive), &p)
	return p.DeadLetterTargetArn
}

func (s *Server) listDLQSources(in map[string]json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.queueOf(in)
	if e != nil {
		return nil, e
	}
	var urls []string
	for _, src := range s.queues {
		if dlqARNOf(src.redrive) == q.arn {
			urls = append(urls, src.url)
		}
	}
	sort.Strings(urls)
	return map[string]any{"queueUrls": urls}, nil
}

type entryIn struct {
	ID                      string               `json:"Id"`
	MessageBody             string               `json:"MessageBody"`
	MessageAttributes       map[string]Attribute `json:"MessageAttributes"`
	MessageSystemAttributes map[string]Attribute `json:"MessageSystemAttributes"`
	MessageGroupID          string               `json:"MessageGroupId"`
	MessageDeduplicationID  string               `json:"MessageDeduplicationId"`
}

// put stores one message; it returns the result entry or an error entry.
func (s *Server) put(q *queue, e entryIn) (map[string]any, *apiError) {
	if e.MessageBody == "" {
		return nil, errf(400, "MissingParameter", "The request must contain the parameter MessageBody.")
	}
	size := len(e.MessageBody)
	for k, a := range e.MessageAttributes {
		if a.DataType == "" {
			return nil, errf(400, "InvalidParameterValue", "attribute %s has no DataType", k)
		}
		size += len(k) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	if size > 1<<20 {
		return nil, errf(400, "InvalidParameterValue", "message is %d bytes, more than 1 MiB", size)
	}
	if q.fifo && e.MessageGroupID == "" {
		return nil, errf(400, "MissingParameter", "The request must contain the parameter MessageGroupId.")
	}
	if !q.fifo && e.MessageDeduplicationID != "" {
		return nil, errf(400, "InvalidParameterValue", "MessageDeduplicationId is only for FIFO queues")
	}
	now := s.now()
	dedup := e.MessageDeduplicationID
	if q.fifo && dedup == "" {
		if !q.contentDedup {
			return nil, errf(400, "InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		dedup = md5Hex([]byte(e.MessageBody))
	}
	res := map[string]any{"Id": e.ID, "MD5OfMessageBody": md5Hex([]byte(e.MessageBody))}
	if len(e.MessageAttributes) > 0 {
		res["MD5OfMessageAttributes"] = attributesMD5(e.MessageAttributes)
	}
	if len(e.MessageSystemAttributes) > 0 {
		res["MD5OfMessageSystemAttributes"] = attributesMD5(e.MessageSystemAttributes)
	}
	if q.fifo {
		if at, ok := q.dedup[dedup]; ok && now.Sub(at) < 5*time.Minute {
			// Accepted and dropped, as SQS does within the window.
			res["MessageId"] = s.nextID("dd")
			return res, nil
		}
		q.dedup[dedup] = now
	}
	m := &message{id: s.nextID(""), body: e.MessageBody, attrs: e.MessageAttributes, groupID: e.MessageGroupID, dedupID: e.MessageDeduplicationID,
		sentAt: now, sys: map[string]string{}}
	for k, a := range e.MessageSystemAttributes {
		m.sys[k] = a.StringValue
	}
	if q.fifo {
		m.dedupID = dedup
	}
	q.msgs = append(q.msgs, m)
	res["MessageId"] = m.id
	return res, nil
}

func (s *Server) sendMessage(in map[string]json.RawMessage) (any, *apiError) {
	var e entryIn
	raw, _ := json.Marshal(in)
	_ = json.Unmarshal(raw, &e)
	s.mu.Lock()
	defer s.mu.Unlock()
	q, aerr := s.queueOf(in)
	if aerr != nil {
		return nil, aerr
	}
	res, aerr := s.put(q, e)
	if aerr != nil {
		return nil, aerr
	}
	delete(res, "Id")
	return res, nil
}

func (s *Server) sendMessageBatch(in map[string]json.RawMessage) (any, *apiError) {
	var entries []entryIn
	_ = json.Unmarshal(in["Entries"], &entries)
	if len(entries) == 0 {
		return nil, errf(400, "EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
	}
	if len(entries) > 10 {
		return nil, errf(400, "TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent %d.", len(entries))
	}
	total := 0
	ids := map[string]bool{}
	for _, e := range entries {
		total += len(e.MessageBody)
		for k, a := range e.MessageAttributes {
			total += len(k) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
		}
		if ids[e.ID] {
			return nil, errf(400, "BatchEntryIdsNotDistinct", "Id %s repeated", e.ID)
		}
		ids[e.ID] = true
	}
	if total > 1<<20 {
		return nil, errf(400, "BatchRequestTooLong", "Batch requests cannot be longer than 1048576 bytes. You have sent %d bytes.", total)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, aerr := s.queueOf(in)
	if aerr != nil {
		return nil, aerr
	}
	ok := []map[string]any{}
	failed := []map[string]any{}
	for _, e := range entries {
		res, aerr := s.put(q, e)
		if aerr != nil {
			failed = append(failed, map[string]any{"Id": e.ID, "Code": aerr.code, "Message": aerr.msg, "SenderFault": true})
			continue
		}
		ok = append(ok, res)
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

func (s *Server) receiveMessage(in map[string]json.RawMessage) (any, *apiError) {
	max := num(in, "MaxNumberOfMessages", 1)
	if max < 1 || max > 10 {
		return nil, errf(400, "InvalidParameterValue", "MaxNumberOfMessages must be 1 to 10")
	}
	wait := time.Duration(num(in, "WaitTimeSeconds", 0)) * time.Second
	deadline := time.Now().Add(wait)
	for {
		s.mu.Lock()
		q, aerr := s.queueOf(in)
		if aerr != nil {
			s.mu.Unlock()
			return nil, aerr
		}
		vt := q.visibility
		if raw, ok := in["VisibilityTimeout"]; ok && len(raw) > 0 {
			vt = time.Duration(num(in, "VisibilityTimeout", 30)) * time.Second
		}
		out := s.take(q, max, vt)
		s.mu.Unlock()
		if len(out) > 0 || !time.Now().Before(deadline) {
			return map[string]any{"Messages": out}, nil
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// take receives up to n visible messages, moving those past their queue's
// maxReceiveCount to its dead-letter queue first.
func (s *Server) take(q *queue, n int, vt time.Duration) []map[string]any {
	now := s.now()
	busyGroups := map[string]bool{}
	if q.fifo {
		for _, m := range q.msgs {
			if m.visibleAt.After(now) {
				busyGroups[m.groupID] = true
			}
		}
	}
	var out []map[string]any
	keep := q.msgs[:0]
	var moved []*message
	for _, m := range q.msgs {
		if len(out) >= n || m.visibleAt.After(now) || (q.fifo && busyGroups[m.groupID]) {
			keep = append(keep, m)
			continue
		}
		if limit := maxReceives(q.redrive); limit > 0 && m.receives >= limit {
			moved = append(moved, m)
			continue
		}
		m.receives++
		if m.firstReceive.IsZero() {
			m.firstReceive = now
		}
		m.visibleAt = now.Add(vt)
		m.receipt = s.nextID("rh-")
		if q.fifo {
			busyGroups[m.groupID] = true
		}
		keep = append(keep, m)
		sys := map[string]string{
			"ApproximateReceiveCount":          strconv.Itoa(m.receives),
			"SentTimestamp":                    strconv.FormatInt(m.sentAt.UnixMilli(), 10),
			"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstReceive.UnixMilli(), 10),
			"SenderId":                         "AIDAFAKESQS",
		}
		for k, v := range m.sys {
			sys[k] = v
		}
		if m.sourceARN != "" {
			sys["DeadLetterQueueSourceArn"] = m.sourceARN
		}
		if q.fifo {
			sys["MessageGroupId"] = m.groupID
			sys["MessageDeduplicationId"] = m.dedupID
		}
		msg := map[string]any{"MessageId": m.id, "ReceiptHandle": m.receipt, "Body": m.body, "MD5OfBody": md5Hex([]byte(m.body)), "Attributes": sys}
		if len(m.attrs) > 0 {
			msg["MessageAttributes"] = m.attrs
			msg["MD5OfMessageAttributes"] = attributesMD5(m.attrs)
		}
		out = append(out, msg)
	}
	q.msgs = keep
	if len(moved) > 0 {
		dlqARN := dlqARNOf(q.redrive)
		for _, d := range s.queues {
			if d.arn == dlqARN {
				for _, m := range moved {
					m.visibleAt, m.sourceARN = time.Time{}, q.arn
					d.msgs = append(d.msgs, m)
				}
			}
		}
	}
	return out
}

func maxReceives(redrive string) int {
	var p struct {
		MaxReceiveCount any `json:"maxReceiveCount"`
	}
	_ = json.Unmarshal([]byte(redrive), &p)
	switch v := p.MaxReceiveCount.(type) {
	case float64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

type handleEntry struct {
	ID                string `json:"Id"`
	ReceiptHandle     string `json:"ReceiptHandle"`
	VisibilityTimeout int    `json:"VisibilityTimeout"`
}

func (s *Server) byReceipt(q *queue, rh string) (int, *message) {
	for i, m := range q.msgs {
		if m.receipt == rh && rh != "" {
			return i, m
		}
	}
	return -1, nil
}

func (s *Server) deleteMessageBatch(in map[string]json.RawMessage) (any, *apiError) {
	var entries []handleEntry
	_ = json.Unmarshal(in["Entries"], &entries)
	s.mu.Lock()
	defer s.mu.Unlock()
	q, aerr := s.queueOf(in)
	if aerr != nil {
		return nil, aerr
	}
	ok, failed := []map[string]any{}, []map[string]any{}
	for _, e := range entries {
		i, _ := s.byReceipt(q, e.ReceiptHandle)
		if i < 0 {
			failed = append(failed, map[string]any{"Id": e.ID, "Code": "ReceiptHandleIsInvalid", "Message": "The receipt handle is not valid.", "SenderFault": true})
			continue
		}
		q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
		ok = append(ok, map[string]any{"Id": e.ID})
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

func (s *Server) changeVisibilityBatch(in map[string]json.RawMessage) (any, *apiError) {
	var entries []handleEntry
	_ = json.Unmarshal(in["Entries"], &entries)
	s.mu.Lock()
	defer s.mu.Unlock()
	q, aerr := s.queueOf(in)
	if aerr != nil {
		return nil, aerr
	}
	ok, failed := []map[string]any{}, []map[string]any{}
	now := s.now()
	for _, e := range entries {
		_, m := s.byReceipt(q, e.ReceiptHandle)
		if m == nil || !m.visibleAt.After(now) {
			failed = append(failed, map[string]any{"Id": e.ID, "Code": "MessageNotInflight", "Message": "The message is not in flight.", "SenderFault": true})
			continue
		}
		m.visibleAt = now.Add(time.Duration(e.VisibilityTimeout) * time.Second)
		ok = append(ok, map[string]any{"Id": e.ID})
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

func (s *Server) queueByARN(arn string) *queue {
	for _, q := range s.queues {
		if q.arn == arn {
			return q
		}
	}
	return nil
}

// startMoveTask moves every visible message at once, giving each a new
// MessageId, as a finished StartMessageMoveTask would.
func (s *Server) startMoveTask(in map[string]json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src := s.queueByARN(str(in, "SourceArn"))
	if src == nil {
		return nil, errf(400, "ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	var dest *queue
	if d := str(in, "DestinationArn"); d != "" {
		if dest = s.queueByARN(d); dest == nil {
			return nil, errf(400, "ResourceNotFoundException", "The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
	}
	for _, t := range s.tasks {
		if t.source == src.arn && t.status == "RUNNING" {
			return nil, errf(400, "UnsupportedOperation", "a task is already running")
		}
	}
	t := &moveTask{handle: s.nextID("task-"), source: src.arn, status: "COMPLETED", started: s.now()}
	now := s.now()
	keep := src.msgs[:0]
	for _, m := range src.msgs {
		if m.visibleAt.After(now) {
			keep = append(keep, m)
			continue
		}
		to := dest
		if to == nil {
			to = s.queueByARN(m.sourceARN)
		}
		if to == nil {
			for _, q := range s.queues {
				if dlqARNOf(q.redrive) == src.arn {
					to = q
				}
			}
		}
		if to == nil {
			keep = append(keep, m)
			continue
		}
		m.id, m.receives, m.visibleAt, m.receipt, m.sourceARN, m.firstReceive = s.nextID(""), 0, time.Time{}, "", "", time.Time{}
		to.msgs = append(to.msgs, m)
		t.moved++
	}
	src.msgs = keep
	t.toMove = t.moved
	s.tasks = append(s.tasks, t)
	return map[string]string{"TaskHandle": t.handle}, nil
}

func (s *Server) listMoveTasks(in map[string]json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src := str(in, "SourceArn")
	if s.queueByARN(src) == nil {
		return nil, errf(400, "ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	res := []map[string]any{}
	for i := len(s.tasks) - 1; i >= 0; i-- {
		t := s.tasks[i]
		if t.source == src {
			res = append(res, map[string]any{"TaskHandle": t.handle, "Status": t.status, "SourceArn": t.source,
				"ApproximateNumberOfMessagesMoved": t.moved, "ApproximateNumberOfMessagesToMove": t.toMove, "StartedTimestamp": t.started.UnixMilli()})
		}
	}
	return map[string]any{"Results": res}, nil
}

func (s *Server) cancelMoveTask(in map[string]json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tasks {
		if t.handle == str(in, "TaskHandle") {
			if t.status != "RUNNING" {
				return nil, errf(400, "UnsupportedOperation", "the task is not running")
			}
			t.status = "CANCELLING"
			return map[string]any{"ApproximateNumberOfMessagesMoved": t.moved}, nil
		}
	}
	return nil, errf(400, "ResourceNotFoundException", "no such task")
}
