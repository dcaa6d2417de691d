package queue

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/yafdp/yafdp/internal/clock"
)

// model is what a property test knows about each message it sent: enough
// to check that a message is in exactly one place, never delivered while
// invisible, delivered at most maxReceiveCount times from the source, and
// in group order on a FIFO queue.
type model struct {
	t        *rapid.T
	clk      *clock.Virtual
	src, dlq *Queue
	fifo     bool
	maxRC    int
	msgs     map[string]*modelMsg // by message id
	order    map[string][]string  // FIFO: ids by group, in send order
	handles  []string
	sent     int
}

type modelMsg struct {
	id        string
	group     string
	sentAt    time.Time
	deleted   bool
	where     *Queue    // the queue that last delivered it
	count     int       // deliveries by that queue
	invisible time.Time // end of the visibility timeout of its last delivery
	handle    string    // its latest receipt handle
}

const propRetention = 600 * time.Second

func TestQueueProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fifo := rapid.Bool().Draw(t, "fifo")
		clk := clock.NewVirtual(clock.Epoch)
		b := New(Options{Clock: clk, Source: clockSeed(rapid.IntRange(0, 1<<30).Draw(t, "seed"))})
		m := &model{t: t, clk: clk, fifo: fifo, maxRC: rapid.IntRange(1, 4).Draw(t, "maxReceiveCount"),
			msgs: map[string]*modelMsg{}, order: map[string][]string{}}
		suffix, attrs := "", map[string]string{}
		if fifo {
			suffix = ".fifo"
			attrs = map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"}
		}
		var err error
		if m.dlq, err = b.CreateQueue("dlq"+suffix, attrs, nil); err != nil {
			t.Fatal(err)
		}
		attrs["VisibilityTimeout"] = "20"
		attrs["MessageRetentionPeriod"] = fmt.Sprint(int(propRetention / time.Second))
		attrs["RedrivePolicy"] = fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":%d}`, m.dlq.ARN(), m.maxRC)
		if m.src, err = b.CreateQueue("src"+suffix, attrs, nil); err != nil {
			t.Fatal(err)
		}
		t.Repeat(map[string]func(*rapid.T){
			"send":       m.send,
			"sendBatch":  m.sendBatch,
			"receive":    m.receive,
			"delete":     m.delete,
			"visibility": m.changeVisibility,
			"advance": func(t *rapid.T) {
				clk.Advance(time.Duration(rapid.IntRange(0, 40).Draw(t, "seconds")) * time.Second)
			},
			"": m.check,
		})
	})
}

func clockSeed(n int) *rand64 { return &rand64{uint64(n)} }

// rand64 is a tiny deterministic rand.Source (SplitMix64).
type rand64 struct{ s uint64 }

func (r *rand64) Uint64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (m *model) newInput(t *rapid.T) SendInput {
	m.sent++
	in := SendInput{Body: fmt.Sprint("m", m.sent)}
	if m.fifo {
		in.MessageGroupID = rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "group")
	} else if rapid.IntRange(0, 3).Draw(t, "delayed") == 0 {
		in.DelaySeconds = ptr(rapid.IntRange(1, 30).Draw(t, "delay"))
	}
	return in
}

func (m *model) record(in SendInput, out SendOutput) {
	if out.Duplicate {
		m.t.Fatalf("unique bodies deduplicated: %s", in.Body)
	}
	m.msgs[out.MessageID] = &modelMsg{id: out.MessageID, group: in.MessageGroupID, sentAt: m.clk.Now()}
	if m.fifo {
		m.order[in.MessageGroupID] = append(m.order[in.MessageGroupID], out.MessageID)
	}
}

func (m *model) send(t *rapid.T) {
	in := m.newInput(t)
	out, err := m.src.Send(in)
	if err != nil {
		t.Fatal(err)
	}
	m.record(in, out)
}

func (m *model) sendBatch(t *rapid.T) {
	n := rapid.IntRange(1, 10).Draw(t, "entries")
	var entries []SendBatchEntry
	for i := range n {
		entries = append(entries, SendBatchEntry{ID: fmt.Sprint(i), SendInput: m.newInput(t)})
	}
	out, err := m.src.SendBatch(entries)
	if err != nil || len(out.Failed) > 0 || len(out.Successful) != n {
		t.Fatalf("batch: %v %+v", err, out.Failed)
	}
	for i, r := range out.Successful {
		m.record(entries[i].SendInput, r.SendOutput)
	}
}

func (m *model) receive(t *rapid.T) {
	q := m.src
	if rapid.IntRange(0, 3).Draw(t, "fromDLQ") == 0 {
		q = m.dlq
	}
	in := ReceiveInput{MaxNumberOfMessages: rapid.IntRange(1, 10).Draw(t, "max")}
	if rapid.Bool().Draw(t, "override") {
		in.VisibilityTimeout = ptr(rapid.IntRange(0, 60).Draw(t, "vt"))
	}
	now := m.clk.Now()
	flyingBefore := map[string]bool{}
	for id, mm := range m.msgs {
		if mm.where == q && now.Before(mm.invisible) && q.has(id) {
			flyingBefore[id] = true
		}
	}
	ms, err := q.Receive(in)
	if err != nil {
		t.Fatal(err)
	}
	vt := 20
	if q == m.dlq {
		vt = 30
	}
	if in.VisibilityTimeout != nil {
		vt = *in.VisibilityTimeout
	}
	var got []string
	for _, msg := range ms {
		mm := m.msgs[msg.MessageID]
		if mm == nil || mm.deleted {
			t.Fatalf("delivered a message deleted or never sent: %s", msg.MessageID)
		}
		if flyingBefore[mm.id] {
			t.Fatalf("%s delivered while invisible (until %v, now %v)", mm.id, mm.invisible, now)
		}
		if mm.where != q {
			mm.where, mm.count = q, 0 // moved to the DLQ: a new life
		}
		mm.count++
		if msg.ReceiveCount != mm.count {
			t.Fatalf("%s: receive count %d, model %d", mm.id, msg.ReceiveCount, mm.count)
		}
		if q == m.src && mm.count > m.maxRC {
			t.Fatalf("%s delivered %d times, maxReceiveCount %d", mm.id, mm.count, m.maxRC)
		}
		if m.fifo && q == m.src {
			// Every earlier message of the group is gone or came before it
			// in this response; none of the group was in flight.
			for _, e := range m.order[mm.group] {
				if e == mm.id {
					break
				}
				if q.has(e) && !slices.Contains(got, e) {
					t.Fatalf("group %s: %s delivered before %s", mm.group, mm.id, e)
				}
			}
			for id := range flyingBefore {
				if m.msgs[id].group == mm.group {
					t.Fatalf("group %s delivered %s while %s was in flight", mm.group, mm.id, id)
				}
			}
		}
		got = append(got, mm.id)
		mm.invisible = now.Add(time.Duration(vt) * time.Second)
		mm.handle = msg.ReceiptHandle
		m.handles = append(m.handles, msg.ReceiptHandle)
	}
}

// has reports whether a message id is live in q (white box).
func (q *Queue) has(id string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	found := false
	q.msgs.each(func(m *message) { found = found || m.id == id })
	return found
}

// pickHandle draws a receipt handle and returns it with its message (nil
// for a stale handle) and the queue that issued it; it skips the step when
// there is none yet.
func (m *model) pickHandle(t *rapid.T) (string, *modelMsg, *Queue) {
	if len(m.handles) == 0 {
		t.Skip("no handles yet")
	}
	h := rapid.SampledFrom(m.handles).Draw(t, "handle")
	q := m.src
	if _, _, err := q.parseHandle(h); err != nil {
		q = m.dlq
	}
	for _, mm := range m.msgs {
		if mm.handle == h {
			return h, mm, q
		}
	}
	return h, nil, q // a stale handle
}

func (m *model) delete(t *rapid.T) {
	h, _, q := m.pickHandle(t)
	seq, _, _ := q.parseHandle(h)
	q.mu.Lock()
	target := q.msgs.get(seq)
	q.mu.Unlock()
	err := q.Delete(h)
	if target == nil {
		if err != nil {
			t.Fatalf("deleting a gone message: %v", err)
		}
		return
	}
	if err == nil {
		m.msgs[target.id].deleted = true
		if q.has(target.id) {
			t.Fatalf("%s still there after delete", target.id)
		}
	} else if !m.fifo {
		t.Fatalf("standard delete failed: %v", err)
	}
}

func (m *model) changeVisibility(t *rapid.T) {
	h, mm, q := m.pickHandle(t)
	vt := rapid.IntRange(0, 60).Draw(t, "timeout")
	if err := q.ChangeVisibility(h, vt); err == nil && mm != nil {
		mm.invisible = m.clk.Now().Add(time.Duration(vt) * time.Second)
	}
}

func (m *model) check(t *rapid.T) {
	// Stats brings both queues up to now (expiry is lazy) before the white
	// box looks.
	s, d := m.src.Stats(), m.dlq.Stats()
	for _, q := range []*Queue{m.src, m.dlq} {
		if err := checkInvariants(q); err != nil {
			t.Fatalf("%s: %v", q.Name(), err)
		}
	}
	now := m.clk.Now()
	live := 0
	for _, mm := range m.msgs {
		inSrc, inDLQ := m.src.has(mm.id), m.dlq.has(mm.id)
		switch {
		case inSrc && inDLQ:
			t.Fatalf("%s in both queues", mm.id)
		case mm.deleted && (inSrc || inDLQ):
			t.Fatalf("%s deleted but still queued", mm.id)
		case !mm.deleted && !inSrc && !inDLQ && now.Sub(mm.sentAt) < propRetention:
			t.Fatalf("%s lost: deleted by no one, sent %v ago", mm.id, now.Sub(mm.sentAt))
		case inSrc && now.Sub(mm.sentAt) >= propRetention:
			t.Fatalf("%s kept past retention", mm.id)
		}
		if inSrc || inDLQ {
			live++
		}
	}
	if got := s.Visible + s.InFlight + s.Delayed + d.Visible + d.InFlight + d.Delayed; got != live {
		t.Fatalf("stats count %d live messages, model %d", got, live)
	}
	// Every message sent is in exactly one of the states.
	if in, out := s.Sent, int64(s.Visible+s.InFlight+s.Delayed)+s.Deleted+s.Expired+s.MovedToDLQ+s.Purged+s.MovedOut; in != out {
		t.Fatalf("source: %d in, %d accounted for: %+v", in, out, s)
	}
	if in, out := d.DeadLettersIn, int64(d.Visible+d.InFlight+d.Delayed)+d.Deleted+d.Expired+d.MovedToDLQ+d.Purged+d.MovedOut; in != out || in != s.MovedToDLQ {
		t.Fatalf("dlq: %d in (%d moved), %d accounted for: %+v", in, s.MovedToDLQ, out, d)
	}
}
