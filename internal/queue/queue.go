package queue

import (
	"encoding/base64"
	"encoding/binary"
	"maps"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/fifo"
	"github.com/yafdp/yafdp/internal/uuid"
)

// Queue is one SQS queue. Its methods are the SQS actions on a queue; they
// are safe for concurrent use. A Queue deleted from its broker answers
// QueueDoesNotExist.
//
// Time is lazy: each call first brings the queue up to the clock's now
// (visibility timeouts and delays that ended, messages past retention, old
// deduplication ids), so nothing runs on a timer unless someone waits. One
// clock timer, at the earliest end of a visibility timeout or delay, exists
// only while a long poll or a watcher waits.
//
// Structures, so that every operation is O(1) or O(log n): a standard
// queue's visible messages are a ring in send order plus a heap by send
// order for those that came back (visibility expired, delay ended), and it
// hands out the oldest of the two heads; messages in flight or delayed are
// in one heap by the time they become visible; every live message is in a
// list by the start of its retention period (plus a heap for the few that
// arrive out of order) so expiry looks only at the oldest. A FIFO queue
// keeps each message group's messages in a list and a ring of the groups
// that can deliver (head visible, nothing in flight).
type Queue struct {
	b       *Broker
	clk     clock.Clock
	name    string
	url     string
	arn     string
	fifo    bool
	inc     uint32 // this queue's incarnation, in its receipt handles
	created int64

	cfg      atomic.Pointer[config]
	deleted  atomic.Bool
	dlqCache atomic.Pointer[Queue]
	watchers atomic.Pointer[[]*watcher]

	mu       sync.Mutex
	lastNow  int64
	modified int64
	tags     map[string]string
	rng      *rand.ChaCha8
	seq      uint64
	seqBase  uint64
	msgs     index // live messages by seq

	fresh fifo.List[message] // standard: visible, in send order
	ready mheap              // standard: visible, out of send order
	timed mheap              // in flight or delayed

	ages   chain[message] // by retention start
	ageOOO mheap

	groups      map[string]*group // FIFO
	readyGroups fifo.List[group]
	dedup       map[string]dedupEntry
	dedupLog    fifo.List[dedupLogEntry]

	nVisible, nInflight, nDelayed int
	st                            counters
	lastPurge                     int64
	purged                        bool

	waiters   waiterList
	nWatchers int
	timer     clock.Timer
	timerAt   int64
	timerGen  uint64

	task  *moveTask   // the running move task that reads this queue
	tasks []*moveTask // its recent move tasks, oldest first
}

// group is a FIFO message group: its live messages in order, and how many
// of them are in flight (while any is, the group delivers nothing).
type group struct {
	id       string
	msgs     chain[message]
	inflight int
	queued   bool // in readyGroups
	dead     bool // removed from the map
}

type dedupEntry struct {
	id     string
	seqNum string
	until  int64
}

type dedupLogEntry struct {
	key   string
	until int64
}

// counters are the cumulative counts Stats reports.
type counters struct {
	sent, duplicates, received, emptyReceives, deleted int64
	movedToDLQ, deadLettersIn, movedOut, movedIn       int64
	expired, purged                                    int64
}

func newQueue(b *Broker, name string, fifo bool, inc uint32, now int64, cfg config, seed [32]byte) *Queue {
	q := &Queue{
		b: b, clk: b.clk, name: name, url: b.QueueURL(name), arn: b.QueueARN(name),
		fifo: fifo, inc: inc, created: now, modified: now, lastNow: now,
		tags:    map[string]string{},
		rng:     rand.NewChaCha8(seed),
		ready:   mheap{kind: bySeq},
		timed:   mheap{kind: byVisibleAt},
		ageOOO:  mheap{kind: byOrigin},
		seqBase: 10_000_000_000_000_000_000 + uint64(now/1e6)*1000,
	}
	if fifo {
		q.groups = map[string]*group{}
		q.dedup = map[string]dedupEntry{}
	}
	q.cfg.Store(&cfg)
	q.watchers.Store(new([]*watcher))
	return q
}

// Name returns the queue's name.
func (q *Queue) Name() string { return q.name }

// URL returns the queue's URL.
func (q *Queue) URL() string { return q.url }

// ARN returns the queue's ARN.
func (q *Queue) ARN() string { return q.arn }

// FIFO reports whether this is a FIFO queue.
func (q *Queue) FIFO() bool { return q.fifo }

// op is the state of one call between begin and end.
type op struct {
	now  int64
	cfg  *config
	dlq  *Queue
	kick bool       // messages may have become receivable
	dead []*message // to move to the dead-letter queue after unlocking
	done []delivery // long polls to answer after unlocking

	changes []Change // for the broker's store, when it has one
	commit  Commit

	// q is the queue the op changes, for a rollback when its commit
	// fails. With a store, gated says whether the op holds the broker's
	// gate (see Broker.gate). An op within another (dead letters, moved
	// messages arriving) is a child: the other, its parent, holds the gate
	// for it, and makes its callbacks once it has left the gate (kicked:
	// queues whose watchers to call; see endIn). holdGate: end leaves the
	// gate held, and the callbacks to the op's owner (see callBack).
	//
	// The parent is a parameter of endIn, not a field: an op that pointed
	// at its parent made every op escape to the heap (end passes the op
	// as the parent of the dead letters' op, which it ends in turn).
	q                      *Queue
	kicked                 []*Queue
	gated, holdGate, child bool
}

type delivery struct {
	w    *waiter
	msgs []Message
	err  error
}

// begin locks the queue and brings it up to now.
func (q *Queue) begin(o *op) error {
	o.q = q
	if q.b.store != nil && !o.child {
		q.b.gate.RLock()
		o.gated = true
	}
	o.cfg = q.cfg.Load()
	q.mu.Lock()
	if q.deleted.Load() {
		q.mu.Unlock()
		o.leaveGate()
		return errQueueGone()
	}
	o.now = q.clk.Now().UnixNano()
	if o.now < q.lastNow {
		o.now = q.lastNow // goroutines read the wall clock in any order
	}
	q.lastNow = o.now
	o.dlq = q.deadLetterQueue(o.cfg)
	q.advance(o)
	return nil
}

// end answers long polls if messages became receivable, arms the wake-up
// timer, unlocks, and then does what must not hold the lock: moving dead
// letters, leaving the gate, calling back long polls and watchers (which
// may start other operations).
func (q *Queue) end(o *op) { q.endIn(o, nil) }

// endIn is end for an op within parent (a child op), or for one on its
// own when parent is nil.
func (q *Queue) endIn(o, parent *op) {
	if o.kick && q.waiters.head != nil {
		q.serve(o)
	}
	if q.b.store != nil {
		q.commit(o)
	}
	q.arm(o.now)
	q.mu.Unlock()
	if len(o.dead) > 0 {
		o.dlq.acceptDeadLetters(o.dead, q, o)
	}
	if (parent != nil || o.holdGate) && q.b.store != nil {
		// Callbacks may start operations, which take the gate: they wait
		// until whoever holds it has left it.
		to := o
		if parent != nil {
			to = parent
			to.done = append(to.done, o.done...)
		}
		if o.kick {
			to.kicked = append(to.kicked, q)
		}
		return
	}
	o.leaveGate()
	for _, d := range o.done {
		d.w.done(d.msgs, d.err)
	}
	if o.kick {
		for _, w := range *q.watchers.Load() {
			w.f()
		}
	}
	for _, k := range o.kicked {
		for _, w := range *k.watchers.Load() {
			w.f()
		}
	}
}

// callBack leaves the gate and makes the callbacks of an op whose end
// left them to its owner (holdGate). Without a store end made them.
func (o *op) callBack() {
	if o.q == nil || o.q.b.store == nil {
		return
	}
	o.leaveGate()
	for _, d := range o.done {
		d.w.done(d.msgs, d.err)
	}
	for _, k := range o.kicked {
		for _, w := range *k.watchers.Load() {
			w.f()
		}
	}
}

// deadLetterQueue returns the queue's dead-letter queue, or nil when it has
// none or the target does not exist (then messages stay).
func (q *Queue) deadLetterQueue(cfg *config) *Queue {
	if cfg.redrive == nil {
		return nil
	}
	if d := q.dlqCache.Load(); d != nil && d.arn == cfg.redrive.TargetARN && !d.deleted.Load() {
		return d
	}
	q.b.mu.RLock()
	d := q.b.byARNLocked(cfg.redrive.TargetARN)
	q.b.mu.RUnlock()
	if d != nil {
		q.dlqCache.Store(d)
	}
	return d
}

// advance makes visible what became visible, and drops what expired.
func (q *Queue) advance(o *op) {
	now := o.now
	for q.timed.len() > 0 && q.timed.s[0].visibleAt <= now {
		q.makeVisible(q.timed.pop())
		o.kick = true
	}
	ret := int64(o.cfg.retention) * int64(time.Second)
	for m := q.oldest(); m != nil && m.origin+ret <= now; m = q.oldest() {
		if q.remove(m) {
			o.kick = true
		}
		q.st.expired++
		if q.b.store != nil {
			q.logged(o, ChangeDeleteMessage, m)
		}
	}
	if q.fifo {
		for e := q.dedupLog.Front(); e != nil && e.until <= now; e = q.dedupLog.Front() {
			q.dedupLog.PopFront()
			if d, ok := q.dedup[e.key]; ok && d.until <= now {
				delete(q.dedup, e.key)
				if q.b.store != nil {
					o.changes = append(o.changes, Change{Kind: ChangeDeleteDedup, Name: q.name, Inc: q.inc, Dedup: DedupRecord{Key: e.key}})
				}
			}
		}
	}
}

// makeVisible ends a message's visibility timeout or delay.
func (q *Queue) makeVisible(m *message) {
	wasInflight := m.state == stInflight
	if wasInflight {
		q.nInflight--
	} else {
		q.nDelayed--
	}
	m.state = stVisible
	q.nVisible++
	if !q.fifo {
		m.loc = locReady
		q.ready.push(m)
		return
	}
	if wasInflight {
		m.grp.inflight--
	}
	q.groupReady(m.grp)
}

// groupReady queues a FIFO group that can deliver, and reports whether it
// did.
func (q *Queue) groupReady(g *group) bool {
	if g.queued || g.dead || g.inflight > 0 || g.msgs.head == nil || g.msgs.head.state != stVisible {
		return false
	}
	g.queued = true
	q.readyGroups.Push(g)
	return true
}

// oldest returns the live message whose retention period started first.
func (q *Queue) oldest() *message {
	a, b := q.ages.head, q.ageOOO.top()
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case b.origin < a.origin || b.origin == a.origin && b.seq < a.seq:
		return b
	}
	return a
}

// enqueue adds a new message: visible, or delayed until visibleAt.
func (q *Queue) enqueue(m *message, now int64) {
	q.seq++
	m.seq = q.seq
	q.msgs.put(m)
	// The retention list is in order of origin; a dead letter of a standard
	// queue keeps its old origin and goes to the heap instead.
	if q.ages.tail == nil || m.origin >= q.ages.tail.origin {
		q.ages.pushBack(m, ageLink)
	} else {
		q.ageOOO.push(m)
	}
	if m.visibleAt > now {
		m.state = stDelayed
		q.nDelayed++
		q.timed.push(m)
	} else {
		m.state = stVisible
		q.nVisible++
		if !q.fifo {
			m.loc = locFresh
			q.fresh.Push(m)
		}
	}
	if q.fifo {
		g := q.groups[m.group]
		if g == nil {
			g = &group{id: m.group}
			q.groups[m.group] = g
		}
		m.grp = g
		g.msgs.pushBack(m, groupLink)
		q.groupReady(g)
	}
}

// remove takes a live message out of every structure (delete, expiry,
// purge) and reports whether that let a FIFO group deliver again.
func (q *Queue) remove(m *message) bool {
	wasInflight := m.state == stInflight
	switch m.state {
	case stVisible:
		q.nVisible--
		if m.loc == locReady {
			q.ready.remove(m)
		}
		m.loc = locNone // in the fresh ring it is skipped from now on
	case stInflight:
		q.nInflight--
		q.timed.remove(m)
	case stDelayed:
		q.nDelayed--
		q.timed.remove(m)
	}
	q.forget(m)
	if !q.fifo {
		return false
	}
	g := q.unlinkGroup(m)
	if wasInflight {
		g.inflight--
	}
	return q.tidyGroup(g)
}

// forget drops a message from the retention order and the index.
func (q *Queue) forget(m *message) {
	if m.hidx[byOrigin] >= 0 {
		q.ageOOO.remove(m)
	} else {
		q.ages.remove(m, ageLink)
	}
	q.msgs.del(m.seq)
	m.state = stGone
}

func (q *Queue) unlinkGroup(m *message) *group {
	g := m.grp
	g.msgs.remove(m, groupLink)
	return g
}

// tidyGroup drops an empty group or queues one that can deliver.
func (q *Queue) tidyGroup(g *group) bool {
	if g.msgs.head == nil && g.inflight == 0 {
		g.dead = true
		delete(q.groups, g.id)
		return false
	}
	return q.groupReady(g)
}

// popVisible takes the oldest visible message of a standard queue.
func (q *Queue) popVisible() *message {
	m := q.peekVisible()
	if m == nil {
		return nil
	}
	if m.loc == locFresh {
		q.fresh.PopFront()
	} else {
		q.ready.remove(m)
	}
	m.loc = locNone
	q.nVisible--
	return m
}

func (q *Queue) peekVisible() *message {
	var f *message
	for q.fresh.Len() > 0 {
		if c := q.fresh.Front(); c.loc == locFresh {
			f = c
			break
		}
		q.fresh.PopFront()
	}
	r := q.ready.top()
	if f != nil && (r == nil || f.seq < r.seq) {
		return f
	}
	return r
}

// popReadyGroup takes the next FIFO group that can deliver.
func (q *Queue) popReadyGroup() *group {
	for q.readyGroups.Len() > 0 {
		g := q.readyGroups.PopFront()
		g.queued = false
		if !g.dead && g.inflight == 0 && g.msgs.head != nil && g.msgs.head.state == stVisible {
			return g
		}
	}
	return nil
}

// deliver puts a message in flight for one receive. The caller took it out
// of the visible structures and their count.
func (q *Queue) deliver(m *message, now int64, vt int) {
	m.state = stInflight
	m.receives++
	if m.firstRecv == 0 {
		m.firstRecv = now
	}
	m.recvAt = now
	m.visibleAt = now + int64(vt)*int64(time.Second)
	q.timed.push(m)
	q.nInflight++
	q.st.received++
	if q.fifo {
		m.grp.inflight++
	}
}

// receiveLocked is one ReceiveMessage against what is visible now.
func (q *Queue) receiveLocked(o *op, sp *receiveSpec) []Message {
	vt := o.cfg.visibility
	if sp.vtSet {
		vt = sp.vt
	}
	maxRC := 0
	if o.dlq != nil {
		maxRC = o.cfg.redrive.MaxReceiveCount
	}
	var out []Message
	if q.fifo {
		out = q.receiveFIFO(o, sp, vt, maxRC)
	} else {
		for len(out) < sp.max && q.nInflight < MaxInflight {
			m := q.popVisible()
			if m == nil {
				break
			}
			if maxRC > 0 && int(m.receives) >= maxRC {
				q.forget(m)
				q.st.movedToDLQ++
				o.dead = append(o.dead, m)
				continue
			}
			q.deliver(m, o.now, vt)
			if q.b.store != nil {
				q.logged(o, ChangeReceiveMessage, m)
			}
			if out == nil {
				out = make([]Message, 0, min(sp.max, q.nVisible+1))
			}
			out = append(out, q.render(m, sp))
		}
	}
	return out
}

func (q *Queue) receiveFIFO(o *op, sp *receiveSpec, vt, maxRC int) []Message {
	var out []Message
	for len(out) < sp.max {
		g := q.popReadyGroup()
		if g == nil {
			break
		}
		for m := g.msgs.head; m != nil && len(out) < sp.max; {
			next := m.inGroup.next
			if m.state != stVisible {
				break
			}
			if maxRC > 0 && int(m.receives) >= maxRC {
				q.nVisible--
				q.unlinkGroup(m)
				q.forget(m)
				q.st.movedToDLQ++
				o.dead = append(o.dead, m)
			} else {
				q.nVisible--
				q.deliver(m, o.now, vt)
				if q.b.store != nil {
					q.logged(o, ChangeReceiveMessage, m)
				}
				out = append(out, q.render(m, sp))
			}
			m = next
		}
		q.tidyGroup(g)
	}
	return out
}

// Message is a received message.
type Message struct {
	MessageID     string
	ReceiptHandle string
	Body          string
	// Attributes holds the system attributes asked for (SenderId,
	// SentTimestamp, ApproximateReceiveCount, ...), as SQS renders them.
	Attributes map[string]string
	// MessageAttributes holds the message attributes asked for. It may be
	// shared with the queue: do not modify it.
	MessageAttributes map[string]MessageAttributeValue
	// ReceiveCount and SentTimestamp are always set, whatever was asked,
	// for callers in Go, which need not parse Attributes for them.
	ReceiveCount  int
	SentTimestamp time.Time
}

// MD5OfBody returns the body's digest.
func (m Message) MD5OfBody() string { return BodyMD5(m.Body) }

// MD5OfMessageAttributes returns the digest of the message attributes
// returned, "" when none.
func (m Message) MD5OfMessageAttributes() string { return AttributesMD5(m.MessageAttributes) }

func (q *Queue) render(m *message, sp *receiveSpec) Message {
	out := Message{
		MessageID:     m.id,
		ReceiptHandle: q.receiptHandle(m),
		Body:          m.body,
		ReceiveCount:  int(m.receives),
		SentTimestamp: time.Unix(0, m.sentAt).UTC(),
	}
	if sp.sys != 0 {
		out.Attributes = q.systemAttributes(m, sp.sys)
	}
	if len(m.attrs) > 0 && (sp.allAttrs || len(sp.attrNames) > 0 || len(sp.attrPrefixes) > 0) {
		if sp.allAttrs {
			out.MessageAttributes = m.attrs
		} else {
			for k, v := range m.attrs {
				if sp.wantsAttr(k) {
					if out.MessageAttributes == nil {
						out.MessageAttributes = map[string]MessageAttributeValue{}
					}
					out.MessageAttributes[k] = v
				}
			}
		}
	}
	return out
}

func millis(ns int64) string { return strconv.FormatInt(ns/1e6, 10) }

func (q *Queue) systemAttributes(m *message, sys sysAttr) map[string]string {
	a := make(map[string]string, 4)
	if sys&sysSenderID != 0 {
		a["SenderId"] = m.sender
	}
	if sys&sysSentTimestamp != 0 {
		a["SentTimestamp"] = millis(m.sentAt)
	}
	if sys&sysReceiveCount != 0 {
		a["ApproximateReceiveCount"] = strconv.Itoa(int(m.receives))
	}
	if sys&sysFirstReceive != 0 {
		a["ApproximateFirstReceiveTimestamp"] = millis(m.firstRecv)
	}
	if sys&sysTraceHeader != 0 && m.trace != "" {
		a["AWSTraceHeader"] = m.trace
	}
	if sys&sysDLQSource != 0 && m.dlqSource != "" {
		a["DeadLetterQueueSourceArn"] = m.dlqSource
	}
	if sys&sysGroupID != 0 && m.group != "" {
		a["MessageGroupId"] = m.group
	}
	if q.fifo {
		if sys&sysDedupID != 0 {
			a["MessageDeduplicationId"] = m.dedup
		}
		if sys&sysSequenceNumber != 0 {
			a["SequenceNumber"] = q.sequenceNumber(m.seq)
		}
	}
	return a
}

func (q *Queue) sequenceNumber(seq uint64) string {
	return strconv.FormatUint(q.seqBase+seq, 10)
}

// receiptHandle identifies one receive of one message: the queue's
// incarnation, the message and the receive count.
func (q *Queue) receiptHandle(m *message) string {
	var raw [16]byte
	binary.BigEndian.PutUint32(raw[0:], q.inc)
	binary.BigEndian.PutUint64(raw[4:], m.seq)
	binary.BigEndian.PutUint32(raw[12:], uint32(m.receives))
	var buf [4 + 22]byte
	copy(buf[:], "AQEB")
	base64.RawURLEncoding.Encode(buf[4:], raw[:])
	return string(buf[:])
}

// parseHandle returns the message and receive count of a receipt handle of
// this queue, or ReceiptHandleIsInvalid.
func (q *Queue) parseHandle(h string) (seq uint64, receives int32, err error) {
	var raw [16]byte
	if len(h) != 26 || h[:4] != "AQEB" {
		return 0, 0, invalidHandle(h)
	}
	if n, e := base64.RawURLEncoding.Decode(raw[:], []byte(h[4:])); e != nil || n != 16 {
		return 0, 0, invalidHandle(h)
	}
	if binary.BigEndian.Uint32(raw[0:]) != q.inc {
		return 0, 0, invalidHandle(h)
	}
	seq = binary.BigEndian.Uint64(raw[4:])
	receives = int32(binary.BigEndian.Uint32(raw[12:]))
	if seq == 0 || seq > q.seq || receives < 1 {
		return 0, 0, invalidHandle(h)
	}
	return seq, receives, nil
}

func invalidHandle(h string) error {
	return errorf(ErrReceiptHandleIsInvalid, "The input receipt handle \"%s\" is not a valid receipt handle.", h)
}

func handleExpired(h string) error {
	return invalidValue("ReceiptHandle", h, "The receipt handle has expired.")
}

func handleNotAvailable(h string) error {
	return invalidValue("ReceiptHandle", h, "Message does not exist or is not available for visibility timeout change.")
}

// newID returns a random (version 4) UUID from the queue's stream.
func (q *Queue) newID() string {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], q.rng.Uint64())
	binary.LittleEndian.PutUint64(u[8:], q.rng.Uint64())
	return uuid.V4(u)
}

// Delete deletes a message by a receipt handle (DeleteMessage). As SQS: on
// a standard queue any handle the message was received with deletes it,
// even after it was received again; on a FIFO queue only the handle of the
// current receive does, while it is in flight, and an older one is "The
// receipt handle has expired". A handle of a message already gone succeeds.
func (q *Queue) Delete(receiptHandle string) error {
	var o op
	if err := q.begin(&o); err != nil {
		return err
	}
	err := q.deleteLocked(&o, receiptHandle)
	q.end(&o)
	if err == nil {
		err = o.durable()
	}
	return err
}

func (q *Queue) deleteLocked(o *op, h string) error {
	seq, rc, err := q.parseHandle(h)
	if err != nil {
		return err
	}
	m := q.msgs.get(seq)
	if m == nil {
		return nil
	}
	if rc > m.receives {
		return invalidHandle(h)
	}
	if q.fifo && (rc != m.receives || m.state != stInflight) {
		return handleExpired(h)
	}
	if q.remove(m) {
		o.kick = true
	}
	q.st.deleted++
	if q.b.store != nil {
		q.logged(o, ChangeDeleteMessage, m)
	}
	return nil
}

// ChangeVisibility sets the visibility timeout of a received message to
// timeout seconds from now (ChangeMessageVisibility); 0 makes it visible at
// once. The total from the receive may not pass 12 hours. The handle must
// be the message's latest; on a standard queue it may be used after the
// timeout ended if no one received the message since (the message is
// hidden again), on a FIFO queue it has then expired.
func (q *Queue) ChangeVisibility(receiptHandle string, timeout int) error {
	if timeout < 0 || timeout > int(MaxVisibilityTimeout/time.Second) {
		return invalidValue("VisibilityTimeout", timeout, "Must be between 0 and 43200, if provided.")
	}
	var o op
	if err := q.begin(&o); err != nil {
		return err
	}
	err := q.changeVisibilityLocked(&o, receiptHandle, timeout)
	q.end(&o)
	if err == nil {
		err = o.durable()
	}
	return err
}

func (q *Queue) changeVisibilityLocked(o *op, h string, timeout int) error {
	seq, rc, err := q.parseHandle(h)
	if err != nil {
		return err
	}
	m := q.msgs.get(seq)
	if m == nil || rc != m.receives {
		if q.fifo && m != nil {
			return handleExpired(h)
		}
		return handleNotAvailable(h)
	}
	d := int64(timeout) * int64(time.Second)
	switch m.state {
	case stInflight:
		if o.now-m.recvAt+d > int64(MaxVisibilityTimeout) {
			return invalidValue("VisibilityTimeout", timeout, "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]")
		}
		m.visibleAt = o.now + d
		q.timed.fix(m)
	case stVisible:
		if q.fifo {
			return handleExpired(h)
		}
		if o.now-m.recvAt+d > int64(MaxVisibilityTimeout) {
			return invalidValue("VisibilityTimeout", timeout, "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]")
		}
		// Hidden again, as though still in flight under this receive.
		if m.loc == locReady {
			q.ready.remove(m)
		}
		m.loc = locNone
		q.nVisible--
		q.nInflight++
		m.state = stInflight
		m.visibleAt = o.now + d
		q.timed.push(m)
	default:
		return handleNotAvailable(h)
	}
	if q.b.store != nil {
		q.logged(o, ChangeReceiveMessage, m)
	}
	if d == 0 {
		q.advance(o)
	}
	return nil
}

// Purge deletes every message (PurgeQueue); once per 60 seconds.
func (q *Queue) Purge() error {
	var o op
	if err := q.begin(&o); err != nil {
		return err
	}
	if q.purged && o.now-q.lastPurge < int64(PurgeInterval) {
		q.end(&o)
		return errorf(ErrPurgeQueueInProgress, "Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.name)
	}
	q.purged, q.lastPurge = true, o.now
	q.st.purged += int64(q.msgs.len())
	q.clearMessages()
	if q.b.store != nil {
		o.changes = append(o.changes, Change{Kind: ChangePurge, Name: q.name, Inc: q.inc})
	}
	q.end(&o)
	return o.durable()
}

// clearMessages drops every message; deduplication ids stay.
func (q *Queue) clearMessages() {
	q.msgs.each(func(m *message) { m.state = stGone })
	q.msgs = index{}
	q.fresh.Reset()
	q.ready.s, q.timed.s, q.ageOOO.s = nil, nil, nil
	q.ages = chain[message]{}
	if q.fifo {
		for _, g := range q.groups {
			g.dead = true
		}
		q.groups = map[string]*group{}
		q.readyGroups.Reset()
	}
	q.nVisible, q.nInflight, q.nDelayed = 0, 0, 0
}

// shutdown is the end of a deleted queue (or a closed broker): timers stop,
// long polls end with err (nothing when nil), move tasks stop.
func (q *Queue) shutdown(err error) {
	q.mu.Lock()
	if q.deleted.Swap(true) {
		q.mu.Unlock()
		return
	}
	var done []*waiter
	for w := q.waiters.head; w != nil; w = w.next {
		done = append(done, w)
		if w.timer != nil {
			w.timer.Stop()
		}
	}
	q.waiters = waiterList{}
	if q.timer != nil {
		q.timer.Stop()
		q.timer = nil
	}
	if t := q.task; t != nil {
		t.finish(q, MoveTaskFailed, "AWS.SimpleQueueService.NonExistentQueue")
	}
	q.clearMessages()
	q.mu.Unlock()
	for _, w := range done {
		w.done(nil, err)
	}
}

// acceptDeadLetters enqueues messages redriven from the queue sourceARN.
// They keep their id, body, attributes and SentTimestamp; their receive
// count starts again. On a standard queue their retention still counts from
// the original send, on a FIFO queue from now, as AWS documents.
//
// With a store, each dead letter's deletion from its source is written in
// the same change set as its arrival here, so a crash between the two
// leaves it in one queue or the other, never in none. parent is the op
// that found them dead (see op.child).
func (q *Queue) acceptDeadLetters(ms []*message, src *Queue, parent *op) {
	sourceARN := src.arn
	o := op{child: true}
	if err := q.begin(&o); err != nil {
		q.lose(&o, src, ms...) // the dead-letter queue was deleted meanwhile
		return
	}
	for _, m := range ms {
		c := newMessage()
		c.id, c.body, c.attrs, c.trace = m.id, m.body, m.attrs, m.trace
		c.group, c.dedup, c.sender = m.group, m.dedup, m.sender
		c.sentAt, c.origin, c.dlqSource = m.sentAt, m.origin, sourceARN
		if q.fifo {
			c.origin = o.now
		}
		c.visibleAt = o.now
		q.arrive(&o, c, src, m)
		q.st.deadLettersIn++
	}
	o.kick = true
	q.endIn(&o, parent)
}

// arrive enqueues c, which stands for m of src (a dead letter, a moved
// message), within o. With a store, m's deletion from src is written in
// the same change set as c's arrival.
func (q *Queue) arrive(o *op, c *message, src *Queue, m *message) {
	q.enqueue(c, o.now)
	if q.b.store != nil {
		q.logged(o, ChangePutMessage, c)
		src.logged(o, ChangeDeleteMessage, m)
	}
}

// lose writes the deletion of ms from src, for messages bound here when
// the queue was deleted (o's begin failed): they are gone.
func (q *Queue) lose(o *op, src *Queue, ms ...*message) {
	if q.b.store == nil {
		return
	}
	for _, m := range ms {
		src.logged(o, ChangeDeleteMessage, m)
	}
	q.b.store.Append(o.changes)
}

// Tags returns a copy of the queue's tags (ListQueueTags).
func (q *Queue) Tags() map[string]string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return maps.Clone(q.tags)
}

// saveConfig hands the queue's record to the store after a change of its
// attributes or tags; q.mu is held. It returns nil without a store.
func (q *Queue) saveConfig() Commit {
	if q.b.store == nil {
		return nil
	}
	return q.b.store.Append([]Change{{Kind: ChangePutQueue, Name: q.name, Inc: q.inc, Queue: q.record(q.cfg.Load())}})
}

// Tag adds or replaces tags (TagQueue); a queue has at most 50.
func (q *Queue) Tag(tags map[string]string) error { return q.durably(q.tag(tags)) }

// durably waits until a change of q's made under its lock is durable (see
// op.durable), unless making it failed.
func (q *Queue) durably(c Commit, err error) error {
	if err != nil {
		return err
	}
	return (&op{commit: c, q: q}).durable()
}

func (q *Queue) tag(tags map[string]string) (Commit, error) {
	defer q.b.enterGate()()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted.Load() {
		return nil, errQueueGone()
	}
	n := len(q.tags)
	for k := range tags {
		if _, ok := q.tags[k]; !ok {
			n++
		}
	}
	if n > 50 {
		return nil, errorf(ErrInvalidParameterValue, "Too many tags added for queue %s.", q.name)
	}
	maps.Copy(q.tags, tags)
	return q.saveConfig(), nil
}

// Untag removes tags by key (UntagQueue).
func (q *Queue) Untag(keys []string) error {
	return q.durably(q.untag(keys))
}

func (q *Queue) untag(keys []string) (Commit, error) {
	defer q.b.enterGate()()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted.Load() {
		return nil, errQueueGone()
	}
	for _, k := range keys {
		delete(q.tags, k)
	}
	return q.saveConfig(), nil
}
