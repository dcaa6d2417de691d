package sfnapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// TargetPrefix starts the X-Amz-Target header of every Step Functions call.
const TargetPrefix = "AWSStepFunctions."

// maxBodyBytes bounds a request body: a 1 MiB definition, JSON-escaped,
// fits with room to spare.
const maxBodyBytes = 8 << 20

// Handler serves the AWS JSON 1.0 protocol the Step Functions SDKs and the
// aws CLI speak: POST / with X-Amz-Target: AWSStepFunctions.<Operation>.
// Errors are HTTP 400 with {"__type": "...#<Code>", "message": "..."}, which
// the SDKs turn into their typed errors.
func (s *Service) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// operation serves one operation: it decodes the request body, runs it
// and returns the encoded answer, or the error to answer with.
type operation func(s *Service, ctx context.Context, body []byte) ([]byte, *Error)

// op assembles an operation from its steps, which run in this order:
// decode the body into In (SerializationException), check it (nil: the
// service's own checks are all there is), call the service, and encode as
// JSON the answer that answer makes of the call's result. An operation is
// then only its request shape, its checks, its call and its answer.
func op[In, Res, Out any](check func(*In) *Error, call func(s *Service, ctx context.Context, in *In) (Res, *Error), answer func(Res) Out) operation {
	return func(s *Service, ctx context.Context, body []byte) ([]byte, *Error) {
		in, err := decode[In](body)
		if err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(in); err != nil {
				return nil, err
			}
		}
		res, err := call(s, ctx, in)
		if err != nil {
			return nil, err
		}
		// Compact, and without HTML escaping, as AWS writes strings.
		b, merr := value.Encode(answer(res))
		if merr != nil {
			return nil, newError(CodeInternalFailure, "encoding the response: %v", merr)
		}
		return b, nil
	}
}

// same is the answer of a call whose result is the answer.
func same[T any](res T) T { return res }

// Operations lists the operations the handler serves, sorted.
func Operations() []string {
	out := make([]string, 0, len(operations))
	for op := range operations {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}

func (s *Service) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", newUUID())
	target := r.Header.Get("X-Amz-Target")
	op, ok := operations[strings.TrimPrefix(target, TargetPrefix)]
	if r.Method != http.MethodPost || !strings.HasPrefix(target, TargetPrefix) || !ok {
		writeError(w, newError(CodeUnknownOperation, "Operation %q is not served here", target))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, newError(CodeSerializationException, "the request body is larger than %d bytes", maxBodyBytes))
			return
		}
		writeError(w, newError(CodeSerializationException, "reading the request: %v", err))
		return
	}
	b, e := op(s, r.Context(), body)
	if e != nil {
		writeError(w, e)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *Error) {
	b, _ := value.Encode(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{e.wireType(), e.Message})
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(e.httpStatus())
	_, _ = w.Write(b)
}

// decode reads a request body into its request type. An empty body is an
// empty request; anything that is not one JSON object of the right member
// types is a SerializationException.
func decode[T any](body []byte) (*T, *Error) {
	req := new(T)
	if len(bytes.TrimSpace(body)) == 0 {
		return req, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(req); err != nil {
		return nil, newError(CodeSerializationException, "%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, newError(CodeSerializationException, "unexpected data after the request object")
	}
	return req, nil
}
