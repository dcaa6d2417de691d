package local

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/saga"
)

// StartQuotaSettings are the settings of StartExecution's quota that
// local up takes with its faults: sfn.start.tps=RATE (or off) and
// sfn.start.burst=N.
var StartQuotaSettings = []string{"sfn.start.tps", "sfn.start.burst"}

// ApplyStartQuota takes StartExecution's quota settings out of specs into
// q and returns the other specs. A setting on a zero q starts from AWS's
// quota: sfn.start.burst=100 alone keeps AWS's 300/s. sfn.start.tps=off
// (or 0, or unlimited) turns the quota off. A bad one is an *input.Error
// on the field "fault".
func ApplyStartQuota(q *sfnapi.StartQuota, specs []string) (rest []string, err error) {
	for _, spec := range specs {
		name, val, _ := strings.Cut(strings.TrimSpace(spec), "=")
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		switch name {
		case "sfn.start.tps":
			if strings.EqualFold(val, "off") {
				*q = sfnapi.NoStartQuota
				continue
			}
			r, err := rate.ParseLimit(val)
			if err != nil || val == "" {
				return nil, input.Errorf("fault", "%q: want a rate such as sfn.start.tps=300 (or 300/s, 18000/m), or off", spec)
			}
			if r.IsZero() {
				*q = sfnapi.NoStartQuota
				continue
			}
			if q.Off || q.PerSecond <= 0 {
				*q = sfnapi.AWSStartQuota
			}
			q.PerSecond = r.PerSecond()
		case "sfn.start.burst":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return nil, input.Errorf("fault", "%q: the burst must be a whole number of at least 1, e.g. sfn.start.burst=1300", spec)
			}
			if q.Off || q.PerSecond <= 0 {
				*q = sfnapi.AWSStartQuota
			}
			q.Burst = n
		default:
			rest = append(rest, spec)
		}
	}
	return rest, nil
}

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
