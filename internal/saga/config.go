package saga

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Service names one of the fake services behind the saga.
type Service uint8

// The fake services.
const (
	Payment Service = iota
	Restaurant
	Delivery
	Notify
	Orders
	numServices
)

var serviceNames = [numServices]string{"payment", "restaurant", "delivery", "notify", "orders"}

// errorPrefix is how the service names its errors: Payment.Unavailable.
var errorPrefix = [numServices]string{"Payment", "Restaurant", "Delivery", "Notify", "Orders"}

// String returns the service's flag name: payment, restaurant, delivery,
// notify or orders.
func (s Service) String() string {
	if s < numServices {
		return serviceNames[s]
	}
	return "Service(" + strconv.Itoa(int(s)) + ")"
}

// Services lists every fake service.
func Services() []Service { return []Service{Payment, Restaurant, Delivery, Notify, Orders} }

// ServiceNames lists the service names --latency accepts.
func ServiceNames() []string { return append([]string(nil), serviceNames[:]...) }

// ParseService looks a service up by its flag name.
func ParseService(name string) (Service, bool) {
	for i, n := range serviceNames {
		if n == name {
			return Service(i), true
		}
	}
	return 0, false
}

// FakeConfig configures the fake services. The zero value is a perfect world:
// no latency, no faults, no quota.
type FakeConfig struct {
	Payment    ServiceConfig
	Restaurant ServiceConfig
	Delivery   ServiceConfig
	Notify     ServiceConfig
	Orders     ServiceConfig
}

// Service returns the configuration of one service for changing it.
func (c *FakeConfig) Service(s Service) *ServiceConfig {
	switch s {
	case Payment:
		return &c.Payment
	case Restaurant:
		return &c.Restaurant
	case Delivery:
		return &c.Delivery
	case Notify:
		return &c.Notify
	case Orders:
		return &c.Orders
	}
	panic("saga: unknown service " + s.String())
}

// ServiceConfig is how one fake service behaves. Each rate is the chance, in
// [0,1], that a single call meets that fault. The draws are independent; an
// outage comes first, then the quota, throttling and errors, and a call that
// passes those may still be slow (timeout) and, on a forward step, refused.
type ServiceConfig struct {
	// Latency is how long each call takes.
	Latency Latency
	// ThrottleRate is the chance of a random <Service>.Throttled, on top of
	// the quota.
	ThrottleRate float64
	// ErrorRate is the chance that a call fails with <Service>.Unavailable.
	// It applies to every call, compensations included.
	ErrorRate float64
	// TimeoutRate is the chance that a call takes longer than the Task's
	// TimeoutSeconds. The call still completes, and takes effect, later.
	TimeoutRate float64
	// RefusalRate is the chance that a forward call is refused for a
	// business reason: Payment.Declined, Restaurant.Rejected or
	// Delivery.NoCourier. Compensations are never refused.
	RefusalRate float64
	// Outages are windows, measured from the creation of the fakes, during
	// which every call fails with <Service>.Unavailable.
	Outages []Outage
	// RatePerSecond is the service's quota, a token bucket that refills at
	// this rate; a call that finds it empty fails with <Service>.Throttled.
	// Zero means no quota.
	RatePerSecond float64
	// Burst is the bucket's size; zero means max(1, RatePerSecond).
	Burst int
}

// Outage is a window of unavailability, Start after the fakes were created.
type Outage struct {
	Start    time.Duration
	Duration time.Duration
}

// String renders the outage as --fault accepts it: 30s+2m0s.
func (o Outage) String() string { return o.Start.String() + "+" + o.Duration.String() }

// LatencyKind is the shape of a latency distribution.
type LatencyKind uint8

// The latency distributions.
const (
	// LatencyFixed always takes A.
	LatencyFixed LatencyKind = iota
	// LatencyUniform is uniform in [A, B).
	LatencyUniform
	// LatencyLogNormal has median A and 99th percentile B, the long-tailed
	// shape real services show.
	LatencyLogNormal
)

// Latency is a distribution of call durations. The zero value is no latency.
type Latency struct {
	Kind LatencyKind
	A, B time.Duration
}

// Fixed is a latency of exactly d.
func Fixed(d time.Duration) Latency { return Latency{Kind: LatencyFixed, A: d} }

// Uniform is a latency uniform in [lo, hi).
func Uniform(lo, hi time.Duration) Latency { return Latency{Kind: LatencyUniform, A: lo, B: hi} }

// LogNormal is a log-normal latency with the given median and 99th
// percentile.
func LogNormal(median, p99 time.Duration) Latency {
	return Latency{Kind: LatencyLogNormal, A: median, B: p99}
}

// String renders the latency as --latency accepts it.
func (l Latency) String() string {
	switch l.Kind {
	case LatencyUniform:
		return fmt.Sprintf("uniform(%v,%v)", l.A, l.B)
	case LatencyLogNormal:
		return fmt.Sprintf("lognormal(%v,%v)", l.A, l.B)
	}
	return l.A.String()
}

// IsZero reports whether every call takes no time.
func (l Latency) IsZero() bool {
	switch l.Kind {
	case LatencyUniform:
		return l.A == 0 && l.B == 0
	}
	return l.A == 0
}

// Validate reports a distribution that cannot be sampled.
func (l Latency) Validate() error {
	switch l.Kind {
	case LatencyFixed:
		if l.A < 0 {
			return fmt.Errorf("latency %v is negative", l.A)
		}
	case LatencyUniform:
		if l.A < 0 || l.B < l.A {
			return fmt.Errorf("uniform(%v,%v): want 0 <= low <= high", l.A, l.B)
		}
	case LatencyLogNormal:
		if l.A <= 0 || l.B < l.A {
			return fmt.Errorf("lognormal(%v,%v): want 0 < median <= p99", l.A, l.B)
		}
	default:
		return fmt.Errorf("unknown latency kind %d", l.Kind)
	}
	return nil
}

// z99 is the standard normal's 99th percentile.
const z99 = 2.3263478740408408

// maxLatency caps samples from the log-normal tail.
const maxLatency = time.Hour

// sampler draws from a Latency with its parameters worked out once.
type sampler struct {
	kind      LatencyKind
	a, b      time.Duration
	mu, sigma float64
}

func newSampler(l Latency) sampler {
	s := sampler{kind: l.Kind, a: l.A, b: l.B}
	if l.Kind == LatencyLogNormal && l.A > 0 {
		s.mu = math.Log(l.A.Seconds())
		if l.B > l.A {
			s.sigma = (math.Log(l.B.Seconds()) - s.mu) / z99
		}
	}
	return s
}

// sample turns two uniform draws in [0,1) into a duration. It always takes
// both draws so that the stream of draws a call makes does not depend on the
// configuration.
func (s *sampler) sample(u1, u2 float64) time.Duration {
	switch s.kind {
	case LatencyUniform:
		if s.b <= s.a {
			return s.a
		}
		return s.a + time.Duration(u1*float64(s.b-s.a))
	case LatencyLogNormal:
		if s.a <= 0 {
			return 0
		}
		// Box-Muller; 1-u1 is in (0,1] so the log is finite.
		z := math.Sqrt(-2*math.Log(1-u1)) * math.Cos(2*math.Pi*u2)
		d := time.Duration(math.Exp(s.mu+s.sigma*z) * float64(time.Second))
		if d > maxLatency || d < 0 {
			return maxLatency
		}
		return d
	}
	if s.a < 0 {
		return 0
	}
	return s.a
}

// RealisticLatencies returns the fakes' latencies that `saga run` and
// `local up` use unless told otherwise: a third-party payment provider that
// is the slowest step with a long tail, then the restaurant's tablet, the
// courier dispatch, a notification gateway and the order store. No faults.
func RealisticLatencies() FakeConfig {
	var c FakeConfig
	c.Payment.Latency = LogNormal(180*time.Millisecond, 900*time.Millisecond)
	c.Restaurant.Latency = LogNormal(90*time.Millisecond, 400*time.Millisecond)
	c.Delivery.Latency = LogNormal(120*time.Millisecond, 500*time.Millisecond)
	c.Notify.Latency = LogNormal(40*time.Millisecond, 150*time.Millisecond)
	c.Orders.Latency = LogNormal(8*time.Millisecond, 30*time.Millisecond)
	return c
}
