package saga

import (
	"strconv"
	"time"

	"github.com/yafdp/yafdp/internal/latency"
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
	Latency latency.Distribution
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

// RealisticLatencies returns the fakes' latencies that `saga run` and
// `local up` use unless told otherwise: a third-party payment provider that
// is the slowest step with a long tail, then the restaurant's tablet, the
// courier dispatch, a notification gateway and the order store. No faults.
func RealisticLatencies() FakeConfig {
	var c FakeConfig
	c.Payment.Latency = latency.LogNormal(180*time.Millisecond, 900*time.Millisecond)
	c.Restaurant.Latency = latency.LogNormal(90*time.Millisecond, 400*time.Millisecond)
	c.Delivery.Latency = latency.LogNormal(120*time.Millisecond, 500*time.Millisecond)
	c.Notify.Latency = latency.LogNormal(40*time.Millisecond, 150*time.Millisecond)
	c.Orders.Latency = latency.LogNormal(8*time.Millisecond, 30*time.Millisecond)
	return c
}
