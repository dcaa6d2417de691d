package queue

import (
	"cmp"
	"encoding/binary"
	"errors"
	"maps"
	"slices"
)

// Store keeps a broker's queues and messages where they outlive the
// process (`yafdp local up --data-dir`). A broker without one keeps
// everything in memory and pays nothing for this hook.
//
// Every operation that changes state hands its changes to Append while it
// still holds the lock that ordered it (the queue's, or the broker's for
// creating and deleting queues), so a store sees the changes of one queue in
// the order they happened. Append must not block: a store queues the
// changes and writes them in batches (group commit). The operations that
// acknowledge something to a client (sends, deletes, visibility changes,
// purges, queue changes) wait on the Commit after unlocking and answer only
// once it is durable. A receive does not wait: its receive count and
// visibility deadline are written in the same order, at the next commit, so
// a crash can at worst make a message received just before it visible
// again with the previous count, which at-least-once delivery allows.
//
// When a commit fails (a full disk), the operations that wait on it answer
// InternalError and the broker rolls back: every queue one of them changed
// is brought back to what LoadQueue returns, the store's last committed
// state (see Broker.rollback). Changes nobody waits for (receives, dead
// letters moving) are rolled back with them when they share a queue, and
// otherwise stay ahead of the disk as after a crash.
type Store interface {
	Append(changes []Change) Commit
	// LoadQueue returns a queue's record as last committed, with its
	// messages, deduplication ids and move tasks, and false when the store
	// has no queue of that name.
	LoadQueue(name string) (QueueRecord, bool, error)
}

// Commit is a set of changes handed to a Store.
type Commit interface {
	// Wait blocks until the changes are durable and returns what
	// prevented that.
	Wait() error
}

// ChangeKind says what a Change does.
type ChangeKind uint8

// The changes a broker makes.
const (
	// ChangePutQueue creates or replaces a queue's record (Change.Queue):
	// on a new incarnation, its messages and deduplication ids go.
	ChangePutQueue ChangeKind = iota + 1
	// ChangeDeleteQueue deletes a queue and everything in it.
	ChangeDeleteQueue
	// ChangePutMessage adds a message (Change.Message, every field).
	ChangePutMessage
	// ChangeReceiveMessage updates a message's receive count, first
	// receive, last receive and visibility deadline.
	ChangeReceiveMessage
	// ChangeDeleteMessage deletes the message Change.Message.Seq.
	ChangeDeleteMessage
	// ChangePurge deletes every message of the queue.
	ChangePurge
	// ChangePutDedup remembers a FIFO deduplication id (Change.Dedup).
	ChangePutDedup
	// ChangeDeleteDedup forgets the deduplication id Change.Dedup.Key.
	ChangeDeleteDedup
	// ChangePutMoveTask creates or updates a message move task of the
	// queue (its source), Change.Task.
	ChangePutMoveTask
)

// Change is one change to a queue. Name and Inc name the queue: a change
// for an incarnation other than the one stored (a queue deleted and
// created again meanwhile) is stale, and a store drops it.
type Change struct {
	Kind    ChangeKind
	Name    string
	Inc     uint32
	Queue   *QueueRecord
	Message MessageRecord
	Dedup   DedupRecord
	Task    MoveTaskRecord
}

// QueueRecord is a queue as a store keeps it. Attributes are the settable
// attributes as GetQueueAttributes renders them (RedrivePolicy included).
// Seq, Messages and Dedup are only filled by a store's load.
type QueueRecord struct {
	Name       string
	FIFO       bool
	Inc        uint32
	Created    int64
	Modified   int64
	Attributes map[string]string
	Tags       map[string]string

	// Seq is the highest message sequence number the queue gave out.
	Seq       uint64
	Messages  []MessageRecord
	Dedup     []DedupRecord
	MoveTasks []MoveTaskRecord
}

// MoveTaskRecord is a message move task of a source queue.
type MoveTaskRecord struct {
	ID             string
	Handle         string
	DestinationARN string
	Rate           int
	RateSet        bool
	Status         string
	Moved          int64
	ToMove         int64
	Started        int64
	FailureReason  string
}

// MoveTaskRestarted is the FailureReason of a move task that was running
// when the process stopped: Restore does not start it again (the messages
// it had not moved are still in the source queue).
const MoveTaskRestarted = "LocalUpRestarted"

// logTask records a move task's state; q is its source and q.mu is held.
func (q *Queue) logTask(o *op, t *moveTask) {
	o.changes = append(o.changes, Change{Kind: ChangePutMoveTask, Name: q.name, Inc: q.inc, Task: MoveTaskRecord{
		ID: t.id, Handle: t.handle, DestinationARN: t.dest, Rate: t.rate, RateSet: t.rateSet, Status: t.status,
		Moved: t.moved, ToMove: t.toMove, Started: t.started, FailureReason: t.failure}})
}

// restoreTasks brings back a source queue's recent move tasks; one that
// was running has failed.
func (q *Queue) restoreTasks(rs []MoveTaskRecord) {
	rs = slices.Clone(rs)
	slices.SortStableFunc(rs, func(a, b MoveTaskRecord) int {
		switch {
		case a.Started < b.Started:
			return -1
		case a.Started > b.Started:
			return 1
		}
		return 0
	})
	if len(rs) > 10 {
		rs = rs[len(rs)-10:]
	}
	for _, r := range rs {
		t := &moveTask{id: r.ID, handle: r.Handle, src: q, dest: r.DestinationARN, rate: r.Rate, rateSet: r.RateSet,
			status: r.Status, moved: r.Moved, toMove: r.ToMove, started: r.Started, failure: r.FailureReason}
		if t.status == MoveTaskRunning || t.status == MoveTaskCancelling {
			t.status, t.failure = MoveTaskFailed, MoveTaskRestarted
		}
		q.tasks = append(q.tasks, t)
	}
}

// MessageRecord is a message as a store keeps it; times are nanoseconds
// since the Unix epoch. Whether a message is visible, in flight or delayed
// follows from VisibleAt and Receives.
type MessageRecord struct {
	Seq                 uint64
	ID                  string
	Body                string
	Attributes          map[string]MessageAttributeValue
	TraceHeader         string
	GroupID             string
	DeduplicationID     string
	SenderID            string
	DeadLetterSourceARN string
	SentAt              int64
	Origin              int64

	// Changed by receives and visibility changes.
	Receives     int32
	FirstReceive int64
	ReceivedAt   int64
	VisibleAt    int64
}

// DedupRecord is a FIFO deduplication id within its window.
type DedupRecord struct {
	Key            string
	MessageID      string
	SequenceNumber string
	Until          int64
}

// State is what a store loaded: the queues, and the highest incarnation
// number ever given (deleted queues' included), so that receipt handles
// of a deleted queue never name a new one.
type State struct {
	Queues      []QueueRecord
	Incarnation uint32
}

// settableAttributes are the attributes a QueueRecord keeps.
var settableAttributes = []string{
	AttrDelaySeconds, AttrMaximumMessageSize, AttrMessageRetentionPeriod,
	AttrReceiveMessageWaitTimeSeconds, AttrVisibilityTimeout, AttrPolicy,
	AttrRedriveAllowPolicy, AttrKmsMasterKeyID, AttrKmsDataKeyReusePeriodSeconds,
	AttrSqsManagedSseEnabled, AttrContentBasedDeduplication, AttrDeduplicationScope,
	AttrFifoThroughputLimit,
}

// record returns the queue's record for ChangePutQueue; q.mu is held (or
// the queue is not shared yet).
func (q *Queue) record(cfg *config) *QueueRecord {
	r := &QueueRecord{Name: q.name, FIFO: q.fifo, Inc: q.inc, Created: q.created, Modified: q.modified,
		Attributes: map[string]string{}, Tags: make(map[string]string, len(q.tags))}
	for _, n := range settableAttributes {
		if n == AttrContentBasedDeduplication || n == AttrDeduplicationScope || n == AttrFifoThroughputLimit {
			if !q.fifo {
				continue
			}
		}
		if v, ok := cfg.render(n); ok {
			r.Attributes[n] = v
		}
	}
	if v, ok := cfg.render(AttrRedrivePolicy); ok {
		r.Attributes[AttrRedrivePolicy] = v
	}
	for k, v := range q.tags {
		r.Tags[k] = v
	}
	return r
}

func (m *message) record() MessageRecord {
	return MessageRecord{
		Seq: m.seq, ID: m.id, Body: m.body, Attributes: m.attrs, TraceHeader: m.trace,
		GroupID: m.group, DeduplicationID: m.dedup, SenderID: m.sender, DeadLetterSourceARN: m.dlqSource,
		SentAt: m.sentAt, Origin: m.origin,
		Receives: m.receives, FirstReceive: m.firstRecv, ReceivedAt: m.recvAt, VisibleAt: m.visibleAt,
	}
}

// logged appends a change to the operation's change set; the caller checks
// that the broker has a store.
func (q *Queue) logged(o *op, kind ChangeKind, m *message) {
	c := Change{Kind: kind, Name: q.name, Inc: q.inc}
	switch kind {
	case ChangePutMessage:
		c.Message = m.record()
	case ChangeReceiveMessage:
		c.Message = MessageRecord{Seq: m.seq, Receives: m.receives, FirstReceive: m.firstRecv, ReceivedAt: m.recvAt, VisibleAt: m.visibleAt}
	case ChangeDeleteMessage:
		c.Message.Seq = m.seq
	}
	o.changes = append(o.changes, c)
}

// commit hands the operation's changes to the store; q.mu is held.
func (q *Queue) commit(o *op) {
	if len(o.changes) > 0 {
		o.commit = q.b.store.Append(o.changes)
		o.changes = nil
	}
}

// durable waits until the operation's changes are on disk; nil without a
// store. When they could not be written, it rolls the queue back to what
// the store has before it returns the error: the operation did nothing.
func (o *op) durable() error {
	if o.commit == nil {
		return nil
	}
	if err := o.commit.Wait(); err != nil {
		if o.q != nil {
			o.q.b.rollback(o.q.name)
		}
		return storeError(err)
	}
	return nil
}

// storeError is what a client is told when its change could not be made
// durable; the change was rolled back.
func storeError(err error) error {
	return &Error{Type: "InternalError", Code: "InternalError", Status: 500,
		Message: "the change was not made: it could not be saved to the data directory: " + err.Error()}
}

// enterGate takes the broker's gate shared when it has a store (see
// Broker.gate) and returns what leaves it.
func (b *Broker) enterGate() (leave func()) {
	if b.store == nil {
		return func() {}
	}
	b.gate.RLock()
	return b.gate.RUnlock
}

// leaveGate leaves the gate if the operation holds it. It is small
// enough to inline: every operation calls it, and without a store it has
// nothing to do.
func (o *op) leaveGate() {
	if o.gated {
		o.unlockGate()
	}
}

func (o *op) unlockGate() {
	o.gated = false
	o.q.b.gate.RUnlock()
}

// rollback brings the named queues back to what the store last committed,
// after a commit that changed them failed. It waits until no operation is
// between its changes and their appending (the gate), lets the store
// commit (or fail) everything appended so far, then loads each queue and
// makes memory say the same: its configuration, tags and messages, their
// receive counts and visibility, and FIFO deduplication ids. A queue whose
// creation failed is removed, one whose deletion failed comes back. Long
// polls, counters, message move tasks and the sequence of receipt handles
// stay as they are. Rollbacks are rare (a full disk), so each reloads
// whole queues.
func (b *Broker) rollback(names ...string) {
	b.gate.Lock()
	_ = b.store.Append(nil).Wait()
	now := b.clk.Now().UnixNano()
	var poke, gone []*Queue
	for _, name := range names {
		r, stored, err := b.store.LoadQueue(name)
		if err != nil {
			continue // unreadable: memory is the best there is
		}
		cur, old := b.reload(name, &r, stored, now)
		if cur != nil {
			poke = append(poke, cur)
		}
		if old != nil {
			gone = append(gone, old)
		}
	}
	b.gate.Unlock()
	for _, q := range gone {
		q.shutdown(errQueueGone())
	}
	for _, q := range poke {
		q.poke()
	}
}

// reload makes the queue of a name what r says (stored) or absent; it
// returns the queue now in the broker and one it replaced, to shut down.
func (b *Broker) reload(name string, r *QueueRecord, stored bool, now int64) (cur, old *Queue) {
	b.mu.RLock()
	q := b.queues[name]
	b.mu.RUnlock()
	if q != nil && stored && q.inc == r.Inc {
		q.mu.Lock()
		err := q.reset(r, now)
		q.mu.Unlock()
		if err != nil {
			return nil, nil
		}
		return q, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if q != nil {
		delete(b.queues, name)
	}
	if !stored {
		return nil, q
	}
	delete(b.deletedAt, name) // its deletion did not happen
	nq, err := b.restoreQueue(r, now)
	if err != nil {
		return nil, q
	}
	if v, ok := r.Attributes[AttrRedrivePolicy]; ok {
		if p, err := parseRedrivePolicy(v); err == nil {
			c := *nq.cfg.Load()
			c.redrive = p
			nq.cfg.Store(&c)
		}
	}
	return nq, q
}

// reset makes a queue's state what r says; q.mu is held.
func (q *Queue) reset(r *QueueRecord, now int64) error {
	lookup := func(arn string) *Queue {
		q.b.mu.RLock()
		defer q.b.mu.RUnlock()
		return q.b.byARNLocked(arn)
	}
	cfg, err := parseAttributes(defaultConfig(), withoutRedrive(r.Attributes), r.FIFO, true, q.arn, lookup)
	if err != nil {
		return err
	}
	if v, ok := r.Attributes[AttrRedrivePolicy]; ok {
		if cfg.redrive, err = parseRedrivePolicy(v); err != nil {
			return err
		}
	}
	q.cfg.Store(&cfg)
	q.tags = maps.Clone(r.Tags)
	if q.tags == nil {
		q.tags = map[string]string{}
	}
	q.modified = r.Modified
	seq := q.seq
	q.clearMessages()
	if q.fifo {
		q.dedup = map[string]dedupEntry{}
		q.dedupLog.Reset()
	}
	q.restoreMessages(r, now)
	// Receipt handles of messages rolled back must not name later ones.
	q.seq = max(q.seq, seq)
	return nil
}

// poke brings a queue up to now and answers long polls that can be.
func (q *Queue) poke() {
	var o op
	if q.begin(&o) == nil {
		o.kick = true
		q.end(&o)
	}
}

func withoutRedrive(attrs map[string]string) map[string]string {
	out := make(map[string]string, len(attrs))
	for k, v := range attrs {
		if k != AttrRedrivePolicy {
			out[k] = v
		}
	}
	return out
}

// Restore loads what a store saved into an empty broker, before it serves
// anything. Messages keep their ids, receive counts and visibility
// deadlines; receipt handles given out before the restart stay valid.
// Deduplication ids still within their window are kept. Counters (Stats)
// start again from zero. Message move tasks are listed again, but one that
// was running is not resumed: it is FAILED with MoveTaskRestarted.
func (b *Broker) Restore(st State) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queues) > 0 {
		return errors.New("queue: Restore into a broker that has queues")
	}
	now := b.clk.Now().UnixNano()
	b.nextInc = max(b.nextInc, st.Incarnation)
	redrive := map[*Queue]string{}
	for i := range st.Queues {
		r := &st.Queues[i]
		q, err := b.restoreQueue(r, now)
		if err != nil {
			return err
		}
		if v, ok := r.Attributes[AttrRedrivePolicy]; ok {
			redrive[q] = v
		}
	}
	// Redrive policies last, once every target exists. A target deleted
	// before the restart is kept as AWS keeps it: messages then stay.
	for q, v := range redrive {
		p, err := parseRedrivePolicy(v)
		if err != nil {
			return errors.New("queue " + q.name + ": " + err.Error())
		}
		c := *q.cfg.Load()
		c.redrive = p
		q.cfg.Store(&c)
	}
	return nil
}

// restoreQueue makes a queue of a saved record, without its redrive
// policy, and adds it to the broker; b.mu is held.
func (b *Broker) restoreQueue(r *QueueRecord, now int64) (*Queue, error) {
	cfg, err := parseAttributes(defaultConfig(), withoutRedrive(r.Attributes), r.FIFO, true, b.QueueARN(r.Name), b.byARNLocked)
	if err != nil {
		return nil, errors.New("queue " + r.Name + ": " + err.Error())
	}
	var seed [32]byte
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint64(seed[8*i:], b.rng.Uint64())
	}
	q := newQueue(b, r.Name, r.FIFO, r.Inc, r.Created, cfg, seed)
	q.modified, q.lastNow = r.Modified, max(now, r.Created)
	for k, v := range r.Tags {
		q.tags[k] = v
	}
	b.nextInc = max(b.nextInc, r.Inc)
	b.queues[r.Name] = q
	q.restoreMessages(r, now)
	q.restoreTasks(r.MoveTasks)
	return q, nil
}

// restoreMessages enqueues saved messages in their order with their saved
// state.
func (q *Queue) restoreMessages(r *QueueRecord, now int64) {
	ms := slices.Clone(r.Messages)
	slices.SortFunc(ms, func(a, b MessageRecord) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, mr := range ms {
		m := newMessage()
		m.id, m.body, m.attrs, m.trace = mr.ID, mr.Body, mr.Attributes, mr.TraceHeader
		m.group, m.dedup, m.sender, m.dlqSource = mr.GroupID, mr.DeduplicationID, mr.SenderID, mr.DeadLetterSourceARN
		m.sentAt, m.origin = mr.SentAt, mr.Origin
		m.receives, m.firstRecv, m.recvAt, m.visibleAt = mr.Receives, mr.FirstReceive, mr.ReceivedAt, mr.VisibleAt
		q.seq = mr.Seq - 1
		q.enqueue(m, now)
		if m.state == stDelayed && m.receives > 0 {
			// Hidden after a receive: in flight, not delayed.
			m.state = stInflight
			q.nDelayed--
			q.nInflight++
			if q.fifo {
				m.grp.inflight++
			}
		}
	}
	q.seq = max(q.seq, r.Seq)
	if !q.fifo {
		return
	}
	ds := slices.Clone(r.Dedup)
	slices.SortFunc(ds, func(a, b DedupRecord) int { return cmp.Compare(a.Until, b.Until) })
	for _, d := range ds {
		if d.Until <= now {
			continue
		}
		q.dedup[d.Key] = dedupEntry{id: d.MessageID, seqNum: d.SequenceNumber, until: d.Until}
		q.dedupLog.Push(&dedupLogEntry{key: d.Key, until: d.Until})
	}
}
