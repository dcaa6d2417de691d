package sim

import (
	"context"
	"testing"
	"time"
)

// BenchmarkSimulatedOrders runs one simulated minute at 500/s with a
// StartExecution quota that keeps up, so every order goes through the full
// saga, and reports simulated orders per second of wall time.
func BenchmarkSimulatedOrders(b *testing.B) {
	sc := Defaults()
	sc.Arrivals.Rate = 500
	sc.Arrivals.Duration = Duration(time.Minute)
	sc.StepFunctions.StartRate = 2000
	b.ReportAllocs()
	var orders int64
	for i := 0; i < b.N; i++ {
		r, err := Run(context.Background(), sc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		orders += r.Orders.Succeeded + r.Orders.Failed
	}
	b.ReportMetric(float64(orders)/b.Elapsed().Seconds(), "orders/s")
}
