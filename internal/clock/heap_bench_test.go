package clock

import (
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkVirtualChurn keeps about 2,000 events pending (a pipeline's
// timers at 500 orders/s) and runs one and schedules one per iteration.
func BenchmarkVirtualChurn(b *testing.B) {
	v := NewVirtual(Epoch)
	r := rand.New(rand.NewPCG(1, 2))
	var f func()
	f = func() { v.Schedule(time.Duration(r.Int64N(int64(4*time.Second))), f) }
	for i := 0; i < 2000; i++ {
		v.Schedule(time.Duration(r.Int64N(int64(4*time.Second))), f)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v.Step()
	}
}
