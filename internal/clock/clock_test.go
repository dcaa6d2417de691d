package clock

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestVirtualRunsInTimeOrderAndFIFOAtTies(t *testing.T) {
	v := NewVirtual(Epoch)
	var got []string
	v.AfterFunc(30*time.Second, func() { got = append(got, "c") })
	v.AfterFunc(time.Second, func() { got = append(got, "a") })
	v.AfterFunc(time.Second, func() {
		got = append(got, "b")
		v.AfterFunc(0, func() { got = append(got, "b2") })
	})
	v.Run()
	want := []string{"a", "b", "b2", "c"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if d := v.Now().Sub(Epoch); d != 30*time.Second {
		t.Fatalf("virtual time advanced %v, want 30s", d)
	}
}

func TestVirtualStop(t *testing.T) {
	v := NewVirtual(Epoch)
	ran := false
	tm := v.AfterFunc(time.Minute, func() { ran = true })
	if v.Pending() != 1 {
		t.Fatalf("pending = %d, want 1", v.Pending())
	}
	if !tm.Stop() {
		t.Fatal("Stop of a pending timer returned false")
	}
	if tm.Stop() {
		t.Fatal("second Stop returned true")
	}
	v.Run()
	if ran {
		t.Fatal("stopped function ran")
	}
	if !v.Now().Equal(Epoch) {
		t.Fatalf("a stopped timer moved time to %v", v.Now())
	}
}

func TestVirtualRunUntil(t *testing.T) {
	v := NewVirtual(Epoch)
	n := 0
	for i := 1; i <= 10; i++ {
		v.AfterFunc(time.Duration(i)*time.Second, func() { n++ })
	}
	v.RunUntil(Epoch.Add(5 * time.Second))
	if n != 5 {
		t.Fatalf("ran %d functions by t=5s, want 5", n)
	}
	v.Advance(100 * time.Second)
	if n != 10 || !v.Now().Equal(Epoch.Add(105*time.Second)) {
		t.Fatalf("n=%d now=%v", n, v.Now().Sub(Epoch))
	}
}

func TestRealAfterFunc(t *testing.T) {
	done := make(chan struct{})
	Real{}.AfterFunc(0, func() { close(done) })
	<-done
}

func TestVirtualHeapOrderUnderChurn(t *testing.T) {
	eachVirtual(t, func(t *testing.T, v *Virtual) {
		var got []int
		// Schedule in a scrambled order, with ties and stops.
		var timers []Timer
		for i := 0; i < 2000; i++ {
			i := i
			d := time.Duration((i*7919)%500) * time.Millisecond
			timers = append(timers, v.AfterFunc(d, func() { got = append(got, i) }))
		}
		for i := 0; i < 2000; i += 3 {
			timers[i].Stop()
		}
		v.Run()
		last := time.Duration(-1)
		lastIdx := -1
		for _, i := range got {
			if i%3 == 0 {
				t.Fatalf("stopped timer %d ran", i)
			}
			d := time.Duration((i*7919)%500) * time.Millisecond
			if d < last || (d == last && i < lastIdx) {
				t.Fatalf("timer %d (%v) ran after %d (%v)", i, d, lastIdx, last)
			}
			last, lastIdx = d, i
		}
		if want := 2000 - 667; len(got) != want {
			t.Fatalf("%d ran, want %d", len(got), want)
		}
	})
}

// Schedule's events run in the same (time, FIFO) order as AfterFunc's, and
// are reused once they ran without disturbing Timers still pending.
func TestVirtualScheduleReusesEventsInOrder(t *testing.T) {
	eachVirtual(t, func(t *testing.T, v *Virtual) {
		var got []int
		stopped := v.AfterFunc(3*time.Second, func() { got = append(got, -1) })
		for round := 0; round < 3; round++ {
			for i := 0; i < 5; i++ {
				d := time.Duration(5-i) * time.Millisecond
				v.Schedule(d, func() { got = append(got, round*10+i) })
			}
			v.AfterFunc(time.Millisecond, func() { got = append(got, round*10+9) })
			v.Advance(10 * time.Millisecond)
		}
		if !stopped.Stop() {
			t.Fatal("the AfterFunc timer should still be pending")
		}
		v.Run()
		want := []int{4, 9, 3, 2, 1, 0, 14, 19, 13, 12, 11, 10, 24, 29, 23, 22, 21, 20}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("ran %v, want %v", got, want)
		}
	})
}

// StepBefore runs nothing due after its limit.
func TestVirtualStepBefore(t *testing.T) {
	v := NewVirtual(Epoch)
	ran := 0
	v.Schedule(time.Second, func() { ran++ })
	v.Schedule(2*time.Second, func() { ran++ })
	for v.StepBefore(Epoch.Add(time.Second)) {
	}
	if ran != 1 || v.Now() != Epoch.Add(time.Second) {
		t.Fatalf("ran %d, now %v", ran, v.Now())
	}
	if !v.StepBefore(time.Time{}) || ran != 2 {
		t.Fatalf("a zero limit runs anything pending")
	}
}

// StepDue counts its limit from the clock's start, not from Now.
func TestVirtualStepDue(t *testing.T) {
	v := NewVirtual(Epoch.Add(time.Hour))
	ran := 0
	v.Schedule(time.Second, func() { ran++ })
	v.Schedule(3*time.Second, func() { ran++ })
	v.Advance(time.Second / 2)
	for v.StepDue(2 * time.Second) {
	}
	if ran != 1 || v.Elapsed() != time.Second {
		t.Fatalf("ran %d, elapsed %v; want 1 and 1s", ran, v.Elapsed())
	}
}

func TestVirtualJump(t *testing.T) {
	v := NewVirtual(Epoch)
	var ran []string
	v.Schedule(2*time.Second, func() { ran = append(ran, "at 2s") })
	if !v.Jump(Epoch.Add(time.Second)) {
		t.Fatal("Jump to 1s refused with the first function due at 2s")
	}
	if got := v.Now(); !got.Equal(Epoch.Add(time.Second)) {
		t.Fatalf("Now = %v after Jump to 1s", got.Sub(Epoch))
	}
	// An event injected at Now runs relative to the new time.
	v.Schedule(500*time.Millisecond, func() { ran = append(ran, "at 1.5s") })
	if !v.Jump(Epoch.Add(time.Second)) {
		t.Fatal("Jump to Now refused")
	}
	if v.Jump(Epoch.Add(1600 * time.Millisecond)) {
		t.Fatal("Jump past a due function (1.5s) allowed")
	}
	if v.Jump(Epoch) {
		t.Fatal("Jump backwards allowed")
	}
	v.Run()
	if len(ran) != 2 || ran[0] != "at 1.5s" || ran[1] != "at 2s" {
		t.Fatalf("ran %v", ran)
	}
	if !v.Jump(Epoch.Add(2 * time.Second)) {
		t.Fatal("Jump to the time of the function that just ran refused")
	}
}

// eachVirtual runs test on a new virtual clock, then on a Solo one: a Solo
// clock behaves the same when one goroutine uses it.
func eachVirtual(t *testing.T, test func(t *testing.T, v *Virtual)) {
	t.Run("locked", func(t *testing.T) { test(t, NewVirtual(Epoch)) })
	t.Run("solo", func(t *testing.T) {
		v := NewVirtual(Epoch)
		v.Solo()
		test(t, v)
	})
}

// TestVirtualWheelAndHeapRunInOrder: events due within the wheel's reach
// and past it, many at the same instant, some stopped before they come up
// and some scheduled while others run, all run in (due time, scheduling)
// order, exactly as a sorted list of them says; Pending counts the ones
// left. Seeded, so a failure repeats.
func TestVirtualWheelAndHeapRunInOrder(t *testing.T) {
	eachVirtual(t, func(t *testing.T, v *Virtual) {
		rng := rand.New(rand.NewPCG(7, 11))
		type ref struct {
			at   int64 // due, in ns after Epoch
			seq  int
			stop Timer
		}
		var want []ref // every event scheduled, in scheduling order
		var got []int
		seq := 0
		delay := func() time.Duration {
			switch rng.IntN(4) {
			case 0:
				return 0 // at Now: ties
			case 1:
				return time.Duration(rng.IntN(5)) * time.Millisecond // a few buckets, ties
			case 2:
				return time.Duration(rng.Int64N(int64(3 * time.Second))) // in the wheel
			}
			return time.Duration(rng.Int64N(int64(30 * time.Second))) // mostly past it
		}
		var add func(depth int)
		add = func(depth int) {
			d := delay()
			n := seq
			seq++
			at := int64(v.Elapsed() + d)
			f := func() {
				got = append(got, n)
				if depth < 3 && rng.IntN(3) == 0 {
					add(depth + 1)
					add(depth + 1)
				}
			}
			var tm Timer
			if rng.IntN(2) == 0 {
				tm = v.AfterFunc(d, f)
			} else {
				v.Schedule(d, f)
			}
			want = append(want, ref{at: at, seq: n, stop: tm})
		}
		stopped := map[int]bool{}
		for range 3000 {
			add(0)
		}
		for i := range want {
			if want[i].stop != nil && rng.IntN(5) == 0 {
				if !want[i].stop.Stop() {
					t.Fatalf("Stop of pending event %d reported false", i)
				}
				stopped[i] = true
			}
		}
		if p := v.Pending(); p != 3000-len(stopped) {
			t.Fatalf("Pending = %d, want %d", p, 3000-len(stopped))
		}
		// Run half the time, stop some more of what is left, run the rest.
		v.Advance(15 * time.Second)
		for i := range want {
			if want[i].stop != nil && !stopped[i] && !slices.Contains(got, i) && rng.IntN(4) == 0 {
				if !want[i].stop.Stop() {
					t.Fatalf("Stop of pending event %d reported false", i)
				}
				stopped[i] = true
			}
		}
		v.Run()
		if p := v.Pending(); p != 0 {
			t.Fatalf("Pending = %d after Run", p)
		}
		var order []ref
		for _, r := range want {
			if !stopped[r.seq] {
				order = append(order, r)
			}
		}
		slices.SortStableFunc(order, func(a, b ref) int {
			if a.at != b.at {
				if a.at < b.at {
					return -1
				}
				return 1
			}
			return a.seq - b.seq
		})
		wantSeqs := make([]int, len(order))
		for i, r := range order {
			wantSeqs[i] = r.seq
		}
		if !slices.Equal(got, wantSeqs) {
			t.Fatalf("ran %d events, want %d; first difference at %d", len(got), len(wantSeqs), firstDiff(got, wantSeqs))
		}
	})
}

func firstDiff(a, b []int) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
