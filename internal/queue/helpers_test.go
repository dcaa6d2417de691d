package queue

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

func ptr[T any](v T) *T { return &v }

func newVirtualBroker() (*Broker, *clock.Virtual) {
	clk := clock.NewVirtual(clock.Epoch)
	return New(Options{Clock: clk, Source: rand.NewPCG(1, 2)}), clk
}

func mustCreate(t testing.TB, b *Broker, name string, attrs map[string]string) *Queue {
	t.Helper()
	q, err := b.CreateQueue(name, attrs, nil)
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return q
}

func mustSend(t testing.TB, q *Queue, in SendInput) SendOutput {
	t.Helper()
	out, err := q.Send(in)
	if err != nil {
		t.Fatalf("Send %q: %v", in.Body, err)
	}
	return out
}

func mustReceive(t testing.TB, q *Queue, in ReceiveInput) []Message {
	t.Helper()
	ms, err := q.Receive(in)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return ms
}

func bodies(ms []Message) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Body)
	}
	return s
}

func wantErr(t testing.TB, err, kind error, what string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got %v, want %v", what, err, kind)
	}
}

// after advances the virtual clock.
func after(clk *clock.Virtual, d time.Duration) { clk.Advance(d) }

func newVirtualClock() *clock.Virtual { return clock.NewVirtual(clock.Epoch) }
