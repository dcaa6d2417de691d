package sim

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/rate"
)

func rp(n float64) *rate.Rate { r := rate.PerSecond(n); return &r }

func scenarioWith(process string, phases ...Phase) *Scenario {
	s := Defaults()
	s.Arrivals.Process = process
	s.Arrivals.Phases = phases
	return &s
}

func collect(src *arrivalSource) []time.Duration {
	var out []time.Duration
	for {
		t, ok := src.next()
		if !ok {
			return out
		}
		out = append(out, t)
	}
}

func TestConstantArrivalsAreEvenlySpaced(t *testing.T) {
	s := scenarioWith("constant", Phase{For: Duration(10 * time.Second), Rate: rp(500)})
	ts := collect(newArrivals(s, rand.New(rand.NewPCG(1, 1))))
	if len(ts) != 5000 {
		t.Fatalf("%d arrivals in 10 s at 500/s, want 5000", len(ts))
	}
	for i := 1; i < len(ts); i++ {
		if gap := ts[i] - ts[i-1]; gap < 1999*time.Microsecond || gap > 2001*time.Microsecond {
			t.Fatalf("gap %d is %v, want 2ms", i, gap)
		}
	}
}

func TestPoissonArrivalsHaveTheRightMeanAndSpread(t *testing.T) {
	s := scenarioWith("poisson", Phase{For: Duration(1000 * time.Second), Rate: rp(100)})
	ts := collect(newArrivals(s, rand.New(rand.NewPCG(7, 7))))
	n := float64(len(ts))
	// 100,000 expected; a Poisson count has standard deviation √100,000 ≈ 316.
	if math.Abs(n-100000) > 5*316 {
		t.Fatalf("%v arrivals, want about 100,000", n)
	}
	// Exponential gaps: the coefficient of variation is 1.
	var sum, sq float64
	for i := 1; i < len(ts); i++ {
		g := (ts[i] - ts[i-1]).Seconds()
		sum += g
		sq += g * g
	}
	mean := sum / (n - 1)
	cv := math.Sqrt(sq/(n-1)-mean*mean) / mean
	if math.Abs(cv-1) > 0.03 {
		t.Fatalf("coefficient of variation %.3f, want 1 for exponential gaps", cv)
	}
}

func TestRampArrivalsFollowTheLine(t *testing.T) {
	// 50/s to 1,500/s over 10 minutes: (50+1500)/2 × 600 = 465,000 arrivals,
	// and the second half of the ramp carries (775+1500)/2 × 300 = 341,250.
	s := scenarioWith("constant", Phase{For: Duration(10 * time.Minute), From: rp(50), To: rp(1500)})
	ts := collect(newArrivals(s, rand.New(rand.NewPCG(1, 1))))
	if len(ts) != 465000 {
		t.Fatalf("%d arrivals, want 465000", len(ts))
	}
	second := 0
	for _, at := range ts {
		if at >= 5*time.Minute {
			second++
		}
	}
	if math.Abs(float64(second)-341250) > 2 {
		t.Fatalf("%d arrivals in the second half, want 341,250", second)
	}
}

func TestPhasesRunInOrderAndSpikesCount(t *testing.T) {
	s := scenarioWith("constant",
		Phase{For: Duration(time.Minute), Rate: rp(100)},
		Phase{For: Duration(30 * time.Second), Rate: rp(5000)},
		Phase{For: Duration(time.Minute), Rate: rp(0)},
		Phase{For: Duration(time.Minute), Rate: rp(100)})
	src := newArrivals(s, rand.New(rand.NewPCG(1, 1)))
	ts := collect(src)
	if want := 6000 + 150000 + 0 + 6000; len(ts) != want {
		t.Fatalf("%d arrivals, want %d", len(ts), want)
	}
	for _, at := range ts {
		if at > 90*time.Second && at < 150*time.Second {
			t.Fatalf("an arrival at %v, inside the idle phase", at)
		}
	}
	if r := src.rateAt(100 * time.Second); r != 0 {
		t.Fatalf("rate in the idle phase %v", r)
	}
	if r := src.rateAt(70 * time.Second); r != 5000 {
		t.Fatalf("rate in the spike %v", r)
	}
}
