package clock

import (
	"fmt"
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
