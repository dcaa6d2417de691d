package logsapi

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// Bounds on what one log group keeps. Past either, the oldest events of
// the group are dropped.
const (
	MaxEventsPerGroup = 100_000
	MaxBytesPerGroup  = 64 << 20
)

// Store holds log groups, their streams and events. It is safe for
// concurrent use.
type Store struct {
	clk     clock.Clock
	region  string
	account string

	mu     sync.Mutex
	groups map[string]*group
	seq    uint64 // numbers every event and every group, in order
}

type group struct {
	// maxEvents and maxBytes bound the group (MaxEventsPerGroup and
	// MaxBytesPerGroup unless SetGroupLimits changed them).
	maxEvents, maxBytes int
	name                string
	created             time.Time
	seq                 uint64
	retention           *int64
	streams             map[string]*stream
	events              []*event // ingestion order, oldest first
	bytes               int
}

type stream struct {
	name      string
	created   time.Time
	first     time.Time // timestamp of the earliest event kept, zero when none
	last      time.Time
	ingested  time.Time
	bytes     int64
	puts      uint64
	eventsNow int
}

type event struct {
	seq      uint64
	stream   *stream
	ts       int64 // milliseconds
	ingested int64
	message  string
}

// New returns an empty store; its ARNs name region and account.
func New(clk clock.Clock, region, account string) *Store {
	if clk == nil {
		clk = clock.Real{}
	}
	return &Store{clk: clk, region: region, account: account, groups: map[string]*group{}}
}

// GroupARN is a log group's ARN, without the ":*" that DescribeLogGroups's
// arn member carries.
func (s *Store) GroupARN(name string) string {
	return "arn:aws:logs:" + s.region + ":" + s.account + ":log-group:" + name
}

// CreateGroup creates a log group. Errors: ResourceAlreadyExistsException.
func (s *Store) CreateGroup(name string) *Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[name]; ok {
		return errGroupExists()
	}
	s.seq++
	s.groups[name] = &group{name: name, created: s.clk.Now(), seq: s.seq, streams: map[string]*stream{},
		maxEvents: MaxEventsPerGroup, maxBytes: MaxBytesPerGroup}
	return nil
}

// SetGroupLimits changes the bounds of one log group: the most events and
// bytes of messages it keeps before its oldest events are dropped. Errors:
// ResourceNotFoundException for a missing group.
func (s *Store) SetGroupLimits(name string, maxEvents, maxBytes int) *Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[name]
	if !ok {
		return errGroupNotFound()
	}
	g.maxEvents, g.maxBytes = max(maxEvents, 1), max(maxBytes, 1)
	return nil
}

// LogGroupExists reports whether a log group of that name exists.
func (s *Store) LogGroupExists(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.groups[name]
	return ok
}

// PutLogEvent appends one event to a stream of an existing group, creating
// the stream when it is missing (as Step Functions' log delivery does).
// Errors: ResourceNotFoundException for a missing group.
func (s *Store) PutLogEvent(groupName, streamName string, ts time.Time, message string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[groupName]
	if !ok {
		return errGroupNotFound()
	}
	st, ok := g.streams[streamName]
	if !ok {
		st = &stream{name: streamName, created: s.clk.Now()}
		g.streams[streamName] = st
	}
	s.append(g, st, []inputEvent{{Timestamp: ts.UnixMilli(), Message: message}})
	return nil
}

type inputEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// append adds events to a stream and drops the group's oldest events past
// its bounds. Called with s.mu held.
func (s *Store) append(g *group, st *stream, events []inputEvent) {
	now := s.clk.Now()
	for _, in := range events {
		s.seq++
		e := &event{seq: s.seq, stream: st, ts: in.Timestamp, ingested: now.UnixMilli(), message: in.Message}
		g.events = append(g.events, e)
		g.bytes += len(in.Message)
		st.bytes += int64(len(in.Message))
		st.eventsNow++
		t := time.UnixMilli(in.Timestamp)
		if st.first.IsZero() || t.Before(st.first) {
			st.first = t
		}
		if t.After(st.last) {
			st.last = t
		}
	}
	st.ingested = now
	st.puts++
	drop := 0
	for len(g.events)-drop > g.maxEvents || g.bytes > g.maxBytes && drop < len(g.events) {
		e := g.events[drop]
		g.bytes -= len(e.message)
		e.stream.eventsNow--
		drop++
	}
	if drop > 0 {
		clear(g.events[:drop])
		g.events = g.events[drop:]
		if cap(g.events) > 2*g.maxEvents {
			g.events = append([]*event(nil), g.events...)
		}
	}
}

// sortedGroups returns the groups whose names start with prefix, by name.
func (s *Store) sortedGroups(prefix string) []*group {
	var out []*group
	for _, g := range s.groups {
		if strings.HasPrefix(g.name, prefix) {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
