package logsapi

import (
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// A group keeps at most MaxEventsPerGroup events and MaxBytesPerGroup
// bytes: the oldest go first, and each stream's counts follow.
func TestStoreBounds(t *testing.T) {
	s := New(clock.NewVirtual(time.Unix(1e9, 0)), "us-east-1", "123456789012")
	if err := s.CreateGroup("g"); err != nil {
		t.Fatal(err)
	}
	for i := range MaxEventsPerGroup + 10 {
		if err := s.PutLogEvent("g", "s", time.UnixMilli(int64(i)), "m"); err != nil {
			t.Fatal(err)
		}
	}
	g := s.groups["g"]
	if len(g.events) != MaxEventsPerGroup || g.events[0].ts != 10 || g.streams["s"].eventsNow != MaxEventsPerGroup {
		t.Fatalf("kept %d events, oldest %d", len(g.events), g.events[0].ts)
	}
	big := strings.Repeat("x", 1<<20)
	for i := range 70 {
		if err := s.PutLogEvent("g", "big", time.UnixMilli(int64(i)), big); err != nil {
			t.Fatal(err)
		}
	}
	if g.bytes > MaxBytesPerGroup || g.streams["s"].eventsNow != 0 {
		t.Errorf("%d bytes kept, %d small events", g.bytes, g.streams["s"].eventsNow)
	}
	if err := s.PutLogEvent("missing", "s", time.Now(), "m"); err == nil {
		t.Error("an event for a missing group")
	}
}

// SetGroupLimits bounds one group apart from the others.
func TestSetGroupLimits(t *testing.T) {
	s := New(clock.NewVirtual(time.Unix(1e9, 0)), "us-east-1", "123456789012")
	for _, g := range []string{"small", "other"} {
		if err := s.CreateGroup(g); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetGroupLimits("small", 5, 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := s.SetGroupLimits("missing", 5, 5); err == nil || err.Code != CodeResourceNotFound {
		t.Fatalf("a missing group: %v", err)
	}
	for i := range 8 {
		for _, g := range []string{"small", "other"} {
			if err := s.PutLogEvent(g, "s", time.UnixMilli(int64(i)), "m"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, m := len(s.groups["small"].events), len(s.groups["other"].events); n != 5 || m != 8 || s.groups["small"].events[0].ts != 3 {
		t.Fatalf("kept %d and %d events", n, m)
	}
}
