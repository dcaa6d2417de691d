package sqstest

import (
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/local/sqsapi"
	"github.com/yafdp/yafdp/internal/queue"
)

// Server is a running endpoint.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:PORT; queue URLs start with it.
	URL string
	// Broker holds the queues.
	Broker *queue.Broker
	// Clock is the broker's clock.
	Clock *Clock
	// NoMoveTasks makes the message-move-task operations answer as an
	// emulator without them does (moto): HTTP 500 with an HTML page.
	NoMoveTasks atomic.Bool

	srv   *httptest.Server
	mu    sync.Mutex
	calls map[string]int
}

// Start runs an endpoint until the test ends. Message ids are drawn from a
// fixed seed, so that a test that makes its calls in a fixed order sees the
// same ids on every run.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{Clock: &Clock{}, calls: map[string]int{}}
	s.srv = httptest.NewUnstartedServer(nil)
	s.URL = "http://" + s.srv.Listener.Addr().String()
	s.Broker = queue.New(queue.Options{Clock: s.Clock, BaseURL: s.URL, Source: rand.NewPCG(5, 5)})
	h := sqsapi.NewHandler(s.Broker)
	s.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), sqsapi.TargetPrefix)
		s.mu.Lock()
		s.calls[op]++
		s.mu.Unlock()
		if s.NoMoveTasks.Load() && strings.Contains(op, "MessageMoveTask") {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("<!doctype html><title>500 Internal Server Error</title>"))
			return
		}
		h.ServeHTTP(w, r)
	})
	s.srv.Start()
	tb.Cleanup(s.Close)
	return s
}

// Serve runs the endpoint over a fresh broker on the real clock until the
// test ends, its handler wrapped by wrap (nil: not wrapped), for a test
// that changes what a request meets, and returns its URL.
func Serve(tb testing.TB, wrap func(*queue.Broker, http.Handler) http.Handler) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	b := queue.New(queue.Options{BaseURL: url})
	var h http.Handler = sqsapi.NewHandler(b)
	if wrap != nil {
		h = wrap(b, h)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close(); b.Close() })
	return url
}

// Close stops the endpoint and the broker. Start arranges it; calling it
// again does nothing.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.Broker.Close()
	s.srv.Close()
}

// Calls returns how many requests each operation got.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// CreateQueue creates a queue with attributes (FifoQueue, RedrivePolicy,
// ...) and returns its URL; it panics on bad attributes, a test's bug.
func (s *Server) CreateQueue(name string, attrs map[string]string) string {
	q, err := s.Broker.CreateQueue(name, attrs, nil)
	if err != nil {
		panic(err)
	}
	return q.URL()
}

// Count returns how many messages a queue holds, visible, in flight or
// delayed; 0 for a queue that does not exist.
func (s *Server) Count(name string) int {
	q, err := s.Broker.Queue(name)
	if err != nil {
		return 0
	}
	st := q.Stats()
	return st.Visible + st.InFlight + st.Delayed
}

// Message is a message as a queue holds it.
type Message struct {
	ID         string
	Body       string
	Attributes map[string]queue.MessageAttributeValue
	GroupID    string
	DedupID    string
	// Receives counts the receive Messages made to see it.
	Receives int
	SentAt   time.Time
}

// Messages returns the visible messages of a queue, oldest first as the
// queue delivers them. The model has no peek, so it receives them all and
// makes them visible again: each one's receive count goes up by one (the
// queue's RedrivePolicy is lifted meanwhile, so none moves to a
// dead-letter queue), and messages in flight or delayed are not seen.
func (s *Server) Messages(name string) []Message {
	q, err := s.Broker.Queue(name)
	if err != nil {
		return nil
	}
	attrs, _ := q.Attributes(queue.AttrRedrivePolicy)
	if p := attrs[queue.AttrRedrivePolicy]; p != "" {
		_ = q.SetAttributes(map[string]string{queue.AttrRedrivePolicy: ""})
		defer func() { _ = q.SetAttributes(map[string]string{queue.AttrRedrivePolicy: p}) }()
	}
	hour := 3600
	var out []Message
	var handles []string
	for {
		ms, err := q.Receive(queue.ReceiveInput{MaxNumberOfMessages: 10, VisibilityTimeout: &hour,
			AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}})
		if err != nil || len(ms) == 0 {
			break
		}
		for _, m := range ms {
			out = append(out, Message{ID: m.MessageID, Body: m.Body, Attributes: m.MessageAttributes,
				GroupID: m.Attributes["MessageGroupId"], DedupID: m.Attributes["MessageDeduplicationId"],
				Receives: m.ReceiveCount, SentAt: m.SentTimestamp})
			handles = append(handles, m.ReceiptHandle)
		}
	}
	for _, h := range handles {
		_ = q.ChangeVisibility(h, 0)
	}
	return out
}

// Clock is the broker's clock: the wall clock, which a test can move
// forward (Skip) or stop at an instant (Freeze). Its timers run in real
// time either way, so that long polls end and move tasks progress.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	frozen bool
	now    time.Time
}

var _ clock.Clock = (*Clock)(nil)

// Now returns the time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.now
	}
	return time.Now().Add(c.offset)
}

// Skip moves the clock forward by d: a deduplication window or a
// visibility timeout ends without waiting for it.
func (c *Clock) Skip(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.now = c.now.Add(d)
	} else {
		c.offset += d
	}
}

// Freeze stops the clock at t, so that timestamps in output are fixed.
// From then on time moves only when a timer fires: to the instant the timer
// was due.
func (c *Clock) Freeze(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen, c.now = true, t
}

// AfterFunc runs f after d of real time.
func (c *Clock) AfterFunc(d time.Duration, f func()) clock.Timer {
	c.mu.Lock()
	frozen, due := c.frozen, c.now.Add(d)
	c.mu.Unlock()
	if !frozen {
		return time.AfterFunc(d, f)
	}
	return time.AfterFunc(d, func() {
		c.mu.Lock()
		if c.frozen && c.now.Before(due) {
			c.now = due
		}
		c.mu.Unlock()
		f()
	})
}
