package queue_test

import (
	"context"
	"fmt"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/queue"
)

// On the virtual clock a consumer never polls: it watches the queue and
// receives when told, and time costs nothing.
func Example_virtualClock() {
	clk := clock.NewVirtual(clock.Epoch)
	b := queue.New(queue.Options{Clock: clk})
	dlq, _ := b.CreateQueue("orders-dlq", nil, nil)
	q, _ := b.CreateQueue("orders", map[string]string{
		"VisibilityTimeout": "30",
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + dlq.ARN() + `","maxReceiveCount":3}`,
	}, nil)

	// A consumer that never deletes: each delivery comes back after 30 s.
	q.Watch(func() {
		for _, m := range must(q.Receive(queue.ReceiveInput{MaxNumberOfMessages: 10})) {
			fmt.Printf("%v: %s, receive %d\n", clk.Now().Sub(clock.Epoch), m.Body, m.ReceiveCount)
		}
	})
	clk.AfterFunc(5*time.Second, func() { _, _ = q.Send(queue.SendInput{Body: "ord_1"}) })
	clk.Run()
	fmt.Println("in the DLQ:", dlq.Stats().Visible)
	// Output:
	// 5s: ord_1, receive 1
	// 35s: ord_1, receive 2
	// 1m5s: ord_1, receive 3
	// in the DLQ: 1
}

// On the real clock an endpoint's handler long-polls with ReceiveWait.
func Example_realClock() {
	b := queue.New(queue.Options{BaseURL: "http://127.0.0.1:4566"})
	defer b.Close()
	q, _ := b.CreateQueue("orders", nil, nil)
	go func() {
		time.Sleep(10 * time.Millisecond)
		_, _ = q.Send(queue.SendInput{Body: "ord_1"})
	}()
	wait := 20
	ms, _ := q.ReceiveWait(context.Background(), queue.ReceiveInput{WaitTimeSeconds: &wait})
	fmt.Println(q.URL(), ms[0].Body, ms[0].MD5OfBody())
	// Output: http://127.0.0.1:4566/000000000000/orders ord_1 4ef88dce0d5cd4bf2c4b4b4d628136fa
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
