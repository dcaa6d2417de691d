package sqsapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/yafdp/yafdp/internal/queue"
)

// TargetPrefix is the X-Amz-Target prefix of the SQS operations.
const TargetPrefix = "AmazonSQS."

// maxRequestBytes bounds a request body. The largest valid request, a
// batch of 1 MiB, grows in JSON by escapes (an SDK writes < as \u003c, six
// bytes) and base64 (binary attributes, a third more).
const maxRequestBytes = 8 << 20

// Handler serves SQS over the AWS JSON 1.0 protocol. Create it with
// NewHandler.
type Handler struct {
	b      *queue.Broker
	reqSeq atomic.Uint64
	start  int64
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns the SQS endpoint over a broker. The broker's BaseURL
// should be the URL the handler is served at, so that the queue URLs it
// hands out lead back to it.
func NewHandler(b *queue.Broker) http.Handler {
	return &Handler{b: b, start: time.Now().UnixNano()}
}

// unsupported are the SQS actions of the API that this endpoint does not
// serve.
var unsupported = map[string]string{
	"AddPermission":    "set the queue's Policy attribute with SetQueueAttributes instead",
	"RemovePermission": "set the queue's Policy attribute with SetQueueAttributes instead",
}

// Operations returns the names of the SQS operations served.
func Operations() []string { return sortedKeys(operations) }

// Errors of the protocol layer that the queue model has no use for. AWS's
// JSON services answer an undecodable body with Coral's
// SerializationException; SQS answers an action it does not know with
// InvalidAction.
var (
	errSerialization = &queue.Error{Type: "SerializationException", Code: "SerializationException", Status: http.StatusBadRequest}
	errInvalidAction = &queue.Error{Type: "InvalidAction", Code: "InvalidAction", Status: http.StatusBadRequest}
	errUnknownTarget = &queue.Error{Type: "UnknownOperationException", Code: "UnknownOperationException", Status: http.StatusBadRequest}
	errTooLarge      = &queue.Error{Type: "RequestEntityTooLarge", Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge}
	errMethod        = &queue.Error{Type: "InvalidAction", Code: "InvalidAction", Status: http.StatusMethodNotAllowed}
)

// coralTypes are the errors whose __type is in Coral's namespace rather
// than SQS's.
var coralTypes = map[string]bool{"SerializationException": true, "UnknownOperationException": true}

func (h *Handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	reqID := h.requestID()
	rw.Header().Set("x-amzn-RequestId", reqID)
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, TargetPrefix)
	if !ok {
		if target == "" && isQueryProtocol(r) {
			writeQueryError(rw, reqID)
			return
		}
		writeError(rw, withMessage(errUnknownTarget,
			"X-Amz-Target %q is not served here: this endpoint serves AmazonSQS.<Operation> (SQS, AWS JSON 1.0 protocol), and yafdp local up also AWSStepFunctions.<Operation> (Step Functions)", target))
		return
	}
	if r.Method != http.MethodPost {
		writeError(rw, withMessage(errMethod, "SQS requests are POST; got %s", r.Method))
		return
	}
	op := operations[name]
	if op == nil {
		if why, ok := unsupported[name]; ok {
			writeError(rw, withMessage(queue.ErrUnsupportedOperation, "%s is not supported by yafdp local up: %s.", name, why))
			return
		}
		writeError(rw, withMessage(errInvalidAction, "The action %s is not valid for this endpoint.", name))
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(rw, err)
		return
	}
	w := newWriter()
	defer w.release()
	if err := op(h, r, body, w); err != nil {
		writeError(rw, err)
		return
	}
	out := w.bytes()
	hd := rw.Header()
	hd.Set("Content-Type", "application/x-amz-json-1.0")
	hd.Set("Content-Length", strconv.Itoa(len(out)))
	rw.WriteHeader(http.StatusOK)
	_, _ = rw.Write(out)
}

// requestID returns a request id shaped like AWS's (a UUID), unique for
// the life of the process.
func (h *Handler) requestID() string {
	n := h.reqSeq.Add(1)
	s := h.start
	var b [36]byte
	hex := func(dst []byte, v uint64) {
		for i := len(dst) - 1; i >= 0; i-- {
			dst[i] = hexDigits[v&0xf]
			v >>= 4
		}
	}
	hex(b[0:8], uint64(s)>>32)
	b[8] = '-'
	hex(b[9:13], uint64(s)>>16)
	b[13] = '-'
	hex(b[14:18], uint64(s))
	b[18] = '-'
	hex(b[19:23], n>>48)
	b[23] = '-'
	hex(b[24:36], n)
	return string(b[:])
}

func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > maxRequestBytes {
		return nil, withMessage(errTooLarge, "The request is %d bytes; at most %d are accepted.", r.ContentLength, maxRequestBytes)
	}
	var buf []byte
	if r.ContentLength > 0 {
		buf = make([]byte, 0, r.ContentLength+1)
	} else {
		buf = make([]byte, 0, 512)
	}
	lr := io.LimitReader(r.Body, maxRequestBytes+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, withMessage(errSerialization, "Reading the request body failed: %v", err)
		}
	}
	if len(buf) > maxRequestBytes {
		return nil, withMessage(errTooLarge, "The request is larger than %d bytes.", maxRequestBytes)
	}
	return buf, nil
}

// decode reads a request body into v. An empty body is an empty request.
func decode(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return withMessage(errSerialization, "%s found where an object was expected.", jsonKind(te.Value))
		}
		return withMessage(errSerialization, "%s can not be converted to %s (member %s).", jsonKind(te.Value), goKind(te.Type.String()), te.Field)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return withMessage(errSerialization, "The request body is not valid JSON: %v (at byte %d).", se, se.Offset)
	}
	return withMessage(errSerialization, "The request body could not be read: %v.", err)
}

// jsonKinds name JSON value kinds as Coral's messages do; numbers are
// NUMBER_VALUE whatever their Go type.
var jsonKinds = map[string]string{"string": "STRING_VALUE", "object": "Start of structure or map", "array": "Start of list", "bool": "BOOLEAN_VALUE"}

func jsonKind(v string) string {
	if k, ok := jsonKinds[v]; ok {
		return k
	}
	if strings.HasPrefix(v, "number") {
		return "NUMBER_VALUE"
	}
	return strings.ToUpper(v)
}

// goKinds name the member types of the request shapes as Coral does; any
// other slice is a List, map a Map, struct a Structure.
var goKinds = map[string]string{"int": "an Integer", "string": "a String", "[]uint8": "a Blob"}

func goKind(t string) string {
	t = strings.TrimLeft(t, "*")
	if k, ok := goKinds[t]; ok {
		return k
	}
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a List"
	case strings.HasPrefix(t, "map["):
		return "a Map"
	}
	return "a Structure"
}

// withMessage returns a copy of kind with a message.
func withMessage(kind *queue.Error, format string, args ...any) *queue.Error {
	e := *kind
	e.Message = fmt.Sprintf(format, args...)
	return &e
}

// missing is a required member left out.
func missing(name string) *queue.Error {
	return withMessage(queue.ErrMissingParameter, "The request must contain the parameter %s.", name)
}

// invalid is a member out of range, worded as SQS words it.
func invalid(name string, value any, reason string) *queue.Error {
	return withMessage(queue.ErrInvalidParameterValue, "Value %v for parameter %s is invalid. Reason: %s", value, name, reason)
}

// writeError renders an error as SQS does in the JSON protocol.
func writeError(rw http.ResponseWriter, err error) {
	var e *queue.Error
	if !errors.As(err, &e) {
		e = &queue.Error{Type: "InternalError", Code: "InternalError", Message: err.Error(), Status: http.StatusInternalServerError}
	}
	ns := "com.amazonaws.sqs#"
	if coralTypes[e.Type] {
		ns = "com.amazon.coral.service#"
	}
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	w := newWriter()
	defer w.release()
	w.str("__type", ns+e.Type)
	w.str("message", e.Message)
	out := w.bytes()
	hd := rw.Header()
	hd.Set("Content-Type", "application/x-amz-json-1.0")
	hd.Set("x-amzn-query-error", e.Code+";"+fault)
	hd.Set("Content-Length", strconv.Itoa(len(out)))
	rw.WriteHeader(e.Status)
	_, _ = rw.Write(out)
}

// isQueryProtocol reports a request of SQS's older query protocol (a form
// with an Action), which this endpoint does not serve.
func isQueryProtocol(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.URL.Query().Get("Action") != ""
}

// writeQueryError answers a query-protocol request in that protocol's XML,
// so that an old client shows why.
func writeQueryError(rw http.ResponseWriter, reqID string) {
	rw.Header().Set("Content-Type", "text/xml")
	rw.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(rw, `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>InvalidAction</Code>`+
		`<Message>yafdp local up serves SQS over the AWS JSON 1.0 protocol only, not the query protocol: use a current SDK or aws CLI (aws-sdk-go-v2, AWS CLI 1.31 / 2.15 or later).</Message>`+
		`</Error><RequestId>`+reqID+`</RequestId></ErrorResponse>`)
}
