package sim

import (
	"math"
	"math/rand/v2"
	"time"
)

// arrivalStream is the second word of the arrivals' PCG seed: the model
// and Schedule draw the same times from a scenario's seed.
const arrivalStream = 0xa441

// segment is one phase of the arrival schedule: the rate goes linearly from
// a to b (per second) over length, starting at start.
type segment struct {
	start, length time.Duration
	a, b          float64
	mass          float64 // expected arrivals before this segment
}

// Arrivals yields arrival times. The arrival process is a time change of a
// unit-rate process: with Λ(t) the expected number of arrivals by t, the
// k-th arrival is at Λ⁻¹(m_k), where m_k grows by 1 for a constant process
// (evenly spaced at the current rate) and by an Exp(1) draw for a Poisson
// process. Ramps are exact: Λ is quadratic within a linear phase.
type arrivalSource struct {
	segs    []segment
	total   float64 // Λ at the end
	poisson bool
	rng     *rand.Rand
	m       float64
	seg     int
}

func newArrivals(s *Scenario, rng *rand.Rand) *arrivalSource {
	src := &arrivalSource{poisson: s.Arrivals.Process == "poisson", rng: rng}
	var at time.Duration
	add := func(length time.Duration, a, b float64) {
		sg := segment{start: at, length: length, a: a, b: b, mass: src.total}
		src.segs = append(src.segs, sg)
		src.total += (a + b) / 2 * length.Seconds()
		at += length
	}
	if len(s.Arrivals.Phases) == 0 {
		r := s.Arrivals.Rate.PerSecond()
		add(s.Arrivals.Duration.D(), r, r)
	}
	for _, p := range s.Arrivals.Phases {
		if p.Rate != nil {
			add(p.For.D(), p.Rate.PerSecond(), p.Rate.PerSecond())
		} else {
			add(p.For.D(), p.From.PerSecond(), p.To.PerSecond())
		}
	}
	return src
}

// expected returns Λ(t), the expected number of arrivals by t.
func (src *arrivalSource) expected(t time.Duration) float64 {
	for i := len(src.segs) - 1; i >= 0; i-- {
		sg := src.segs[i]
		if t < sg.start {
			continue
		}
		u := min(t-sg.start, sg.length).Seconds()
		L := sg.length.Seconds()
		return sg.mass + sg.a*u + (sg.b-sg.a)*u*u/(2*L)
	}
	return 0
}

// rateAt returns the offered rate at t.
func (src *arrivalSource) rateAt(t time.Duration) float64 {
	for _, sg := range src.segs {
		if t >= sg.start && t < sg.start+sg.length {
			return sg.a + (sg.b-sg.a)*(t-sg.start).Seconds()/sg.length.Seconds()
		}
	}
	return 0
}

// next returns the time of the next arrival, or false when the schedule
// is over.
func (src *arrivalSource) next() (time.Duration, bool) {
	if src.poisson {
		src.m += src.rng.ExpFloat64()
	} else {
		src.m++
	}
	if src.m > src.total {
		return 0, false
	}
	for src.seg < len(src.segs)-1 && src.m > src.segs[src.seg+1].mass {
		src.seg++
	}
	sg := src.segs[src.seg]
	need := src.m - sg.mass
	L := sg.length.Seconds()
	var u float64
	if k := (sg.b - sg.a) / L; math.Abs(k) < 1e-12 {
		u = need / sg.a
	} else {
		// k/2 u² + a u − need = 0, the root in [0, L].
		u = (-sg.a + math.Sqrt(sg.a*sg.a+2*k*need)) / k
	}
	u = math.Min(math.Max(u, 0), L)
	return sg.start + time.Duration(u*float64(time.Second)), true
}

// Schedule is a scenario's arrival schedule for code outside the model
// (yafdp load paces real orders by it): the same times, from the same
// seed, as the simulation's arrivals.
type Schedule struct {
	src *arrivalSource
}

// NewSchedule returns the arrival schedule of s, drawn as Run draws it.
func NewSchedule(s *Scenario) *Schedule {
	return &Schedule{src: newArrivals(s, rand.New(rand.NewPCG(s.Seed, arrivalStream)))}
}

// Next returns the offset from the start of the next arrival, or false
// when the schedule is over.
func (sc *Schedule) Next() (time.Duration, bool) { return sc.src.next() }

// Expected returns how many arrivals the schedule expects by t.
func (sc *Schedule) Expected(t time.Duration) float64 { return sc.src.expected(t) }

// RateAt returns the offered rate per second at t.
func (sc *Schedule) RateAt(t time.Duration) float64 { return sc.src.rateAt(t) }
