package submit

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/awsfault"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/rate"
)

// plan is NewPlan for orders that must be valid.
func plan(t testing.TB, q awsops.Queue, orders []order.Order) *Plan {
	t.Helper()
	p, err := NewPlan(q, orders)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Orders land on a standard or FIFO queue with their attributes and, on
// FIFO, the customer as group and the order as deduplication id.
func TestSubmitOnLocalSQS(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "fifo"}[fifo], func(t *testing.T) {
			ctx := opstest.Ctx(t)
			local := opstest.StartSQS(t)
			c := awstest.SQS(local.URL, nil)
			src, _ := opstest.CreatePipelineQueues(t, ctx, c, "orders", fifo)
			res := Submit(ctx, c, src.URL, plan(t, src, opstest.Orders(25)), Options{Concurrency: 3, Sleep: opstest.NoSleep})
			if res.Sent != 25 || res.Failed != 0 {
				t.Fatalf("sent %d failed %d", res.Sent, res.Failed)
			}
			stored := local.Messages(src.Name)
			if len(stored) != 25 {
				t.Fatalf("queue holds %d messages", len(stored))
			}
			for _, m := range stored {
				if fifo && (!strings.Contains(m.Body, `"customerId":"`+m.GroupID+`"`) || !strings.Contains(m.Body, `"orderId":"`+m.DedupID+`"`)) {
					t.Fatalf("FIFO ids: group %q dedup %q for %s", m.GroupID, m.DedupID, m.Body)
				}
				if m.Attributes[AttrSchemaVersion].StringValue != "1" || !strings.HasPrefix(m.Attributes[AttrTraceID].StringValue, "1-") {
					t.Fatalf("attributes %+v", m.Attributes)
				}
			}
		})
	}
}

// The plan checks every order once, before anything is sent, and says
// which order is wrong.
func TestPlanRefusesInvalidAndDuplicateOrders(t *testing.T) {
	orders := opstest.Orders(3)
	orders[2].OrderID = orders[0].OrderID
	if _, err := NewPlan(awsops.Queue{Name: "orders"}, orders); err == nil || err.Error() != fmt.Sprintf("order 3 (%s): orderId: %q is also order 1; an order id is the idempotency key and must be unique", orders[0].OrderID, orders[0].OrderID) {
		t.Fatalf("duplicate: %v", err)
	}
	orders = opstest.Orders(2)
	orders[1].Items[0].Qty = 0
	if _, err := NewPlan(awsops.Queue{Name: "orders"}, orders); !strings.Contains(fmt.Sprint(err), "order 2 (") || !strings.Contains(fmt.Sprint(err), "qty: must be >= 1") {
		t.Fatalf("invalid: %v", err)
	}
	p := plan(t, awsops.Queue{Name: "orders.fifo", FIFO: true}, opstest.Orders(25))
	if last := p.Messages[24]; last.Batch != 3 || last.GroupID != p.Orders[24].CustomerID || last.DedupID != p.Orders[24].OrderID {
		t.Fatalf("plan %+v", last)
	}
}

// Submit under failing calls and failing batch entries: every order is
// sent exactly once, with the MessageId the queue holds it under.
func TestSubmitUnderFaults(t *testing.T) {
	ctx := opstest.Ctx(t)
	local := opstest.StartSQS(t)
	ft := awsfault.New(nil, 11)
	ft.Ops = []string{"SendMessageBatch"}
	ft.CallFailRate, ft.EntryFailRate = 0.2, 0.3
	c := awstest.SQS(local.URL, ft)
	src, _ := opstest.CreatePipelineQueues(t, ctx, c, "orders", false)
	os := opstest.Orders(300)
	res := Submit(ctx, c, src.URL, plan(t, src, os), Options{Concurrency: 4, Sleep: opstest.NoSleep, MaxAttempts: 20})
	st := ft.Stats()
	t.Logf("injected: %d failed calls, %d failed entries; submit made %d calls, %d retries", st.FailedCalls, st.FailedEntries, res.Calls, res.Retries)
	if st.FailedCalls == 0 || st.FailedEntries == 0 {
		t.Fatal("no faults were injected")
	}
	if res.Sent != 300 || res.Failed != 0 {
		t.Fatalf("sent %d failed %d", res.Sent, res.Failed)
	}
	stored := local.Messages(src.Name)
	if len(stored) != 300 {
		t.Fatalf("the queue holds %d messages, want exactly 300", len(stored))
	}
	byID := map[string]string{}
	for _, m := range stored {
		byID[m.ID] = m.Body
	}
	for i, o := range res.Orders {
		if body, ok := byID[o.MessageID]; !ok || !strings.Contains(body, `"orderId":"`+os[i].OrderID+`"`) {
			t.Fatalf("order %s reported as %s, which the queue does not hold", o.OrderID, o.MessageID)
		}
	}
}

// When the answer to a SendMessageBatch is lost after SQS applied it, the
// caller cannot know: the order is sent again (at least once, never lost),
// and the saga's idempotency on orderId absorbs the duplicate.
func TestSubmitLostAnswersDuplicateNeverLose(t *testing.T) {
	ctx := opstest.Ctx(t)
	local := opstest.StartSQS(t)
	ft := awsfault.New(nil, 5)
	ft.Ops = []string{"SendMessageBatch"}
	ft.LostResponseRate = 0.2
	c := awstest.SQS(local.URL, ft)
	src, _ := opstest.CreatePipelineQueues(t, ctx, c, "orders", false)
	res := Submit(ctx, c, src.URL, plan(t, src, opstest.Orders(200)), Options{Concurrency: 4, Sleep: opstest.NoSleep, MaxAttempts: 20})
	if res.Sent != 200 {
		t.Fatalf("sent %d", res.Sent)
	}
	counts := map[string]int{}
	for _, m := range local.Messages(src.Name) {
		counts[m.Body]++
	}
	dups := 0
	for _, n := range counts {
		dups += n - 1
	}
	st := ft.Stats()
	t.Logf("%d answers lost (%d entries applied unseen), %d duplicates", st.LostResponses, st.LostSendEntries, dups)
	if len(counts) != 200 {
		t.Fatalf("%d distinct orders in the queue, want 200", len(counts))
	}
	if dups > st.LostSendEntries {
		t.Fatalf("%d duplicates, more than the %d entries whose answer was lost", dups, st.LostSendEntries)
	}
}

// Ctrl-C during a submission: calls in flight finish, the orders not yet
// sent are listed as such, and nothing is reported sent that was not.
func TestSubmitInterrupted(t *testing.T) {
	ctx := opstest.Ctx(t)
	local := opstest.StartSQS(t)
	c := awstest.SQS(local.URL, nil)
	src, _ := opstest.CreatePipelineQueues(t, ctx, c, "orders", false)
	runCtx, cancel := context.WithCancel(ctx)
	limit, _ := rate.ParseLimit("200/s")
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	res := Submit(runCtx, c, src.URL, plan(t, src, opstest.Orders(400)), Options{Concurrency: 2, Rate: limit})
	if res.Sent == 0 || res.Failed == 0 || res.Sent+res.Failed != 400 {
		t.Fatalf("sent %d failed %d", res.Sent, res.Failed)
	}
	if n := local.Count(src.Name); n != res.Sent {
		t.Fatalf("queue holds %d, %d reported sent", n, res.Sent)
	}
	for _, o := range res.Orders {
		if o.Status == StatusFailed && o.Error != "not sent: interrupted" {
			t.Fatalf("%+v", o)
		}
	}
}

// The throughput benchmark runs against the SQS endpoint of yafdp local
// up (internal/local/sqsapi over the queue model), in process over real
// HTTP on 127.0.0.1 (moto manages about 14 batch calls a second, far below
// what is measured here). It measures yafdp's side: encoding, batching,
// signing, HTTP; a real SQS adds its own latency per call, which more
// calls in flight hide.
func BenchmarkSubmit(b *testing.B) {
	const n = 2000
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			ctx := context.Background()
			local := opstest.StartSQS(b)
			c := awstest.SQS(local.URL, nil)
			os := opstest.Orders(n)
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				name := fmt.Sprintf("orders-%d", i)
				q := awsops.Queue{URL: local.CreateQueue(name, nil), Name: name}
				b.StartTimer()
				start := time.Now()
				res := Submit(ctx, c, q.URL, plan(b, q, os), Options{Concurrency: conc})
				elapsed += time.Since(start)
				if res.Sent != n {
					b.Fatalf("%+v", res)
				}
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "orders/s")
		})
	}
}
