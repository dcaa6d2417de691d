package saga

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/yafdp/yafdp/internal/latency"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		in   string
		want func(c *FakeConfig)
	}{
		{"payment.decline=0.05", func(c *FakeConfig) { c.Payment.RefusalRate = 0.05 }},
		{"payment.decline=5%", func(c *FakeConfig) { c.Payment.RefusalRate = 0.05 }},
		{" payment.throttle = 1 ", func(c *FakeConfig) { c.Payment.ThrottleRate = 1 }},
		{"payment.error=0", func(c *FakeConfig) {}},
		{"payment.timeout=0.01", func(c *FakeConfig) { c.Payment.TimeoutRate = 0.01 }},
		{"payment.tps=50", func(c *FakeConfig) { c.Payment.RatePerSecond = 50 }},
		{"payment.tps=50/s", func(c *FakeConfig) { c.Payment.RatePerSecond = 50 }},
		{"payment.tps=3000/m", func(c *FakeConfig) { c.Payment.RatePerSecond = 50 }},
		{"payment.burst=100", func(c *FakeConfig) { c.Payment.Burst = 100 }},
		{"payment.outage=30s+2m", func(c *FakeConfig) {
			c.Payment.Outages = []Outage{{30 * time.Second, 2 * time.Minute}}
		}},
		{"restaurant.reject=0.1", func(c *FakeConfig) { c.Restaurant.RefusalRate = 0.1 }},
		{"restaurant.error=0.1", func(c *FakeConfig) { c.Restaurant.ErrorRate = 0.1 }},
		{"restaurant.timeout=0.1", func(c *FakeConfig) { c.Restaurant.TimeoutRate = 0.1 }},
		{"delivery.nocourier=0.2", func(c *FakeConfig) { c.Delivery.RefusalRate = 0.2 }},
		{"delivery.error=0.2", func(c *FakeConfig) { c.Delivery.ErrorRate = 0.2 }},
		{"delivery.timeout=0.2", func(c *FakeConfig) { c.Delivery.TimeoutRate = 0.2 }},
		{"notify.error=0.3", func(c *FakeConfig) { c.Notify.ErrorRate = 0.3 }},
		{"notify.timeout=0.3", func(c *FakeConfig) { c.Notify.TimeoutRate = 0.3 }},
		{"orders.error=0.4", func(c *FakeConfig) { c.Orders.ErrorRate = 0.4 }},
		{"orders.outage=0s+1h", func(c *FakeConfig) { c.Orders.Outages = []Outage{{0, time.Hour}} }},
	}
	for _, tt := range tests {
		f, err := ParseFault(tt.in)
		if err != nil {
			t.Errorf("ParseFault(%q): %v", tt.in, err)
			continue
		}
		var got, want FakeConfig
		f.Apply(&got)
		tt.want(&want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ParseFault(%q) (-want +got):\n%s", tt.in, diff)
		}
		// String renders something ParseFault reads back the same.
		again, err := ParseFault(f.String())
		if err != nil || again != f {
			t.Errorf("%q: String() = %q reads back as %+v, %v", tt.in, f.String(), again, err)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("%q: Validate: %v", tt.in, err)
		}
	}
}

func TestParseFaultOutagesAddUp(t *testing.T) {
	var c FakeConfig
	for _, s := range []string{"payment.outage=10s+5s", "payment.outage=1m+30s"} {
		if err := c.ApplyFault(s); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.Payment.Outages) != 2 {
		t.Fatalf("outages %v", c.Payment.Outages)
	}
}

func TestParseFaultErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"payment.decline", `fault "payment.decline": want name=value`},
		{"payment.decline=", `want name=value`},
		{"paymnt.decline=0.1", `unknown fault "paymnt.decline"; valid faults: payment.throttle, payment.decline`},
		{"payment.reject=0.1", `unknown fault "payment.reject"`},
		{"notify.decline=0.1", `unknown fault "notify.decline"`},
		{"restaurant.tps=5", `unknown fault "restaurant.tps"`},
		{"payment.decline=1.5", `fault "payment.decline=1.5": rate 1.5 is outside [0,1]`},
		{"payment.decline=-0.1", `outside [0,1]`},
		{"payment.decline=150%", `outside [0,1]`},
		{"payment.decline=lots", `rate "lots" is not a number`},
		{"payment.decline=NaN", `is not a number`},
		{"payment.tps=0", `is not a positive number`},
		{"payment.tps=50/d", `unit must be /s, /m or /h`},
		{"payment.burst=0", `burst "0" is not a whole number >= 1`},
		{"payment.burst=2.5", `is not a whole number`},
		{"payment.outage=30s", `outage "30s": want start+duration`},
		{"payment.outage=30s+soon", `want start+duration`},
		{"payment.outage=30s+0s", `duration > 0`},
		{"payment.outage=-1s+1s", `start must be >= 0`},
	}
	for _, tt := range tests {
		_, err := ParseFault(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseFault(%q) = %v, want an error containing %q", tt.in, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseFault(%q): error is more than one line", tt.in)
		}
	}
	names := FaultNames()
	for _, want := range []string{
		"payment.throttle", "payment.decline", "payment.error", "payment.timeout", "payment.tps", "payment.burst", "payment.outage",
		"restaurant.reject", "restaurant.error", "restaurant.timeout", "delivery.nocourier", "delivery.error", "delivery.timeout",
		"notify.error", "notify.timeout", "orders.error",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("FaultNames() lacks %s", want)
		}
	}
}

func TestParseLatency(t *testing.T) {
	tests := []struct {
		in   string
		svc  Service
		want latency.Distribution
	}{
		{"payment=lognormal(80ms,250ms)", Payment, latency.LogNormal(80*time.Millisecond, 250*time.Millisecond)},
		{"restaurant=uniform(20ms, 80ms)", Restaurant, latency.Uniform(20*time.Millisecond, 80*time.Millisecond)},
		{"delivery=50ms", Delivery, latency.Fixed(50 * time.Millisecond)},
		{"delivery=fixed(1s)", Delivery, latency.Fixed(time.Second)},
		{"notify=0", Notify, latency.Distribution{}},
		{"orders=none", Orders, latency.Distribution{}},
	}
	for _, tt := range tests {
		svc, l, err := ParseLatency(tt.in)
		if err != nil || svc != tt.svc || l != tt.want {
			t.Errorf("ParseLatency(%q) = %v, %v, %v; want %v, %v", tt.in, svc, l, err, tt.svc, tt.want)
			continue
		}
		if _, back, err := ParseLatency(svc.String() + "=" + l.String()); err != nil || back != l {
			t.Errorf("%q: String() %q reads back as %v, %v", tt.in, l.String(), back, err)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"payment", "want service=distribution"},
		{"paymnt=50ms", `unknown service "paymnt"; valid services: payment, restaurant, delivery, notify, orders`},
		{"payment=fast", `"fast" is not a latency; valid forms: 0, 50ms, fixed(50ms), uniform(20ms,80ms), lognormal(80ms,250ms)`},
		{"payment=lognormal(80ms)", "is not a latency"},
		{"payment=lognormal(250ms,80ms)", "want 0 < median <= p99"},
		{"payment=uniform(80ms,20ms)", "want 0 <= low <= high"},
		{"payment=uniform(20ms,80ms", "missing ')'"},
		{"payment=gamma(1s,2s)", "is not a latency"},
		{"payment=lognormal(80ms,a lot)", `"a lot" is not a duration`},
		{"payment=-5ms", "is not a latency"},
	} {
		_, _, err := ParseLatency(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseLatency(%q) = %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
	var c FakeConfig
	if err := c.ApplyLatency("payment=lognormal(80ms,250ms)"); err != nil || c.Payment.Latency.Kind != latency.KindLogNormal {
		t.Fatalf("ApplyLatency: %v, %+v", err, c.Payment.Latency)
	}
}

func TestConfigValidate(t *testing.T) {
	var c FakeConfig
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.Delivery.ErrorRate = 2
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "delivery.error") {
		t.Fatalf("Validate() = %v", err)
	}
}

func FuzzParseFault(f *testing.F) {
	for _, s := range []string{"payment.decline=0.05", "payment.tps=3000/m", "payment.burst=100", "payment.outage=30s+2m", "x=", "=", "payment.decline=5%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fault, err := ParseFault(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(s, "\n") {
				t.Fatalf("multi-line error for %q", s)
			}
			return
		}
		var c FakeConfig
		fault.Apply(&c)
		if err := c.Validate(); err != nil {
			t.Fatalf("%q parsed but does not validate: %v", s, err)
		}
		again, err := ParseFault(fault.String())
		if err != nil || again != fault {
			t.Fatalf("%q: String() %q reads back as %+v, %v", s, fault.String(), again, err)
		}
	})
}

func FuzzParseLatency(f *testing.F) {
	for _, s := range []string{"payment=lognormal(80ms,250ms)", "delivery=uniform(1ms,2ms)", "notify=0", "orders=fixed(1s)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		svc, l, err := ParseLatency(s)
		if err != nil {
			return
		}
		if err := l.Validate(); err != nil {
			t.Fatalf("%q parsed but does not validate: %v", s, err)
		}
		s2 := svc.String() + "=" + l.String()
		if _, back, err := ParseLatency(s2); err != nil || back != l {
			t.Fatalf("%q: %q reads back as %v, %v", s, s2, back, err)
		}
		sm := latency.NewSampler(l)
		for _, u := range []float64{0, 0.5, 0.999999} {
			if d := sm.Sample(u, u); d < 0 || d > latency.Max {
				t.Fatalf("%v sampled %v", l, d)
			}
		}
	})
}
