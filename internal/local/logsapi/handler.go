package logsapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// TargetPrefix starts the X-Amz-Target header of every CloudWatch Logs call.
const TargetPrefix = "Logs_20140328."

// maxBodyBytes bounds a request body: a PutLogEvents batch is at most
// 1 MiB of messages.
const maxBodyBytes = 4 << 20

// Handler serves the AWS JSON 1.1 protocol of CloudWatch Logs. Errors are
// HTTP 400 with {"__type": "<Code>", "message": "..."}.
func (s *Store) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

type operation func(s *Store, body []byte) (any, *Error)

// op decodes a request into In and calls the store.
func op[In any](call func(s *Store, in *In) (any, *Error)) operation {
	return func(s *Store, body []byte) (any, *Error) {
		in := new(In)
		if len(bytes.TrimSpace(body)) > 0 {
			dec := json.NewDecoder(bytes.NewReader(body))
			if err := dec.Decode(in); err != nil {
				return nil, newError(CodeSerialization, "%v", err)
			}
		}
		return call(s, in)
	}
}

func (s *Store) serveHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	o, ok := operations[strings.TrimPrefix(target, TargetPrefix)]
	if r.Method != http.MethodPost || !strings.HasPrefix(target, TargetPrefix) || !ok {
		writeError(w, newError(CodeUnknownOperation, "Operation %q is not served by yafdp local up's CloudWatch Logs (see `yafdp help local up`)", target))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, newError(CodeSerialization, "the request body is larger than %d bytes", maxBodyBytes))
			return
		}
		writeError(w, newError(CodeSerialization, "reading the request: %v", err))
		return
	}
	out, e := o(s, body)
	if e != nil {
		writeError(w, e)
		return
	}
	b, merr := json.Marshal(out)
	if merr != nil {
		writeError(w, newError("ServiceUnavailableException", "encoding the response: %v", merr))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *Error) {
	b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if e.Code == "ServiceUnavailableException" {
		w.WriteHeader(http.StatusInternalServerError)
	} else {
		w.WriteHeader(http.StatusBadRequest)
	}
	_, _ = w.Write(b)
}
