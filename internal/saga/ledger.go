package saga

import (
	"iter"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/yafdp/yafdp/internal/mix"
)

// EffectKind is one kind of effect a fake service has on the world.
type EffectKind uint8

// The effects the ledger records.
const (
	// Charged: the customer's card was charged.
	Charged EffectKind = iota + 1
	// Refunded: a charge was refunded.
	Refunded
	// PaymentVoided: a refund came before any charge; the payment is voided
	// and a charge arriving later is refused.
	PaymentVoided
	// RestaurantPlaced: the restaurant accepted the order.
	RestaurantPlaced
	// RestaurantCancelled: an accepted restaurant order was cancelled.
	RestaurantCancelled
	// RestaurantVoided: a cancellation came before the placement, which
	// will be refused.
	RestaurantVoided
	// DeliveryScheduled: a courier was booked.
	DeliveryScheduled
	// DeliveryCancelled: a booking was cancelled.
	DeliveryCancelled
	// DeliveryVoided: a cancellation came before the booking, which will be
	// refused.
	DeliveryVoided
	// NotifiedConfirmed: the customer was told the order is confirmed.
	NotifiedConfirmed
	// NotifiedCancelled: the customer was told the order is cancelled.
	NotifiedCancelled
	// MarkedConfirmed: the order's status became CONFIRMED.
	MarkedConfirmed
	// MarkedCancelled: the order's status became CANCELLED.
	MarkedCancelled
	numEffectKinds
)

var effectNames = [numEffectKinds]string{
	"", "payment.charged", "payment.refunded", "payment.voided",
	"restaurant.placed", "restaurant.cancelled", "restaurant.voided",
	"delivery.scheduled", "delivery.cancelled", "delivery.voided",
	"notify.confirmed", "notify.cancelled",
	"status.confirmed", "status.cancelled",
}

// String names the effect, e.g. payment.charged.
func (k EffectKind) String() string {
	if k > 0 && k < numEffectKinds {
		return effectNames[k]
	}
	return "effect(?)"
}

// Effect is one entry of the ledger.
type Effect struct {
	At   time.Time
	Kind EffectKind
}

// Order statuses in the order-status store.
const (
	StatusPending   = "PENDING"
	StatusConfirmed = "CONFIRMED"
	StatusCancelled = "CANCELLED"
)

// Summary is what an order's effects add up to.
type Summary struct {
	Charges, Refunds                          int
	PaymentVoided                             bool
	RestaurantOrders, RestaurantCancellations int
	RestaurantVoided                          bool
	Deliveries, DeliveryCancellations         int
	DeliveryVoided                            bool
	NotifiedConfirmed, NotifiedCancelled      int
	// Status is the order's last status: PENDING until the saga changes it.
	Status string
}

// outstanding is a set of compensations still owed, one bit per
// compensation in Compensations order.
type outstanding uint8

const (
	owesCancelDelivery outstanding = 1 << iota
	owesCancelRestaurantOrder
	owesRefundPayment
	owesMarkCancelled
	owesNotifyCancelled
)

// step returns what s counts of forward step k: the times it took effect,
// its compensations, and whether a compensation came before it.
func (s *Summary) step(k forward) (done, undone int, voided bool) {
	switch k {
	case fwdCharge:
		return s.Charges, s.Refunds, s.PaymentVoided
	case fwdPlace:
		return s.RestaurantOrders, s.RestaurantCancellations, s.RestaurantVoided
	default:
		return s.Deliveries, s.DeliveryCancellations, s.DeliveryVoided
	}
}

func (s *Summary) owed() outstanding {
	var o outstanding
	if s.Deliveries > s.DeliveryCancellations {
		o |= owesCancelDelivery
	}
	if s.RestaurantOrders > s.RestaurantCancellations {
		o |= owesCancelRestaurantOrder
	}
	if s.Charges > s.Refunds {
		o |= owesRefundPayment
	}
	if s.Status != StatusCancelled {
		o |= owesMarkCancelled
	}
	if s.NotifiedCancelled == 0 {
		o |= owesNotifyCancelled
	}
	return o
}

func (o outstanding) names() []string {
	var names []string
	for i, n := range Compensations() {
		if o&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return names
}

// Outstanding names the compensations a failed order still needs, judged by
// its effects: refundPayment while a charge is not refunded, and so on,
// markCancelled unless the status is CANCELLED, notifyCancelled unless the
// customer was told.
func (s Summary) Outstanding() []string { return s.owed().names() }

// Ledger records, per order, every effect the fake services had and when. It
// is safe for concurrent use.
type Ledger struct {
	t0     time.Time
	shards [ledgerShards]ledgerShard
	solo   bool // one goroutine at a time uses it: no locks (Fakes.Solo)
}

func (l *Ledger) lock(sh *ledgerShard) {
	if !l.solo {
		sh.mu.Lock()
	}
}

func (l *Ledger) unlock(sh *ledgerShard) {
	if !l.solo {
		sh.mu.Unlock()
	}
}

const ledgerShards = 64

type ledgerShard struct {
	mu sync.Mutex
	// m holds each order's effects packed into one word: the offset from t0
	// in nanoseconds shifted left by 8, and the kind in the low byte. A
	// million orders cost tens of megabytes instead of hundreds. An order's
	// record is looked up once per call and appended to in place.
	m map[string]*effects
	// free holds records taken out (Take), for the next orders: a
	// simulation takes each order's record when its saga settles.
	free []*effects
	_    [24]byte // keep shards on separate cache lines
}

// maxFreeEffects bounds a shard's free records.
const maxFreeEffects = 256

// NewLedger returns an empty ledger. Times are kept as offsets from t0, to
// the nanosecond, for ±417 days.
func NewLedger(t0 time.Time) *Ledger {
	l := &Ledger{t0: t0}
	for i := range l.shards {
		l.shards[i].m = make(map[string]*effects)
	}
	return l
}

const maxOffset = math.MaxInt64 >> 8

// pack packs an effect at off, the time since the ledger's t0.
func pack(off time.Duration, k EffectKind) uint64 {
	if off > maxOffset {
		off = maxOffset
	} else if off < -maxOffset {
		off = -maxOffset
	}
	return uint64(int64(off)<<8) | uint64(k)
}

func (l *Ledger) unpack(e uint64) Effect {
	return Effect{At: l.t0.Add(time.Duration(int64(e) >> 8)), Kind: EffectKind(e & 0xff)}
}

func (l *Ledger) shard(key uint64) *ledgerShard { return &l.shards[key%ledgerShards] }

// Record adds an effect. The fakes record their own; Record is for building a
// ledger by hand, in tests or from another source of truth.
func (l *Ledger) Record(orderID string, at time.Time, k EffectKind) {
	sh := l.shard(mix.String(orderID))
	l.lock(sh)
	sh.appendLocked(orderID, pack(at.Sub(l.t0), k))
	l.unlock(sh)
}

// effects is an order's record; buf holds the effects of a saga that
// needs no more than eight.
type effects struct {
	list []uint64
	buf  [8]uint64
}

// get returns an order's effects (nil for none).
func (r *effects) get() []uint64 {
	if r == nil {
		return nil
	}
	return r.list
}

func (sh *ledgerShard) appendLocked(orderID string, e uint64) {
	sh.appendTo(sh.m[orderID], orderID, e)
}

// appendTo adds e to r, orderID's record (nil when it has none yet).
func (sh *ledgerShard) appendTo(r *effects, orderID string, e uint64) {
	if r == nil {
		if n := len(sh.free); n > 0 {
			r = sh.free[n-1]
			sh.free = sh.free[:n-1]
		} else {
			r = new(effects)
		}
		r.list = r.buf[:0]
		sh.m[orderID] = r
	}
	r.list = append(r.list, e)
}

// Effects returns an order's effects in the order they happened.
func (l *Ledger) Effects(orderID string) []Effect {
	sh := l.shard(mix.String(orderID))
	l.lock(sh)
	defer l.unlock(sh)
	effs := sh.m[orderID].get()
	out := make([]Effect, len(effs))
	for i, e := range effs {
		out[i] = l.unpack(e)
	}
	return out
}

// Summary adds up an order's effects; ok is false when it has none.
func (l *Ledger) Summary(orderID string) (s Summary, ok bool) {
	sh := l.shard(mix.String(orderID))
	l.lock(sh)
	r, ok := sh.m[orderID]
	s = summarize(r.get())
	l.unlock(sh)
	return s, ok
}

// Take adds up an order's effects and removes them from the ledger; ok is
// false when it had none. A long simulation takes each order once nothing
// more can happen to it, so the ledger holds only the orders in flight.
func (l *Ledger) Take(orderID string) (s Summary, ok bool) {
	sh := l.shard(mix.String(orderID))
	l.lock(sh)
	r, ok := sh.m[orderID]
	s = summarize(r.get())
	if ok {
		delete(sh.m, orderID)
		if len(sh.free) < maxFreeEffects {
			sh.free = append(sh.free, r)
		}
	}
	l.unlock(sh)
	return s, ok
}

// Len returns the number of orders with at least one effect.
func (l *Ledger) Len() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		l.lock(sh)
		n += len(sh.m)
		l.unlock(sh)
	}
	return n
}

// OrderIDs returns every order id in the ledger, sorted.
func (l *Ledger) OrderIDs() []string {
	var ids []string
	for i := range l.shards {
		sh := &l.shards[i]
		l.lock(sh)
		for id := range sh.m {
			ids = append(ids, id)
		}
		l.unlock(sh)
	}
	sort.Strings(ids)
	return ids
}

// All yields every order with its summary, in no particular order. The
// ledger is locked a shard at a time while yielding: yield must not call
// the ledger or the fakes.
func (l *Ledger) All() iter.Seq2[string, Summary] {
	return func(yield func(string, Summary) bool) {
		for i := range l.shards {
			sh := &l.shards[i]
			l.lock(sh)
			for id, r := range sh.m {
				if !yield(id, summarize(r.get())) {
					l.unlock(sh)
					return
				}
			}
			l.unlock(sh)
		}
	}
}

func summarize(effs []uint64) Summary {
	s := Summary{Status: StatusPending}
	for _, e := range effs {
		switch EffectKind(e & 0xff) {
		case Charged:
			s.Charges++
		case Refunded:
			s.Refunds++
		case PaymentVoided:
			s.PaymentVoided = true
		case RestaurantPlaced:
			s.RestaurantOrders++
		case RestaurantCancelled:
			s.RestaurantCancellations++
		case RestaurantVoided:
			s.RestaurantVoided = true
		case DeliveryScheduled:
			s.Deliveries++
		case DeliveryCancelled:
			s.DeliveryCancellations++
		case DeliveryVoided:
			s.DeliveryVoided = true
		case NotifiedConfirmed:
			s.NotifiedConfirmed++
		case NotifiedCancelled:
			s.NotifiedCancelled++
		case MarkedConfirmed:
			s.Status = StatusConfirmed
		case MarkedCancelled:
			s.Status = StatusCancelled
		}
	}
	return s
}
