package load

import (
	"context"
	"time"

	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/sim"
)

// Estimate is the expected AWS bill of a run.
type Estimate struct {
	Orders            int64
	Standard, Express float64
}

// sampleOrders is how many orders the estimate simulates.
const sampleOrders = 1000

// EstimateCost prices a run of sc's arrivals (this shard's part) with the
// simulator's cost model: it simulates up to a thousand orders of the
// same scenario (settings, faults, quotas) in virtual time and scales the
// bill per order to the run's.
func EstimateCost(ctx context.Context, sc sim.Scenario, shard Shard) (Estimate, error) {
	n := Planned(&sc, shard)
	est := Estimate{Orders: n}
	if n == 0 {
		return est, nil
	}
	sample := sc
	k := min(n, sampleOrders)
	r := min(float64(n)/sc.ArrivalDuration().Seconds(), 200)
	r = max(r, 1)
	sample.Arrivals = sim.Arrivals{Process: "constant", Rate: rate.PerSecond(r), Duration: sim.Duration(time.Duration(float64(k) / r * float64(time.Second)))}
	sample.MaxDrain = sim.Duration(10 * time.Minute)
	rep, err := sim.Run(ctx, sample, sim.Options{})
	if err != nil {
		return est, err
	}
	per := rep.Cost.PerMillion
	if per.Standard == 0 && rep.Orders.Offered > 0 {
		// No order ended in the sample: price by the orders offered.
		scale := 1e6 / float64(rep.Orders.Offered)
		per = sim.Split{Standard: rep.Cost.Total.Standard * scale, Express: rep.Cost.Total.Express * scale}
	}
	est.Standard = per.Standard * float64(n) / 1e6
	est.Express = per.Express * float64(n) / 1e6
	return est, nil
}
