package eventsapi

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yafdp/yafdp/internal/queue"
	"github.com/yafdp/yafdp/internal/uuid"
)

// Limits of EventBridge that the bus enforces.
const (
	// MaxRulesPerBus is the default quota of rules on an event bus.
	MaxRulesPerBus = 300
	// MaxTargetsPerRule is EventBridge's fixed limit.
	MaxTargetsPerRule = 5
	// DefaultBacklog is how many events wait for delivery before Put waits.
	DefaultBacklog = 8192
)

// Options configure a Bus.
type Options struct {
	Region, Account string
	// Queues finds the SQS queues that targets name by ARN.
	Queues *queue.Broker
	// Backlog bounds the events waiting for delivery (DefaultBacklog when
	// zero); Put waits while it is full, so memory stays bounded and a
	// slow delivery slows its producers instead of dropping events.
	Backlog int
	// Workers deliver events concurrently (GOMAXPROCS when zero): EventBridge
	// keeps no order between events either.
	Workers int
	// DuplicateEvery, when positive, delivers every Nth delivery twice,
	// as EventBridge's at-least-once delivery may: a test hook for the
	// consumers' deduplication.
	DuplicateEvery int
}

// Event is an event put on the bus. Detail is called once, on the bus's
// delivery goroutine, and only when some rule may want the event, so that
// producers do not pay for encoding what nobody reads. It returns the
// detail as decoded JSON (objects as map[string]any, numbers as float64),
// which patterns are matched against, and a function that encodes it,
// called only when a rule matched: the producer has the values at hand,
// and decoding JSON would cost more than all the rest of a delivery.
type Event struct {
	Source     string
	DetailType string
	Time       time.Time
	Resources  []string
	Detail     func() (fields map[string]any, encode func() []byte)
}

// Stats counts what the bus did.
type Stats struct {
	// Put is how many events were put; Matched how many matched a rule
	// (once per rule); Delivered how many messages reached a queue
	// (duplicates included) and Failed how many did not (no such queue).
	Put, Matched, Delivered, Duplicated, Failed int64
}

// Bus is the default event bus of one account and region, with its rules.
type Bus struct {
	opts Options

	mu    sync.RWMutex
	rules map[string]*rule // by name
	// sources counts the enabled rules with targets by the sources their
	// pattern names ("" for a pattern that names none), for Wants.
	sources map[string]int

	ch      chan Event
	closed  chan struct{}
	workers sync.WaitGroup
	closeMu sync.Once
	seq     atomic.Int64

	put, matched, delivered, duplicated, failed atomic.Int64
}

type rule struct {
	name, arn, pattern, state, description, roleARN string
	compiled                                        *Pattern
	sources                                         []string
	targets                                         []target
}

type target struct {
	id, arn, groupID string
}

// New starts a bus; Close stops its delivery goroutine.
func New(opts Options) *Bus {
	n := opts.Backlog
	if n <= 0 {
		n = DefaultBacklog
	}
	b := &Bus{opts: opts, rules: map[string]*rule{}, sources: map[string]int{},
		ch: make(chan Event, n), closed: make(chan struct{})}
	w := opts.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	for range w {
		b.workers.Go(b.deliver)
	}
	return b
}

// Close stops delivering; events still waiting are delivered first.
func (b *Bus) Close() {
	b.closeMu.Do(func() {
		close(b.closed)
		b.workers.Wait()
	})
}

// Stats returns the bus's counts.
func (b *Bus) Stats() Stats {
	return Stats{Put: b.put.Load(), Matched: b.matched.Load(), Delivered: b.delivered.Load(),
		Duplicated: b.duplicated.Load(), Failed: b.failed.Load()}
}

// Wants reports whether an enabled rule with a target may match events of
// source. It is cheap, so producers can skip building events nobody reads.
func (b *Bus) Wants(source string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.sources[source] > 0 || b.sources[""] > 0
}

// Put queues an event for delivery. It waits while the backlog is full,
// and drops the event once the bus is closed.
func (b *Bus) Put(e Event) {
	select {
	case b.ch <- e:
		b.put.Add(1)
	case <-b.closed:
	}
}

func (b *Bus) deliver() {
	for {
		select {
		case e := <-b.ch:
			b.deliverOne(e)
		case <-b.closed:
			for {
				select {
				case e := <-b.ch:
					b.deliverOne(e)
				default:
					return
				}
			}
		}
	}
}

func (b *Bus) deliverOne(e Event) {
	b.mu.RLock()
	var cands []*rule
	for _, r := range b.rules {
		if r.state != "DISABLED" && len(r.targets) > 0 && r.wantsSource(e.Source) {
			cands = append(cands, r)
		}
	}
	b.mu.RUnlock()
	if len(cands) == 0 {
		return
	}
	fields, encode := map[string]any{}, func() []byte { return []byte("{}") }
	if e.Detail != nil {
		fields, encode = e.Detail()
	}
	id := newUUID()
	when := e.Time.UTC().Format("2006-01-02T15:04:05Z")
	resources := make([]any, len(e.Resources))
	for i, r := range e.Resources {
		resources[i] = r
	}
	match := map[string]any{"version": "0", "id": id, "detail-type": e.DetailType, "source": e.Source,
		"account": b.opts.Account, "time": when, "region": b.opts.Region, "resources": resources, "detail": fields}
	var body []byte
	for _, r := range cands {
		b.mu.RLock()
		pat, targets := r.compiled, r.targets
		b.mu.RUnlock()
		if !pat.Match(match) {
			continue
		}
		b.matched.Add(1)
		if body == nil {
			body = b.envelope(id, when, e, encode())
		}
		for _, t := range targets {
			b.send(t, id, string(body))
		}
	}
}

// envelope writes an event as EventBridge delivers it, in its field
// order: version, id, detail-type, source, account, time, region,
// resources, detail.
func (b *Bus) envelope(id, when string, e Event, detail []byte) []byte {
	out := make([]byte, 0, 256+len(detail))
	out = append(out, `{"version":"0","id":`...)
	out = appendString(out, id)
	out = append(out, `,"detail-type":`...)
	out = appendString(out, e.DetailType)
	out = append(out, `,"source":`...)
	out = appendString(out, e.Source)
	out = append(out, `,"account":`...)
	out = appendString(out, b.opts.Account)
	out = append(out, `,"time":`...)
	out = appendString(out, when)
	out = append(out, `,"region":`...)
	out = appendString(out, b.opts.Region)
	out = append(out, `,"resources":[`...)
	for i, r := range e.Resources {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, r)
	}
	out = append(out, `],"detail":`...)
	out = append(out, detail...)
	return append(out, '}')
}

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it without HTML escaping.
func appendString(out []byte, s string) []byte {
	if !needsEscape(s) {
		out = append(out, '"')
		out = append(out, s...)
		return append(out, '"')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return append(out, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return true
		}
	}
	return false
}

func (b *Bus) send(t target, id, body string) {
	q, err := b.opts.Queues.QueueByARN(t.arn)
	if err != nil {
		b.failed.Add(1)
		return
	}
	n := 1
	if d := b.opts.DuplicateEvery; d > 0 && b.seq.Add(1)%int64(d) == 0 {
		n = 2
		b.duplicated.Add(1)
	}
	in := queue.SendInput{Body: body, SenderID: "AIDAIEVENTBRIDGE"}
	if strings.HasSuffix(t.arn, ".fifo") {
		in.MessageGroupID, in.MessageDeduplicationID = t.groupID, id
	}
	for range n {
		if _, err := q.Send(in); err != nil {
			b.failed.Add(1)
			continue
		}
		b.delivered.Add(1)
	}
}

// wantsSource reports whether the rule's pattern may match the source.
func (r *rule) wantsSource(source string) bool {
	if r.sources == nil {
		return true
	}
	for _, s := range r.sources {
		if s == source {
			return true
		}
	}
	return false
}

// patternSources are the exact sources a pattern names; nil when it names
// none or filters the source some other way.
func patternSources(p *Pattern) []string {
	for _, f := range p.fields {
		if f.key != "source" || f.nested != nil {
			continue
		}
		var out []string
		for _, m := range f.match {
			s, ok := m.value.(string)
			if m.kind != "value" || !ok {
				return nil
			}
			out = append(out, s)
		}
		return out
	}
	return nil
}

// recount rebuilds the sources index (under b.mu).
func (b *Bus) recount() {
	clear(b.sources)
	for _, r := range b.rules {
		if r.state == "DISABLED" || len(r.targets) == 0 {
			continue
		}
		if r.sources == nil {
			b.sources[""]++
			continue
		}
		for _, s := range r.sources {
			b.sources[s]++
		}
	}
}

func (b *Bus) ruleARN(name string) string {
	return "arn:aws:events:" + b.opts.Region + ":" + b.opts.Account + ":rule/" + name
}

func (b *Bus) busARN() string {
	return "arn:aws:events:" + b.opts.Region + ":" + b.opts.Account + ":event-bus/default"
}

func (b *Bus) sortedRules(prefix string) []*rule {
	var out []*rule
	for _, r := range b.rules {
		if strings.HasPrefix(r.name, prefix) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return uuid.V4(b)
}
