package saga

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/latency"
)

// faultKind is what a --fault setting changes.
type faultKind uint8

const (
	faultThrottle faultKind = iota
	faultError
	faultTimeout
	faultRefusal
	faultOutage
	faultTPS
	faultBurst
)

// faultSpec is one valid --fault name.
type faultSpec struct {
	name    string
	service Service
	kind    faultKind
}

// faultSpecs is every valid --fault name, in the order they are listed.
var faultSpecs = []faultSpec{
	{"payment.throttle", Payment, faultThrottle},
	{"payment.decline", Payment, faultRefusal},
	{"payment.error", Payment, faultError},
	{"payment.timeout", Payment, faultTimeout},
	{"payment.outage", Payment, faultOutage},
	{"payment.tps", Payment, faultTPS},
	{"payment.burst", Payment, faultBurst},
	{"restaurant.reject", Restaurant, faultRefusal},
	{"restaurant.error", Restaurant, faultError},
	{"restaurant.timeout", Restaurant, faultTimeout},
	{"restaurant.outage", Restaurant, faultOutage},
	{"delivery.nocourier", Delivery, faultRefusal},
	{"delivery.error", Delivery, faultError},
	{"delivery.timeout", Delivery, faultTimeout},
	{"delivery.outage", Delivery, faultOutage},
	{"notify.error", Notify, faultError},
	{"notify.timeout", Notify, faultTimeout},
	{"notify.outage", Notify, faultOutage},
	{"orders.error", Orders, faultError},
	{"orders.timeout", Orders, faultTimeout},
	{"orders.outage", Orders, faultOutage},
}

// FaultNames lists the names --fault accepts (payment.decline, ...), for
// help text and shell completion.
func FaultNames() []string {
	names := make([]string, len(faultSpecs))
	for i, s := range faultSpecs {
		names[i] = s.name
	}
	return names
}

// Fault is one parsed --fault setting, e.g. payment.decline=0.05.
type Fault struct {
	// Name is the setting's name, e.g. "payment.decline".
	Name    string
	Service Service
	kind    faultKind
	// Rate is the probability for a rate, the requests per second for tps.
	Rate float64
	// Burst is the bucket size for burst.
	Burst int
	// Outage is the window for outage.
	Outage Outage
}

// ParseFault parses one --fault setting:
//
//	payment.decline=0.05      chance per call, in [0,1]; 5% works too
//	payment.tps=50            payment quota: 50 requests per second (also 3000/m)
//	payment.burst=100         payment quota: bucket size
//	payment.outage=30s+2m     every call fails from 30s after the start, for 2m
//
// The error names the offending text and lists the valid names.
func ParseFault(s string) (Fault, error) {
	name, val, ok := strings.Cut(strings.TrimSpace(s), "=")
	name, val = strings.TrimSpace(name), strings.TrimSpace(val)
	if !ok || val == "" {
		return Fault{}, fmt.Errorf("fault %q: want name=value, e.g. payment.decline=0.05", s)
	}
	var spec *faultSpec
	for i := range faultSpecs {
		if faultSpecs[i].name == name {
			spec = &faultSpecs[i]
			break
		}
	}
	if spec == nil {
		return Fault{}, fmt.Errorf("fault %q: unknown fault %q; valid faults: %s", s, name, strings.Join(FaultNames(), ", "))
	}
	f := Fault{Name: spec.name, Service: spec.service, kind: spec.kind}
	var err error
	switch spec.kind {
	case faultThrottle, faultError, faultTimeout, faultRefusal:
		f.Rate, err = parseRate(val)
	case faultTPS:
		f.Rate, err = parsePerSecond(val)
	case faultBurst:
		if f.Burst, err = strconv.Atoi(val); err != nil || f.Burst < 1 {
			return Fault{}, fmt.Errorf("fault %q: burst %q is not a whole number >= 1", s, val)
		}
	case faultOutage:
		f.Outage, err = parseOutage(val)
	}
	if err != nil {
		return Fault{}, fmt.Errorf("fault %q: %v", s, err)
	}
	return f, nil
}

// String renders the fault as ParseFault accepts it.
func (f Fault) String() string {
	switch f.kind {
	case faultBurst:
		return f.Name + "=" + strconv.Itoa(f.Burst)
	case faultOutage:
		return f.Name + "=" + f.Outage.String()
	}
	return f.Name + "=" + strconv.FormatFloat(f.Rate, 'g', -1, 64)
}

// Apply sets the fault in c. Outages add up; every other setting replaces
// the previous value.
func (f Fault) Apply(c *FakeConfig) {
	sc := c.Service(f.Service)
	switch f.kind {
	case faultThrottle:
		sc.ThrottleRate = f.Rate
	case faultError:
		sc.ErrorRate = f.Rate
	case faultTimeout:
		sc.TimeoutRate = f.Rate
	case faultRefusal:
		sc.RefusalRate = f.Rate
	case faultOutage:
		sc.Outages = append(sc.Outages, f.Outage)
	case faultTPS:
		sc.RatePerSecond = f.Rate
	case faultBurst:
		sc.Burst = f.Burst
	}
}

// ApplyFault parses one --fault setting and applies it.
func (c *FakeConfig) ApplyFault(spec string) error {
	f, err := ParseFault(spec)
	if err != nil {
		return err
	}
	f.Apply(c)
	return nil
}

// ApplyLatency parses one --latency setting and applies it.
func (c *FakeConfig) ApplyLatency(spec string) error {
	s, l, err := ParseLatency(spec)
	if err != nil {
		return err
	}
	c.Service(s).Latency = l
	return nil
}

// ParseLatency parses one --latency setting, service=distribution:
//
//	payment=lognormal(80ms,250ms)   median 80ms, 99th percentile 250ms
//	restaurant=uniform(20ms,80ms)
//	delivery=50ms                   (or fixed(50ms))
//	notify=0
func ParseLatency(s string) (Service, latency.Distribution, error) {
	name, val, ok := strings.Cut(strings.TrimSpace(s), "=")
	name, val = strings.TrimSpace(name), strings.TrimSpace(val)
	if !ok || val == "" {
		return 0, latency.Distribution{}, fmt.Errorf("latency %q: want service=distribution, e.g. payment=lognormal(80ms,250ms)", s)
	}
	svc, ok := ParseService(name)
	if !ok {
		return 0, latency.Distribution{}, fmt.Errorf("latency %q: unknown service %q; valid services: %s", s, name, strings.Join(serviceNames[:], ", "))
	}
	l, err := latency.Parse(val)
	if err != nil {
		return 0, latency.Distribution{}, fmt.Errorf("latency %q: %v", s, err)
	}
	return svc, l, nil
}

func parseRate(s string) (float64, error) {
	text := s
	scale := 1.0
	if strings.HasSuffix(s, "%") {
		text, scale = strings.TrimSpace(strings.TrimSuffix(s, "%")), 0.01
	}
	r, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(r) || math.IsInf(r, 0) {
		return 0, fmt.Errorf("rate %q is not a number such as 0.05 or 5%%", s)
	}
	r *= scale
	if r < 0 || r > 1 {
		return 0, fmt.Errorf("rate %s is outside [0,1]", s)
	}
	return r, nil
}

// parsePerSecond reads 50, 50/s or 3000/m as requests per second.
func parsePerSecond(s string) (float64, error) {
	text, unit, _ := strings.Cut(s, "/")
	per := 1.0
	switch strings.TrimSpace(unit) {
	case "", "s":
	case "m":
		per = 60
	case "h":
		per = 3600
	default:
		return 0, fmt.Errorf("rate %q: unit must be /s, /m or /h", s)
	}
	r, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || math.IsNaN(r) || math.IsInf(r, 0) || r <= 0 {
		return 0, fmt.Errorf("rate %q is not a positive number of requests such as 50 or 50/s", s)
	}
	return r / per, nil
}

// parseOutage reads start+duration, e.g. 30s+2m.
func parseOutage(s string) (Outage, error) {
	a, b, ok := strings.Cut(s, "+")
	if !ok {
		return Outage{}, fmt.Errorf("outage %q: want start+duration, e.g. 30s+2m", s)
	}
	start, err1 := time.ParseDuration(strings.TrimSpace(a))
	dur, err2 := time.ParseDuration(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return Outage{}, fmt.Errorf("outage %q: want start+duration, e.g. 30s+2m", s)
	}
	if start < 0 || dur <= 0 {
		return Outage{}, fmt.Errorf("outage %q: start must be >= 0 and duration > 0", s)
	}
	return Outage{Start: start, Duration: dur}, nil
}

// Validate reports settings outside their range, for configurations built in
// code rather than parsed.
func (c *FakeConfig) Validate() error {
	for _, s := range Services() {
		sc := c.Service(s)
		for _, r := range []struct {
			name string
			v    float64
		}{{"throttle", sc.ThrottleRate}, {"error", sc.ErrorRate}, {"timeout", sc.TimeoutRate}, {"refusal", sc.RefusalRate}} {
			if !(r.v >= 0 && r.v <= 1) {
				return fmt.Errorf("%s.%s: rate %v is outside [0,1]", s, r.name, r.v)
			}
		}
		if err := sc.Latency.Validate(); err != nil {
			return fmt.Errorf("%s latency: %v", s, err)
		}
		if sc.RatePerSecond < 0 || math.IsNaN(sc.RatePerSecond) || sc.Burst < 0 {
			return fmt.Errorf("%s quota: tps %v and burst %d must not be negative", s, sc.RatePerSecond, sc.Burst)
		}
		for _, o := range sc.Outages {
			if o.Start < 0 || o.Duration <= 0 {
				return fmt.Errorf("%s.outage %v: start must be >= 0 and duration > 0", s, o)
			}
		}
	}
	return nil
}
