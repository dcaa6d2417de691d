package awsfault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
)

// Transport wraps Base with fault injection. The zero rates inject nothing.
type Transport struct {
	Base http.RoundTripper
	// CallFailRate is the share of calls answered with HTTP 500 without
	// reaching the server.
	CallFailRate float64
	// LostResponseRate is the share of calls the server applies but whose
	// answer is lost (HTTP 500 to the caller): the caller cannot know.
	LostResponseRate float64
	// EntryFailRate is the share of batch entries answered as failed
	// (InternalError, not the sender's fault) and not forwarded.
	EntryFailRate float64
	// Ops limits the faults to these operations (e.g. "SendMessageBatch");
	// empty means every operation.
	Ops []string
	// LostOps limits lost responses to these operations; empty means Ops.
	LostOps []string

	mu    sync.Mutex
	rng   *rand.Rand
	stats Stats
}

// Stats counts what was injected.
type Stats struct {
	Calls           int
	FailedCalls     int
	LostResponses   int
	FailedEntries   int
	LostSendEntries int
}

// New returns a Transport over base (http.DefaultTransport when nil) with a
// seeded random source, so a failing test can be replayed.
func New(base http.RoundTripper, seed uint64) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{Base: base, rng: rand.New(rand.NewPCG(seed, seed^0xfa17))}
}

// Stats returns the counts so far.
func (t *Transport) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

func (t *Transport) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rng.Float64() < p
}

func in(ops []string, op string) bool {
	if len(ops) == 0 {
		return true
	}
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

func operation(r *http.Request) string {
	target := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		return target[i+1:]
	}
	return target
}

func serverError(r *http.Request) *http.Response {
	return response(r, http.StatusInternalServerError, []byte(`{"__type":"com.amazonaws.sqs#InternalError","message":"injected failure"}`))
}

func jsonResponse(r *http.Request, v any) *http.Response {
	data, _ := json.Marshal(v)
	return response(r, http.StatusOK, data)
}

func response(r *http.Request, status int, body []byte) *http.Response {
	return &http.Response{
		StatusCode: status,
		Status:     fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header:     http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:       io.NopCloser(bytes.NewReader(body)),
		Request:    r,
		ProtoMajor: 1, ProtoMinor: 1,
		ContentLength: int64(len(body)),
	}
}

func (t *Transport) count(f func(*Stats)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f(&t.stats)
}

// RoundTrip applies the faults.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	op := operation(r)
	t.count(func(s *Stats) { s.Calls++ })
	if !in(t.Ops, op) {
		return t.Base.RoundTrip(r)
	}
	if t.chance(t.CallFailRate) {
		if r.Body != nil {
			r.Body.Close()
		}
		t.count(func(s *Stats) { s.FailedCalls++ })
		return serverError(r), nil
	}
	var failed []map[string]any
	if t.EntryFailRate > 0 && strings.HasSuffix(op, "Batch") && r.Body != nil {
		var answered *http.Response
		var err error
		if r, failed, answered, err = t.dropEntries(r); answered != nil || err != nil {
			return answered, err
		}
	}
	resp, err := t.Base.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	if lost := t.loseAnswer(r, op, resp); lost != nil {
		return lost, nil
	}
	if len(failed) == 0 || resp.StatusCode != http.StatusOK {
		return resp, nil
	}
	return addFailed(r, resp, failed)
}

// dropEntries fails a share of a batch call's entries: they are answered
// as failed and not forwarded. It returns the request to forward, the
// entries it failed, and the answer itself when every entry failed.
func (t *Transport) dropEntries(r *http.Request) (*http.Request, []map[string]any, *http.Response, error) {
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return r, nil, nil, err
	}
	var failed []map[string]any
	var req map[string]any
	if json.Unmarshal(body, &req) == nil {
		if entries, ok := req["Entries"].([]any); ok {
			var keep []any
			for _, e := range entries {
				if t.chance(t.EntryFailRate) {
					id, _ := e.(map[string]any)["Id"].(string)
					failed = append(failed, map[string]any{"Id": id, "Code": "InternalError", "Message": "injected entry failure", "SenderFault": false})
					continue
				}
				keep = append(keep, e)
			}
			t.count(func(s *Stats) { s.FailedEntries += len(failed) })
			if len(keep) == 0 {
				return r, failed, jsonResponse(r, map[string]any{"Successful": []any{}, "Failed": failed}), nil
			}
			req["Entries"] = keep
			body, _ = json.Marshal(req)
		}
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Del("Content-Length")
	return r, failed, nil, nil
}

// loseAnswer loses a share of the answers to calls the server applied:
// the caller gets a server error instead. It returns that error, or nil.
func (t *Transport) loseAnswer(r *http.Request, op string, resp *http.Response) *http.Response {
	lostOps := t.LostOps
	if len(lostOps) == 0 {
		lostOps = t.Ops
	}
	if !in(lostOps, op) || !t.chance(t.LostResponseRate) {
		return nil
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	t.count(func(s *Stats) {
		s.LostResponses++
		if op == "SendMessageBatch" {
			var out struct{ Successful []any }
			_ = json.Unmarshal(data, &out)
			s.LostSendEntries += len(out.Successful)
		}
	})
	return serverError(r)
}

// addFailed adds the entries dropEntries failed to the server's answer.
func addFailed(r *http.Request, resp *http.Response, failed []map[string]any) (*http.Response, error) {
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if json.Unmarshal(data, &out) != nil {
		return jsonResponse(r, map[string]any{"Successful": []any{}, "Failed": failed}), nil
	}
	prev, _ := out["Failed"].([]any)
	for _, f := range failed {
		prev = append(prev, f)
	}
	out["Failed"] = prev
	return jsonResponse(r, out), nil
}
