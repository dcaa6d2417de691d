package awsops

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
)

func TestSubmitAndCopyRedriveOnLocalSQS(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		name := "standard"
		if fifo {
			name = "fifo"
		}
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			local := startSQS(t)
			c := awstest.SQS(local.URL, nil)
			src, dlq := createPipelineQueues(t, ctx, c, "orders", fifo)

			res, err := Submit(ctx, c, SubmitOptions{Queue: src, Orders: orders(25), Concurrency: 3, Sleep: noSleep})
			if err != nil {
				t.Fatal(err)
			}
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
			drain(t, ctx, c, src)

			msgs := deadLetters(12, fifo)
			seed(t, ctx, c, dlq, msgs)
			want := map[string]int{}
			for _, m := range msgs {
				want[fingerprint(m.body, m.attrs)]++
			}
			// FIFO: the dedup window of the original sends must be over.
			now := func() time.Time { return time.Now().Add(10 * time.Minute) }
			local.Clock.Skip(10 * time.Minute)
			j, _, err := OpenJournal(journalPath(t), dlq.URL)
			if err != nil {
				t.Fatal(err)
			}
			rr, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, EmptyReceives: 2, Sleep: noSleep, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			j.Close(true)
			if rr.Moved != 12 || rr.Failed != 0 || rr.Strategy != StrategyCopy {
				t.Fatalf("%+v", rr)
			}
			if local.Count(dlq.Name) != 0 {
				t.Fatalf("DLQ still holds %d", local.Count(dlq.Name))
			}
			got := drain(t, ctx, c, src)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("moved messages differ (-want +got):\n%s", diff)
			}
		})
	}
}
