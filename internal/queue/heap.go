package queue

// heapKind names an indexed heap of messages and the slot of message.hidx
// that holds positions in it.
type heapKind uint8

const (
	// byVisibleAt holds the messages in flight or delayed, earliest to
	// become visible first.
	byVisibleAt heapKind = iota
	// bySeq holds visible messages of a standard queue that left the send
	// order (returned from flight, delays ended), oldest first.
	bySeq
	// byOrigin holds messages whose retention clock started before that of
	// messages enqueued earlier (dead letters of a standard queue).
	byOrigin
)

// mheap is a binary min-heap of messages that can remove any member in
// O(log n).
type mheap struct {
	kind heapKind
	s    []*message
}

func (h *mheap) less(a, b *message) bool {
	switch h.kind {
	case byVisibleAt:
		return a.visibleAt < b.visibleAt || a.visibleAt == b.visibleAt && a.seq < b.seq
	case bySeq:
		return a.seq < b.seq
	default:
		return a.origin < b.origin || a.origin == b.origin && a.seq < b.seq
	}
}

func (h *mheap) len() int { return len(h.s) }

func (h *mheap) top() *message {
	if len(h.s) == 0 {
		return nil
	}
	return h.s[0]
}

func (h *mheap) push(m *message) {
	h.s = append(h.s, m)
	i := len(h.s) - 1
	m.hidx[h.kind] = int32(i)
	h.up(i)
}

func (h *mheap) pop() *message { return h.removeAt(0) }

// remove takes m out if it is in the heap.
func (h *mheap) remove(m *message) {
	if i := m.hidx[h.kind]; i >= 0 {
		h.removeAt(int(i))
	}
}

// fix restores the order after m's key changed.
func (h *mheap) fix(m *message) {
	i := int(m.hidx[h.kind])
	h.down(i)
	h.up(i)
}

func (h *mheap) removeAt(i int) *message {
	s := h.s
	n := len(s) - 1
	m := s[i]
	if i != n {
		s[i] = s[n]
		s[i].hidx[h.kind] = int32(i)
	}
	s[n] = nil
	h.s = s[:n]
	if i < n {
		h.down(i)
		h.up(i)
	}
	m.hidx[h.kind] = -1
	return m
}

func (h *mheap) up(i int) {
	s := h.s
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(s[i], s[p]) {
			return
		}
		s[i], s[p] = s[p], s[i]
		s[i].hidx[h.kind], s[p].hidx[h.kind] = int32(i), int32(p)
		i = p
	}
}

func (h *mheap) down(i int) {
	s := h.s
	n := len(s)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(s[r], s[l]) {
			m = r
		}
		if !h.less(s[m], s[i]) {
			return
		}
		s[i], s[m] = s[m], s[i]
		s[i].hidx[h.kind], s[m].hidx[h.kind] = int32(i), int32(m)
		i = m
	}
}

// index finds live messages by seq. Seqs only grow, so it is an array of
// pages from the oldest live one on: a page is freed when its last message
// leaves, and pages before the first live one are dropped. Lookups,
// inserts and deletes are O(1) without hashing.
type index struct {
	base  uint64 // the seq of the first slot of pages[0]
	pages []*indexPage
	n     int
}

const indexPageSize = 512

type indexPage struct {
	m    [indexPageSize]*message
	live int
}

func (x *index) get(seq uint64) *message {
	if seq < x.base {
		return nil
	}
	i := (seq - x.base) / indexPageSize
	if i >= uint64(len(x.pages)) || x.pages[i] == nil {
		return nil
	}
	return x.pages[i].m[(seq-x.base)%indexPageSize]
}

func (x *index) put(m *message) {
	if len(x.pages) == 0 {
		x.base = m.seq - m.seq%indexPageSize
	}
	i := (m.seq - x.base) / indexPageSize
	for uint64(len(x.pages)) <= i {
		x.pages = append(x.pages, nil)
	}
	p := x.pages[i]
	if p == nil {
		p = new(indexPage)
		x.pages[i] = p
	}
	p.m[(m.seq-x.base)%indexPageSize] = m
	p.live++
	x.n++
}

func (x *index) del(seq uint64) {
	i := (seq - x.base) / indexPageSize
	p := x.pages[i]
	p.m[(seq-x.base)%indexPageSize] = nil
	p.live--
	x.n--
	if p.live > 0 {
		return
	}
	x.pages[i] = nil
	k := 0
	for k < len(x.pages) && x.pages[k] == nil {
		k++
	}
	if k > 0 {
		n := copy(x.pages, x.pages[k:])
		clear(x.pages[n:])
		x.pages = x.pages[:n]
		x.base += uint64(k) * indexPageSize
	}
}

func (x *index) len() int { return x.n }

// each calls f for every live message, in seq order.
func (x *index) each(f func(*message)) {
	for _, p := range x.pages {
		if p == nil {
			continue
		}
		for _, m := range p.m {
			if m != nil {
				f(m)
			}
		}
	}
}
