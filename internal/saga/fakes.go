package saga

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/latency"
	"github.com/yafdp/yafdp/internal/mix"
)

// Fakes are in-process stand-ins for the Lambda functions the saga calls:
// Payment, Restaurant, Delivery, Notify and the order-status store. They
// answer the way lambda:invoke does, inject the configured faults, keep every
// call idempotent by orderId and record every effect in a Ledger.
//
// A call's random outcome (latency, fault) is a pure function of the seed,
// the order id, the function and the attempt, so a run does not depend on how
// concurrent executions interleave; only quotas and outage windows depend on
// time. Fakes are safe for concurrent use.
type Fakes struct {
	clk    clock.Clock
	after  func(time.Duration, func()) // the clock's Schedule: answers are never stopped
	seed   uint64
	t0     time.Time
	ticker clock.Ticker  // clk, when it is one: since() reads it
	tick0  time.Duration // its reading at t0
	svc    [numServices]fakeService
	ledger *Ledger
	stats  [numFunctions]callCounters
	board  *QuotaBoard // nil unless ShareQuotas was called
	part   int         // this Fakes' participant number on board
	// boardOff is t0 after the board's base: a call's time on the board is
	// boardOff plus its time after t0.
	boardOff time.Duration
	// routes answer as one function whatever the Task: a mock config's
	// route to a fake (Fake).
	routes [numFunctions]fakeRoute
}

var _ asl.TaskHandler = (*Fakes)(nil)

type fakeService struct {
	cfg     ServiceConfig
	lat     latency.Sampler
	limiter *rate.Limiter
	// shared replaces limiter when the quota is on a QuotaBoard.
	shared  *sharedQuota
	outages []window
	// Prebuilt errors: values in an execution are immutable, so every call
	// can share them.
	unavailable, throttled, refused *states.Error
}

type window struct{ from, to time.Duration } // after t0

// NewFakes builds the fake services on clk. Time zero for outage windows is
// clk.Now(). The configuration is copied; use cfg.Validate to check one built
// in code.
func NewFakes(cfg FakeConfig, clk clock.Clock, seed uint64) *Fakes {
	t0 := clk.Now()
	f := &Fakes{clk: clk, after: clock.ScheduleFunc(clk), seed: seed, t0: t0, ledger: NewLedger(t0)}
	if t, ok := clk.(clock.Ticker); ok {
		f.ticker, f.tick0 = t, t.Elapsed()
	}
	for fn := range f.routes {
		f.routes[fn] = fakeRoute{f: f, fn: function(fn)}
	}
	for _, s := range Services() {
		sc := *cfg.Service(s)
		sc.Outages = append([]Outage(nil), sc.Outages...)
		fs := &f.svc[s]
		fs.cfg = sc
		fs.lat = latency.NewSampler(sc.Latency)
		fs.limiter = newQuotaLimiter(sc)
		for _, o := range sc.Outages {
			fs.outages = append(fs.outages, window{from: o.Start, to: o.Start + o.Duration})
		}
		p := errorPrefix[s]
		fs.unavailable = states.New(p+".Unavailable", s.String()+" service unavailable")
		fs.throttled = states.New(p+".Throttled", s.String()+" rate exceeded, slow down")
		switch s {
		case Payment:
			fs.refused = states.New("Payment.Declined", "card declined by the issuer")
		case Restaurant:
			fs.refused = states.New("Restaurant.Rejected", "the restaurant cannot take the order")
		case Delivery:
			fs.refused = states.New("Delivery.NoCourier", "no courier available")
		}
	}
	return f
}

// ShareQuotas makes f take its services' quotas from board, as participant
// p, instead of keeping its own: for several Fakes on their own clocks that
// stand for one set of services. Call it before the first call.
func (f *Fakes) ShareQuotas(board *QuotaBoard, p int) {
	f.board, f.part = board, p
	f.boardOff = f.t0.Sub(board.base)
	for s := range f.svc {
		if q := board.quotas[s]; q != nil {
			f.svc[s].limiter, f.svc[s].shared = nil, q
		}
	}
}

// Resources maps the lambda:invoke resource to the fakes, for the engine.
func (f *Fakes) Resources() asl.Resources { return asl.Resources{LambdaInvoke: f} }

// Ledger gives read access to every effect the fakes have had.
func (f *Fakes) Ledger() *Ledger { return f.ledger }

// Solo tells the fakes that one goroutine at a time calls them and reads
// their ledger, with any hand-over between goroutines ordered by the
// caller (a simulation partition, whose one goroutine also steps the clock
// they answer on): the ledger then takes no locks. Call it before use.
func (f *Fakes) Solo() { f.ledger.solo = true }

// Start returns time zero of the fakes: outage windows count from here.
func (f *Fakes) Start() time.Time { return f.t0 }

// function is one Lambda function behind the fakes.
type function uint8

const (
	fnCharge function = iota
	fnRefund
	fnPlace
	fnCancelRestaurant
	fnSchedule
	fnCancelDelivery
	fnNotify
	fnConfirm
	fnCancelOrder
	numFunctions
)

var functions = [numFunctions]struct {
	name    string
	service Service
	forward bool    // a forward step, which may be refused for a business reason
	step    forward // the forward step it is or compensates, if any
}{
	{FnPaymentCharge, Payment, true, fwdCharge},
	{FnPaymentRefund, Payment, false, fwdCharge},
	{FnRestaurantPlace, Restaurant, true, fwdPlace},
	{FnRestaurantCancel, Restaurant, false, fwdPlace},
	{FnDeliverySchedule, Delivery, true, fwdSchedule},
	{FnDeliveryCancel, Delivery, false, fwdSchedule},
	{FnNotifySend, Notify, false, 0},
	{FnOrdersConfirm, Orders, false, 0},
	{FnOrdersCancel, Orders, false, 0},
}

func lookupFunction(name string) (function, bool) {
	switch name {
	case FnPaymentCharge:
		return fnCharge, true
	case FnPaymentRefund:
		return fnRefund, true
	case FnRestaurantPlace:
		return fnPlace, true
	case FnRestaurantCancel:
		return fnCancelRestaurant, true
	case FnDeliverySchedule:
		return fnSchedule, true
	case FnDeliveryCancel:
		return fnCancelDelivery, true
	case FnNotifySend:
		return fnNotify, true
	case FnOrdersConfirm:
		return fnConfirm, true
	case FnOrdersCancel:
		return fnCancelOrder, true
	}
	return 0, false
}

// functionName returns the function's name from any form Lambda takes for
// FunctionName: "payment-charge", with a version or alias
// ("payment-charge:live"), a partial ARN ("123456789012:function:payment-charge")
// or a full one ("arn:aws:lambda:us-east-1:123456789012:function:payment-charge:$LATEST").
func functionName(s string) string {
	if i := strings.Index(s, "function:"); i >= 0 {
		s = s[i+len("function:"):]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
}

// FakeNames lists the names by which a mock config's response routes to a
// fake (Yafdp.MockedResponses.<name>.Fake): payment.charge, ... . A
// function's own name (yafdp-payment-charge) is taken too.
func FakeNames() []string {
	names := make([]string, numFunctions)
	for i, fn := range functions {
		names[i] = fakeName(fn.name)
	}
	return names
}

// fakeName turns yafdp-payment-charge into payment.charge.
func fakeName(function string) string {
	return strings.Replace(strings.TrimPrefix(function, "yafdp-"), "-", ".", 1)
}

// lookupFake finds a function by its fake name or its own name.
func lookupFake(name string) (function, bool) {
	for i, fn := range functions {
		if name == fakeName(fn.name) {
			return function(i), true
		}
	}
	return lookupFunction(functionName(name))
}

// IsFake reports whether name names a fake (see FakeNames).
func IsFake(name string) bool {
	_, ok := lookupFake(name)
	return ok
}

// Fake returns the handler that answers any Task as the function name
// names (see FakeNames), nil for an unknown name: the route of a mock
// config's response to a fake. A lambda:invoke Task gives the function the
// Payload of its input and gets lambda:invoke's answer; any other Task
// gives it the whole input and gets the function's result itself.
func (f *Fakes) Fake(name string) asl.TaskHandler {
	fn, ok := lookupFake(name)
	if !ok {
		return nil
	}
	return &f.routes[fn]
}

// fakeRoute answers as one function (Fake).
type fakeRoute struct {
	f  *Fakes
	fn function
}

// Invoke answers the call as the route's function.
func (r *fakeRoute) Invoke(_ context.Context, req *asl.TaskRequest, done func(output any, err error)) {
	if req.Resource == LambdaInvoke {
		payload, _ := value.Field(req.Input, "Payload")
		r.f.call(r.fn, payload, false, req, done)
		return
	}
	r.f.call(r.fn, req.Input, true, req, done)
}

// FunctionNames lists the Lambda functions the fakes answer to.
func FunctionNames() []string {
	names := make([]string, numFunctions)
	for i, fn := range functions {
		names[i] = fn.name
	}
	return names
}

// notifyKind is what a notification tells the customer.
type notifyKind uint8

const (
	notifyNone notifyKind = iota
	notifyConfirmed
	notifyCancelled
)

// hangWithoutTimeout is how long a timed-out call takes when its Task has no
// TimeoutSeconds.
const hangWithoutTimeout = 5 * time.Minute

// Invoke answers one lambda:invoke Task: Parameters {"FunctionName": ...,
// "Payload": {"orderId": ..., ...}}. A call without latency calls done before
// Invoke returns; otherwise done runs on the clock once the latency has
// passed, and the call's effect lands at that moment, even when the Task
// has given up on it by then.
func (f *Fakes) Invoke(_ context.Context, req *asl.TaskRequest, done func(output any, err error)) {
	name, payload := req.Function, req.Input
	if name == "" {
		fname, _ := value.Field(req.Input, "FunctionName")
		name, _ = fname.(string)
		payload, _ = value.Field(req.Input, "Payload")
	}
	fn, ok := lookupFunction(functionName(name))
	if !ok {
		done(nil, states.New("Lambda.ResourceNotFoundException", "Function not found: "+name))
		return
	}
	// A Task whose Resource is the function's ARN gets the function's
	// result itself, not lambda:invoke's wrapper of it.
	f.call(fn, payload, req.Function != "", req, done)
}

// call answers one call of fn with payload, unwrapped from lambda:invoke's
// wrapper when unwrap is set.
func (f *Fakes) call(fn function, payload any, unwrap bool, req *asl.TaskRequest, done func(output any, err error)) {
	orderID, kind, bad := readCall(fn, payload)
	if bad != nil {
		done(nil, bad)
		return
	}
	if unwrap {
		wrapped := done
		done = func(out any, err error) {
			if m, ok := out.(map[string]any); ok {
				out = m["Payload"]
			}
			wrapped(out, err)
		}
	}
	svc := &f.svc[functions[fn].service]
	st := &f.stats[fn]
	st.calls.Add(1)
	at := f.since()
	key := mix.String(orderID)
	lat, fail, quota := f.meet(svc, fn, key, req, at)
	if req.Timeout > 0 && lat > req.Timeout {
		st.late.Add(1)
	}
	// Tell the engine how large the answer can be, so it need not measure
	// it: a few fixed fields and at most one id made from the order id,
	// each byte of which JSON may escape to six.
	req.AnswerWithin(answerOverhead + 6*len(orderID))
	if lat <= 0 {
		f.finish(fn, orderID, key, kind, fail, at, done)
		return
	}
	// Tell it too when the answer comes, so it arms the task's timeout
	// only when the answer will be late.
	req.AnswerIn(lat)
	a := getAnswer()
	a.f, a.fn, a.orderID, a.key, a.kind, a.fail, a.quota, a.svc, a.done = f, fn, orderID, key, kind, fail, quota, svc, done
	f.after(lat, a.fire)
}

// readCall reads a call's order id and, for a notification, its kind from
// the function's payload (an object: a map, or a record for a
// RecordReader), or the error that answers a malformed call.
func readCall(fn function, payload any) (string, notifyKind, *states.Error) {
	oid, _ := value.Field(payload, "orderId")
	orderID, _ := oid.(string)
	if orderID == "" {
		return "", 0, states.New(errorPrefix[functions[fn].service]+".InvalidRequest", "Payload.orderId is missing or not a string")
	}
	kind := notifyNone
	if fn == fnNotify {
		k, _ := value.Field(payload, "kind")
		switch k, _ := k.(string); k {
		case "confirmed":
			kind = notifyConfirmed
		case "cancelled":
			kind = notifyCancelled
		default:
			return "", 0, states.New("Notify.InvalidRequest", `Payload.kind must be "confirmed" or "cancelled"`)
		}
	}
	return orderID, kind, nil
}

// meet decides what a call at time at meets: its latency (with the time a
// call that times out hangs), the failure it answers, and, on a
// QuotaBoard, the quota call to decide when the answer is due (nil when
// decided now).
func (f *Fakes) meet(svc *fakeService, fn function, key uint64, req *asl.TaskRequest, at time.Duration) (time.Duration, *states.Error, *quotaCall) {
	r := newCallRand(f.seed, key, fn, req.Attempt)
	// Always take the same six draws in the same order, so that changing
	// one rate does not reshuffle the outcome of every other fault.
	lat := svc.lat.Sample(r.float(), r.float())
	uThrottle, uError, uTimeout, uRefuse := r.float(), r.float(), r.float(), r.float()
	if svc.down(at) {
		return lat, svc.unavailable, nil
	}
	// What the call meets within the quota.
	var fail *states.Error
	var hang time.Duration
	switch {
	case uThrottle < svc.cfg.ThrottleRate:
		fail = svc.throttled
	case uError < svc.cfg.ErrorRate:
		fail = svc.unavailable
	default:
		if uTimeout < svc.cfg.TimeoutRate {
			hang = hangWithoutTimeout
			if req.Timeout > 0 {
				hang = 2 * req.Timeout
			}
		}
		if functions[fn].forward && uRefuse < svc.cfg.RefusalRate {
			fail = svc.refused
		}
	}
	var quota *quotaCall
	switch {
	case svc.limiter != nil:
		if !svc.limiter.AllowN(f.t0.Add(at), 1) {
			fail, hang = svc.throttled, 0
		}
	case svc.shared != nil:
		quota = f.board.call(svc.shared, f.part, f.boardOff+at)
		if hang > 0 || lat <= 0 {
			// When the answer comes depends on the quota: decide now.
			if !f.board.allowed(svc.shared, quota) {
				fail, hang = svc.throttled, 0
			}
			f.board.release(quota)
			quota = nil
		}
	}
	return lat + hang, fail, quota
}

// pendingAnswer is a call whose answer is due later. They are pooled, each
// with its fire func made once: a simulation schedules an answer for every
// call of every saga.
type pendingAnswer struct {
	f       *Fakes
	fn      function
	orderID string
	key     uint64
	kind    notifyKind
	fail    *states.Error
	quota   *quotaCall // decided when the answer is due
	svc     *fakeService
	done    func(any, error)
	fire    func() // a.answer
}

var answerPool sync.Pool

func getAnswer() *pendingAnswer {
	if a, ok := answerPool.Get().(*pendingAnswer); ok {
		return a
	}
	a := new(pendingAnswer)
	a.fire = a.answer
	return a
}

// answer finishes the call, its quota decided first if it waits for one.
func (a *pendingAnswer) answer() {
	f, fn, orderID, key, kind, fail, done := a.f, a.fn, a.orderID, a.key, a.kind, a.fail, a.done
	if a.quota != nil {
		if !f.board.allowed(a.svc.shared, a.quota) {
			fail = a.svc.throttled
		}
		f.board.release(a.quota)
	}
	*a = pendingAnswer{fire: a.fire}
	answerPool.Put(a)
	f.finish(fn, orderID, key, kind, fail, f.since(), done)
}

// since returns the time since t0, by the clock's ticks when it has them.
func (f *Fakes) since() time.Duration {
	if f.ticker != nil {
		return f.ticker.Elapsed() - f.tick0
	}
	return f.clk.Now().Sub(f.t0)
}

// down reports whether the service is in an outage at, after t0.
func (s *fakeService) down(at time.Duration) bool {
	for _, w := range s.outages {
		if at >= w.from && at < w.to {
			return true
		}
	}
	return false
}

// finish completes a call: it fails it, or lands its effect and answers.
// at is the time since t0.
func (f *Fakes) finish(fn function, orderID string, key uint64, kind notifyKind, fail *states.Error, at time.Duration, done func(any, error)) {
	st := &f.stats[fn]
	if fail != nil {
		st.countError(fail.Name)
		done(nil, fail)
		return
	}
	out, err := f.apply(fn, orderID, key, kind, at)
	if err != nil {
		st.refused.Add(1)
		done(nil, err)
		return
	}
	st.ok.Add(1)
	done(out, nil)
}

// Errors for calls that arrive after their compensation: the tombstone wins.
var (
	errChargeVoided      = states.New("Payment.Declined", "voided: the payment was refunded before this charge arrived")
	errPlaceCancelled    = states.New("Restaurant.Rejected", "the order was cancelled before it reached the restaurant")
	errScheduleCancelled = states.New("Delivery.Cancelled", "the delivery was cancelled before this booking arrived")
	errConfirmCancelled  = states.New("Orders.Conflict", "the order is CANCELLED and cannot be confirmed")
)

// Constant answers, shared by every call: values are immutable.
var (
	outRefunded        = lambdaOutput(map[string]any{"status": "refunded"})
	outPaymentVoided   = lambdaOutput(map[string]any{"status": "voided"})
	outCancelled       = lambdaOutput(map[string]any{"status": "cancelled"})
	outVoided          = lambdaOutput(map[string]any{"status": "voided"})
	outSent            = lambdaOutput(map[string]any{"status": "sent"})
	outDuplicate       = lambdaOutput(map[string]any{"status": "duplicate"})
	outSuppressed      = lambdaOutput(map[string]any{"status": "suppressed"})
	outStatusConfirmed = lambdaOutput(map[string]any{"status": StatusConfirmed})
	outStatusCancelled = lambdaOutput(map[string]any{"status": StatusCancelled})
)

// A forward step's answer carries an id made from the order id and a
// status: {"paymentId": "pay_…", "status": "charged"} for a charge.
type forward int

const (
	fwdCharge forward = iota
	fwdPlace
	fwdSchedule
	numForward
)

// forwards describe the forward steps: their answers' id keys, id prefixes
// and statuses (boxed once, so setting one costs no allocation), and the
// answers of each kind the engine handed back (RecycleAnswer), one taken
// from there needing only its new id; their effects (done, undone by the
// compensation, voided by a compensation that came first), the refusal of
// a call that comes after its compensation, and the compensation's
// answers.
var forwards = [numForward]struct {
	idKey, idPrefix      string
	status               any
	spare                sync.Pool
	done, undone, voided EffectKind
	tooLate              *states.Error
	undoneOut, voidedOut any
}{
	fwdCharge: {idKey: "paymentId", idPrefix: "pay_", status: "charged",
		done: Charged, undone: Refunded, voided: PaymentVoided,
		tooLate: errChargeVoided, undoneOut: outRefunded, voidedOut: outPaymentVoided},
	fwdPlace: {idKey: "restaurantOrderId", idPrefix: "rso_", status: "accepted",
		done: RestaurantPlaced, undone: RestaurantCancelled, voided: RestaurantVoided,
		tooLate: errPlaceCancelled, undoneOut: outCancelled, voidedOut: outVoided},
	fwdSchedule: {idKey: "deliveryId", idPrefix: "dlv_", status: "scheduled",
		done: DeliveryScheduled, undone: DeliveryCancelled, voided: DeliveryVoided,
		tooLate: errScheduleCancelled, undoneOut: outCancelled, voidedOut: outVoided},
}

// idAnswer is a forward step's answer with id, in one of its kind taken
// back from the engine when there is one.
func idAnswer(kind forward, id string) map[string]any {
	fw := &forwards[kind]
	if out, ok := fw.spare.Get().(map[string]any); ok {
		out["Payload"].(map[string]any)[fw.idKey] = id
		return out
	}
	return lambdaOutput(map[string]any{fw.idKey: id, "status": fw.status})
}

// ReadsRecords tells the engine that Invoke reads Task inputs given as
// records (asl.RecordReader): it reads a few members and keeps none.
func (f *Fakes) ReadsRecords() {}

// RecycleAnswer takes back an answer the engine is done with
// (asl.AnswerRecycler); only a forward step's answer, which each call builds
// afresh, is kept: the others are shared. Its status tells its kind.
func (f *Fakes) RecycleAnswer(answer any) {
	out, _ := answer.(map[string]any)
	p, _ := out["Payload"].(map[string]any)
	if len(out) != 3 || len(p) != 2 {
		return
	}
	status := p["status"]
	for k := range forwards {
		if fw := &forwards[k]; status == fw.status {
			if _, ok := p[fw.idKey]; ok {
				fw.spare.Put(out)
			}
			return
		}
	}
}

// answerOverhead bounds the JSON of an answer without its order id: the
// longest is {"ExecutedVersion":"$LATEST","Payload":{"restaurantOrderId":
// "rso_…","status":"accepted"},"StatusCode":200}, 101 bytes and the id.
const answerOverhead = 160

// lambdaOutput wraps a function's result the way lambda:invoke does.
func lambdaOutput(payload map[string]any) map[string]any {
	return map[string]any{"ExecutedVersion": "$LATEST", "Payload": payload, "StatusCode": 200}
}

// refID derives a service's id for the order: pay_123 for ord_123.
func refID(prefix, orderID string) string {
	return prefix + strings.TrimPrefix(orderID, "ord_")
}

// apply lands a call's effect in the ledger, idempotently: each function
// looks at what the order's effects already add up to.
func (f *Fakes) apply(fn function, orderID string, key uint64, kind notifyKind, at time.Duration) (any, *states.Error) {
	l := f.ledger
	sh := l.shard(key)
	l.lock(sh)
	defer l.unlock(sh)
	rec := sh.m[orderID]
	s := summarize(rec.get())
	var add EffectKind
	var out any
	var err *states.Error
	switch fn {
	case fnCharge, fnPlace, fnSchedule:
		add, out, err = doStep(functions[fn].step, &s, orderID)
	case fnRefund, fnCancelRestaurant, fnCancelDelivery:
		add, out = undoStep(functions[fn].step, &s)
	case fnNotify:
		add, out = notify(kind, &s)
	case fnConfirm:
		switch s.Status {
		case StatusCancelled:
			err = errConfirmCancelled
		case StatusConfirmed:
			out = outStatusConfirmed
		default:
			add, out = MarkedConfirmed, outStatusConfirmed
		}
	case fnCancelOrder:
		// Cancelling wins even over CONFIRMED: that happens only when a
		// confirmation landed after its call timed out and the saga went on
		// to compensate, and then the order must end CANCELLED.
		if s.Status != StatusCancelled {
			add = MarkedCancelled
		}
		out = outStatusCancelled
	}
	if add != 0 {
		sh.appendTo(rec, orderID, pack(at, add))
	}
	return out, err
}

// doStep is forward step k of an order (a charge, a restaurant order, a
// delivery): refused once its compensation has come, taking effect the
// first time only.
func doStep(k forward, s *Summary, orderID string) (EffectKind, any, *states.Error) {
	fw := &forwards[k]
	done, undone, voided := s.step(k)
	if voided || undone > 0 {
		return 0, nil, fw.tooLate
	}
	var add EffectKind
	if done == 0 {
		add = fw.done
	}
	return add, idAnswer(k, refID(fw.idPrefix, orderID)), nil
}

// undoStep compensates forward step k: it undoes the step once, or, when
// the step has not taken effect (yet), voids it so that it never will.
func undoStep(k forward, s *Summary) (EffectKind, any) {
	fw := &forwards[k]
	done, undone, voided := s.step(k)
	switch {
	case done > undone:
		return fw.undone, fw.undoneOut
	case done > 0:
		return 0, fw.undoneOut
	case voided:
		return 0, fw.voidedOut
	default:
		return fw.voided, fw.voidedOut
	}
}

// notify tells the customer once that the order is confirmed or cancelled.
func notify(kind notifyKind, s *Summary) (EffectKind, any) {
	switch {
	case kind == notifyCancelled && s.NotifiedCancelled == 0:
		return NotifiedCancelled, outSent
	case kind == notifyCancelled:
		return 0, outDuplicate
	case s.NotifiedCancelled > 0:
		// A confirmation that arrives after the cancellation would only
		// confuse the customer.
		return 0, outSuppressed
	case s.NotifiedConfirmed == 0:
		return NotifiedConfirmed, outSent
	default:
		return 0, outDuplicate
	}
}

// callRand is the random stream of one call: a PCG seeded from a hash of
// (seed, order id, function, attempt).
type callRand struct{ pcg rand.PCG }

func newCallRand(seed, key uint64, fn function, attempt int) callRand {
	s1 := mix.Bits(mix.Bits(seed+0x9e3779b97f4a7c15) ^ key)
	s2 := mix.Bits(s1 ^ (uint64(fn)+1)<<40 ^ uint64(uint32(attempt)))
	var r callRand
	r.pcg.Seed(s1, s2)
	return r
}

// float returns a uniform draw in [0, 1).
func (r *callRand) float() float64 { return float64(r.pcg.Uint64()>>11) * 0x1p-53 }

// CallStats counts the calls one function received and how they ended.
type CallStats struct {
	Calls int64 `json:"calls"`
	OK    int64 `json:"ok"`
	// Throttled, Unavailable and Refused count failed answers: quota or
	// random throttling, outages or random errors, business refusals and
	// calls refused because their compensation came first.
	Throttled   int64 `json:"throttled"`
	Unavailable int64 `json:"unavailable"`
	Refused     int64 `json:"refused"`
	// Late counts calls that took longer than their Task's timeout.
	Late int64 `json:"late"`
}

// Add sums two counts of the same function (from Fakes sharing a quota).
func (c CallStats) Add(o CallStats) CallStats {
	return CallStats{
		Calls: c.Calls + o.Calls, OK: c.OK + o.OK, Throttled: c.Throttled + o.Throttled,
		Unavailable: c.Unavailable + o.Unavailable, Refused: c.Refused + o.Refused, Late: c.Late + o.Late,
	}
}

type callCounters struct {
	calls, ok, throttled, unavailable, refused, late atomic.Int64
}

func (c *callCounters) countError(name string) {
	switch {
	case strings.HasSuffix(name, ".Throttled"):
		c.throttled.Add(1)
	case strings.HasSuffix(name, ".Unavailable"):
		c.unavailable.Add(1)
	default:
		c.refused.Add(1)
	}
}

// Stats returns the call counts per function name.
func (f *Fakes) Stats() map[string]CallStats {
	out := make(map[string]CallStats, numFunctions)
	for i := range f.stats {
		c := &f.stats[i]
		out[functions[i].name] = CallStats{
			Calls: c.calls.Load(), OK: c.ok.Load(),
			Throttled: c.throttled.Load(), Unavailable: c.unavailable.Load(), Refused: c.refused.Load(),
			Late: c.late.Load(),
		}
	}
	return out
}
