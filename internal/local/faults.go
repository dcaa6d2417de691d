package local

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/saga"
)

// NewOrderFaults are the faults of the new-order function itself, which
// local up takes with the fake services' (poison: the message goes back
// to the queue, and to the DLQ after maxReceiveCount deliveries).
var NewOrderFaults = []string{"neworder.error", "neworder.outage"}

// ApplyFaults applies local up's faults and latencies: the new-order
// function's own (neworder.error=RATE, neworder.outage=START+DURATION) to
// c, the others to the fake services. A bad one is an *input.Error on the
// field "fault" or "latency".
func (c *ConsumerOptions) ApplyFaults(fakes *saga.FakeConfig, faults, latencies []string) error {
	rest, err := c.applyNewOrderFaults(faults)
	if err != nil {
		return err
	}
	for _, spec := range rest {
		if err := fakes.ApplyFault(spec); err != nil {
			return input.Errorf("fault", "%v", err).WithFix("or %s", strings.Join(NewOrderFaults, ", "))
		}
	}
	return fakes.ApplySpecs(nil, latencies)
}

// applyNewOrderFaults takes the new-order function's faults and returns
// the others.
func (c *ConsumerOptions) applyNewOrderFaults(specs []string) (rest []string, err error) {
	for _, spec := range specs {
		name, val, _ := strings.Cut(spec, "=")
		switch name {
		case "neworder.error":
			r, err := strconv.ParseFloat(strings.TrimSuffix(val, "%"), 64)
			if strings.HasSuffix(val, "%") {
				r /= 100
			}
			if err != nil || r < 0 || r > 1 {
				return nil, input.Errorf("fault", "%q: the rate must be between 0 and 1, e.g. neworder.error=0.01", spec)
			}
			c.ErrorRate = r
		case "neworder.outage":
			w, err := parseWindow(val)
			if err != nil {
				return nil, input.Errorf("fault", "%q: %v", spec, err)
			}
			c.Outages = append(c.Outages, w)
		default:
			rest = append(rest, spec)
		}
	}
	return rest, nil
}

// parseWindow reads START+DURATION, e.g. 30s+2m.
func parseWindow(s string) (Window, error) {
	a, b, ok := strings.Cut(s, "+")
	start, err1 := time.ParseDuration(a)
	dur, err2 := time.ParseDuration(b)
	if !ok || err1 != nil || err2 != nil || start < 0 || dur <= 0 {
		return Window{}, fmt.Errorf("want START+DURATION, e.g. 10s+30s")
	}
	return Window{Start: start, Duration: dur}, nil
}
