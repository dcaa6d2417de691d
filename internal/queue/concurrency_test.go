package queue

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// delivery records one receive of a message as the consumer saw it: the
// receive happened between before and after.
type seen struct {
	before, after time.Time
	vt            time.Duration
	deleted       bool
}

// Many goroutines send, long-poll, delete and sometimes abandon messages on
// the real clock (run it with -race). Every message is delivered, none is
// lost, none is delivered while a previous delivery's visibility timeout
// still runs, and the counters add up.
func TestConcurrentSendReceiveDelete(t *testing.T) {
	const producers, consumers = 8, 8
	const vt = time.Second
	perProducer := 1500
	if testing.Short() {
		perProducer = 300
	}
	b := New(Options{})
	defer b.Close()
	for _, fifo := range []bool{false, true} {
		// A FIFO group is blocked while one of its messages is abandoned, so
		// the FIFO queue gets more groups and fewer abandoned messages.
		name, attrs, abandon := "std", map[string]string{}, 13
		if fifo {
			name, attrs, abandon = "f.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"}, 401
		}
		t.Run(name, func(t *testing.T) {
			q := mustCreate(t, b, name, attrs)
			var mu sync.Mutex
			log := map[string][]seen{}
			total := producers * perProducer
			var wg sync.WaitGroup
			for p := range producers {
				wg.Go(func() {
					for i := 0; i < perProducer; {
						if i%3 == 0 && i+10 <= perProducer {
							var es []SendBatchEntry
							for j := range 10 {
								es = append(es, SendBatchEntry{ID: fmt.Sprint(j), SendInput: SendInput{Body: fmt.Sprintf("p%d-%d", p, i+j), MessageGroupID: fmt.Sprint("g", (i+j)%64)}})
							}
							out, err := q.SendBatch(es)
							if err != nil || len(out.Failed) > 0 {
								t.Errorf("batch: %v %+v", err, out.Failed)
								return
							}
							i += 10
							continue
						}
						if _, err := q.Send(SendInput{Body: fmt.Sprintf("p%d-%d", p, i), MessageGroupID: fmt.Sprint("g", i%64)}); err != nil {
							t.Error(err)
							return
						}
						i++
					}
				})
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var done sync.WaitGroup
			deleted := 0
			for c := range consumers {
				done.Go(func() {
					n := 0
					for ctx.Err() == nil {
						before := time.Now()
						ms, err := q.ReceiveWait(ctx, ReceiveInput{MaxNumberOfMessages: 10, WaitTimeSeconds: ptr(1), VisibilityTimeout: ptr(int(vt / time.Second))})
						afterT := time.Now()
						if err != nil {
							if ctx.Err() == nil {
								t.Error(err)
							}
							return
						}
						var del []DeleteBatchEntry
						mu.Lock()
						for _, m := range ms {
							n++
							// Abandon some (they come back after vt).
							keep := n%abandon == c
							log[m.Body] = append(log[m.Body], seen{before: before, after: afterT, vt: vt, deleted: !keep})
							if !keep {
								del = append(del, DeleteBatchEntry{ID: fmt.Sprint(len(del)), ReceiptHandle: m.ReceiptHandle})
							}
						}
						mu.Unlock()
						if len(del) > 0 {
							out, err := q.DeleteBatch(del)
							if err != nil || len(out.Failed) > 0 {
								t.Errorf("delete: %v %+v", err, out.Failed[0])
								cancel()
								return
							}
							mu.Lock()
							deleted += len(out.Successful)
							if deleted == total {
								cancel()
							}
							mu.Unlock()
						}
					}
				})
			}
			wg.Wait()
			select {
			case <-ctx.Done():
			case <-time.After(60 * time.Second):
				cancel()
				t.Errorf("not every message was deleted within a minute: %+v %v", q.Stats(), checkInvariants(q))
			}
			done.Wait()
			mu.Lock()
			defer mu.Unlock()
			if len(log) != total {
				t.Fatalf("%d distinct messages delivered, %d sent", len(log), total)
			}
			for body, ds := range log {
				if !ds[len(ds)-1].deleted {
					t.Fatalf("%s: last delivery not deleted", body)
				}
				for i := 1; i < len(ds); i++ {
					// The next receive cannot have ended before the previous
					// one began plus the visibility timeout.
					if ds[i].after.Before(ds[i-1].before.Add(ds[i-1].vt)) {
						t.Fatalf("%s delivered while invisible: %+v", body, ds)
					}
				}
			}
			s := q.Stats()
			if s.Sent != int64(total) || s.Deleted != int64(total) || s.Visible+s.InFlight+s.Delayed != 0 {
				t.Fatalf("stats %+v", s)
			}
			if err := checkInvariants(q); err != nil {
				t.Fatal(err)
			}
		})
	}
}
