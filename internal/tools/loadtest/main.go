package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/local/sqsapi"
	"github.com/yafdp/yafdp/internal/queue"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// options are the flags.
type options struct {
	serve      string
	endpoint   string
	messages   int
	clients    int
	bodyBytes  int
	visibility int
	queueName  string
	idle       time.Duration
	jsonOut    bool
	cpuProfile string
}

func run(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.serve, "serve", "", "serve an SQS endpoint on this address (e.g. 127.0.0.1:0) instead of loading one; prints its URL")
	fs.StringVar(&o.endpoint, "endpoint", "", "the SQS endpoint to load, e.g. http://127.0.0.1:4566")
	fs.IntVar(&o.messages, "messages", 100_000, "messages to send, receive and delete")
	fs.IntVar(&o.clients, "clients", 64, "concurrent clients in each phase")
	fs.IntVar(&o.bodyBytes, "body-bytes", 256, "size of each message body")
	fs.IntVar(&o.visibility, "visibility", 30, "visibility timeout of the receives, in seconds")
	fs.StringVar(&o.queueName, "queue", "", "queue to use (created if missing, must be empty); a fresh name by default")
	fs.DurationVar(&o.idle, "idle-timeout", 30*time.Second, "give up when no message has been deleted for this long")
	fs.BoolVar(&o.jsonOut, "json", false, "print the result as JSON")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "with -serve: write the server's CPU profile to this file when interrupted")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.serve != "" {
		return serve(o.serve, o.cpuProfile, stdout, stderr)
	}
	if o.endpoint == "" || o.messages < 1 || o.clients < 1 || o.bodyBytes < 16 || o.visibility < 1 {
		fmt.Fprintln(stderr, "loadtest: -endpoint is required; -messages, -clients and -visibility must be at least 1, -body-bytes at least 16")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := load(ctx, o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 2
	}
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		res.print(stdout)
	}
	if len(res.Violations) > 0 {
		return 1
	}
	return 0
}

// serve runs sqsapi over a fresh broker until interrupted.
func serve(addr, cpuProfile string, stdout, stderr io.Writer) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 2
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	url := "http://" + ln.Addr().String()
	b := queue.New(queue.Options{BaseURL: url})
	srv := &http.Server{Handler: sqsapi.NewHandler(b), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintln(stdout, url)
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		b.Close()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 2
	}
	return 0
}

// result is what a run measured and found.
type result struct {
	Endpoint         string  `json:"endpoint"`
	Messages         int     `json:"messages"`
	Clients          int     `json:"clients"`
	BodyBytes        int     `json:"bodyBytes"`
	CPUs             int     `json:"cpus"`
	SendSeconds      float64 `json:"sendSeconds"`
	SendPerSecond    float64 `json:"sendPerSecond"`
	ReceiveSeconds   float64 `json:"receiveDeleteSeconds"`
	ReceivePerSecond float64 `json:"receiveDeletePerSecond"`
	SendCalls        int64   `json:"sendCalls"`
	SendRetries      int64   `json:"sendRetries"`
	FailedEntries    int64   `json:"failedSendEntries"`
	ReceiveCalls     int64   `json:"receiveCalls"`
	CallErrors       int64   `json:"callErrors"`
	FirstCallError   string  `json:"firstCallError,omitempty"`
	EmptyReceives    int64   `json:"emptyReceives"`
	DeleteCalls      int64   `json:"deleteCalls"`
	Deliveries       int64   `json:"deliveries"`
	Redeliveries     int64   `json:"redeliveries"`
	Deleted          int     `json:"deleted"`
	// FirstDeliveryDeletes are the messages deleted on their first
	// delivery; the throughput counts these.
	FirstDeliveryDeletes int64    `json:"firstDeliveryDeletes"`
	FailedReceives       int      `json:"failedReceives"`
	UnseenDeliveries     int      `json:"unseenDeliveries"`
	ExtraMessages        int      `json:"extraMessages"`
	Violations           []string `json:"violations"`
	violationsDropped    int
	mu                   sync.Mutex
}

// callError counts a failed call and keeps the first error.
func (r *result) callError(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.CallErrors++
	if r.FirstCallError == "" {
		r.FirstCallError = err.Error()
	}
}

func (r *result) violate(format string, args ...any) {
	if len(r.Violations) < 20 {
		r.Violations = append(r.Violations, fmt.Sprintf(format, args...))
	} else {
		r.violationsDropped++
	}
}

func (r *result) print(w io.Writer) {
	fmt.Fprintf(w, "endpoint        %s (%d CPUs here)\n", r.Endpoint, r.CPUs)
	fmt.Fprintf(w, "load            %d messages of %d bytes, %d clients\n", r.Messages, r.BodyBytes, r.Clients)
	fmt.Fprintf(w, "send            %8.0f messages/s  (%.2f s, %d SendMessageBatch calls, %d retried, %d entries failed and re-sent)\n",
		r.SendPerSecond, r.SendSeconds, r.SendCalls, r.SendRetries, r.FailedEntries)
	fmt.Fprintf(w, "receive+delete  %8.0f messages/s  (%.2f s, %d ReceiveMessage calls of which %d empty, %d DeleteMessageBatch calls)\n",
		r.ReceivePerSecond, r.ReceiveSeconds, r.ReceiveCalls, r.EmptyReceives, r.DeleteCalls)
	if r.CallErrors > 0 {
		fmt.Fprintf(w, "call errors     %d, the first: %s\n", r.CallErrors, r.FirstCallError)
	}
	fmt.Fprintf(w, "deliveries      %d seen (%d redeliveries after a visibility timeout), %d messages deleted (%d on their first delivery, which the figure counts), %d extra\n",
		r.Deliveries, r.Redeliveries, r.Deleted, r.FirstDeliveryDeletes, r.ExtraMessages)
	if r.FailedReceives > 0 {
		fmt.Fprintf(w, "lost answers    %d receives failed on the client's side; %d deliveries in them came back after the visibility timeout\n", r.FailedReceives, r.UnseenDeliveries)
	}
	if len(r.Violations) == 0 {
		fmt.Fprintln(w, "checks          ✓ none lost, none delivered while invisible, receive counts match, queue empty")
		return
	}
	fmt.Fprintf(w, "checks          ✗ %d violations\n", len(r.Violations)+r.violationsDropped)
	for _, v := range r.Violations {
		fmt.Fprintln(w, "  ", v)
	}
	if r.violationsDropped > 0 {
		fmt.Fprintf(w, "   ... and %d more\n", r.violationsDropped)
	}
}

// delivery is one receive of one message, in client-side times.
type delivery struct {
	requested time.Time // the ReceiveMessage request started
	answered  time.Time // its response arrived
	count     int       // ApproximateReceiveCount
}

// ledger records what the clients saw, by MessageId.
type ledger struct {
	mu         sync.Mutex
	sent       map[string]int // MessageId -> message number
	deliveries map[string][]delivery
	deletes    map[string]int
	deletedAt  map[string]time.Time // when the first delete of a message was answered
	deleted    atomic.Int64         // distinct sent messages deleted
	// Messages deleted on their first delivery, and when the last of them
	// was: the throughput figure. Messages that came back after a
	// visibility timeout (their first answer was lost on the way) are
	// checked but not timed.
	firstDeletes    int64
	lastFirstDelete time.Time
	// The requests of receives that failed on the client's side: the server
	// may have delivered messages in them that no client saw.
	failedReceives []time.Time
}

func load(ctx context.Context, o options, stderr io.Writer) (*result, error) {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        4 * o.clients,
		MaxIdleConnsPerHost: 4 * o.clients,
		IdleConnTimeout:     90 * time.Second,
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(o.endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDLOADTEST", SecretAccessKey: "secret", Source: "loadtest"}, nil
		}),
		HTTPClient: &http.Client{Transport: inMemoryBodies{tr}, Timeout: time.Minute},
		// Retries are the load test's own, so that it knows which calls may
		// have been applied twice.
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}
	c := sqs.NewFromConfig(cfg)
	name := o.queueName
	if name == "" {
		name = fmt.Sprintf("loadtest-%d", time.Now().UnixNano())
	}
	cq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name),
		Attributes: map[string]string{"VisibilityTimeout": strconv.Itoa(o.visibility)}})
	if err != nil {
		return nil, fmt.Errorf("creating the queue: %w", err)
	}
	url := aws.ToString(cq.QueueUrl)
	if n, err := depth(ctx, c, url); err != nil || n != 0 {
		return nil, fmt.Errorf("the queue %s must exist empty: %d messages, %v", url, n, err)
	}
	res := &result{Endpoint: o.endpoint, Messages: o.messages, Clients: o.clients, BodyBytes: o.bodyBytes, CPUs: runtime.NumCPU()}
	lg := &ledger{sent: make(map[string]int, o.messages), deliveries: make(map[string][]delivery, o.messages), deletes: make(map[string]int, o.messages),
		deletedAt: make(map[string]time.Time, o.messages)}

	fmt.Fprintf(stderr, "sending %d messages to %s with %d clients...\n", o.messages, url, o.clients)
	start := time.Now()
	if err := sendAll(ctx, c, url, o, lg, res); err != nil {
		return nil, err
	}
	res.SendSeconds = time.Since(start).Seconds()
	res.SendPerSecond = float64(o.messages) / res.SendSeconds

	fmt.Fprintf(stderr, "receiving and deleting with %d clients...\n", o.clients)
	start = time.Now()
	if err := receiveAll(ctx, c, url, o, lg, res); err != nil {
		return nil, err
	}
	end := lg.lastFirstDelete
	if end.Before(start) {
		end = time.Now()
	}
	res.ReceiveSeconds = end.Sub(start).Seconds()
	res.ReceivePerSecond = float64(lg.firstDeletes) / res.ReceiveSeconds
	res.FirstDeliveryDeletes = lg.firstDeletes
	check(ctx, c, url, o, lg, res)
	return res, nil
}

// sendAll sends the messages in batches of ten, each batch taken by the
// next free client; failed entries are sent again.
func sendAll(ctx context.Context, c *sqs.Client, url string, o options, lg *ledger, res *result) error {
	batches := (o.messages + queue.MaxBatchEntries - 1) / queue.MaxBatchEntries
	var next atomic.Int64
	var calls, retries, failed atomic.Int64
	errc := make(chan error, o.clients)
	var wg sync.WaitGroup
	for range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b := int(next.Add(1) - 1)
				if b >= batches || ctx.Err() != nil {
					return
				}
				first := b * queue.MaxBatchEntries
				pending := map[string]int{} // entry id -> message number
				for i := first; i < min(first+queue.MaxBatchEntries, o.messages); i++ {
					pending[strconv.Itoa(i-first)] = i
				}
				for attempt := 0; len(pending) > 0; attempt++ {
					if attempt == 20 {
						errc <- fmt.Errorf("batch %d still failing after 20 attempts", b)
						return
					}
					in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(url)}
					for id, n := range pending {
						in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String(body(n, o.bodyBytes))})
					}
					calls.Add(1)
					out, err := c.SendMessageBatch(ctx, in)
					if err != nil {
						if ctx.Err() != nil {
							return
						}
						res.callError(err)
						retries.Add(1)
						time.Sleep(10 * time.Millisecond)
						continue
					}
					lg.mu.Lock()
					for _, s := range out.Successful {
						id := aws.ToString(s.Id)
						lg.sent[aws.ToString(s.MessageId)] = pending[id]
						delete(pending, id)
					}
					lg.mu.Unlock()
					failed.Add(int64(len(out.Failed)))
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	res.SendCalls, res.SendRetries, res.FailedEntries = calls.Load(), retries.Load(), failed.Load()
	if err := <-errc; err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if len(lg.sent) != o.messages {
		return fmt.Errorf("%d message ids for %d messages sent: a send answered the same MessageId twice", len(lg.sent), o.messages)
	}
	return nil
}

// body is message n: its number, then padding to size bytes.
func body(n, size int) string {
	s := fmt.Sprintf(`{"n":%d,"pad":"`, n)
	pad := size - len(s) - 2
	if pad < 0 {
		pad = 0
	}
	return s + strings.Repeat("x", pad) + `"}`
}

// receiveAll receives and deletes until every sent message is deleted, or
// nothing is deleted for the idle timeout.
func receiveAll(ctx context.Context, c *sqs.Client, url string, o options, lg *ledger, res *result) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rc := &receiver{c: c, url: url, lg: lg, res: res, cancel: cancel, errc: make(chan error, o.clients)}
	rc.progress.Store(time.Now().UnixNano())
	total := int64(len(lg.sent))
	var wg sync.WaitGroup
	for range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc.run(ctx, total)
		}()
	}
	done := make(chan struct{})
	go rc.watchIdle(o.idle, done)
	wg.Wait()
	close(done)
	close(rc.errc)
	res.ReceiveCalls, res.EmptyReceives, res.DeleteCalls = rc.receives.Load(), rc.empty.Load(), rc.deletes.Load()
	return <-rc.errc
}

// receiver is what the clients of the receive phase share.
type receiver struct {
	c      *sqs.Client
	url    string
	lg     *ledger
	res    *result
	cancel context.CancelFunc // ends the phase
	errc   chan error

	receives, empty, deletes atomic.Int64
	progress                 atomic.Int64 // when a delete was last answered, Unix ns
}

// deleteEntry is what the Id of an entry of a delete batch stands for: a
// message and the receive count of the delivery being deleted.
type deleteEntry struct {
	id    string // MessageId
	count int    // ApproximateReceiveCount
}

// run is one client: it receives, records each delivery and deletes what
// it received, until every message is deleted or the phase ends.
func (rc *receiver) run(ctx context.Context, total int64) {
	for ctx.Err() == nil && rc.lg.deleted.Load() < total {
		msgs, ok := rc.receive(ctx)
		if !ok {
			return
		}
		if len(msgs) == 0 {
			continue
		}
		entries, ids := rc.lg.delivered(msgs)
		// Batches of ten, in case a server answered more.
		for len(entries) > 0 {
			in := &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(rc.url), Entries: entries[:min(len(entries), queue.MaxBatchEntries)]}
			entries = entries[len(in.Entries):]
			if !rc.delete(ctx, in, ids) {
				return
			}
		}
	}
}

// receivedMessage is a message as received, with its delivery.
type receivedMessage struct {
	types.Message
	delivery
}

// receive makes one ReceiveMessage call. A failed call is counted and
// recorded (it may have delivered messages no client saw) and gives no
// messages; ok is false once the phase has ended.
func (rc *receiver) receive(ctx context.Context) (msgs []receivedMessage, ok bool) {
	requested := time.Now()
	out, err := rc.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(rc.url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	answered := time.Now()
	rc.receives.Add(1)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false
		}
		rc.res.callError(err)
		rc.lg.mu.Lock()
		rc.lg.failedReceives = append(rc.lg.failedReceives, requested)
		rc.lg.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		return nil, true
	}
	if len(out.Messages) == 0 {
		rc.empty.Add(1)
		return nil, true
	}
	msgs = make([]receivedMessage, len(out.Messages))
	for i, m := range out.Messages {
		count, _ := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
		msgs[i] = receivedMessage{m, delivery{requested: requested, answered: answered, count: count}}
	}
	return msgs, true
}

// delivered records the deliveries of one receive and returns the entries
// that delete them, with what each entry's Id stands for.
func (lg *ledger) delivered(msgs []receivedMessage) ([]types.DeleteMessageBatchRequestEntry, map[string]deleteEntry) {
	entries := make([]types.DeleteMessageBatchRequestEntry, 0, len(msgs))
	ids := make(map[string]deleteEntry, len(msgs))
	lg.mu.Lock()
	defer lg.mu.Unlock()
	for i, m := range msgs {
		id := aws.ToString(m.MessageId)
		lg.deliveries[id] = append(lg.deliveries[id], m.delivery)
		e := strconv.Itoa(i)
		ids[e] = deleteEntry{id, m.count}
		entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(e), ReceiptHandle: m.ReceiptHandle})
	}
	return entries, ids
}

// delete deletes one batch, again for the entries that failed, up to 20
// attempts; after that it fails the phase. It returns false once the phase
// has ended.
func (rc *receiver) delete(ctx context.Context, in *sqs.DeleteMessageBatchInput, ids map[string]deleteEntry) bool {
	for attempt := 0; len(in.Entries) > 0; attempt++ {
		if attempt == 20 {
			rc.errc <- fmt.Errorf("a delete still failing after 20 attempts")
			rc.cancel()
			return false
		}
		rc.deletes.Add(1)
		out, err := rc.c.DeleteMessageBatch(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				return false
			}
			rc.res.callError(err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		rc.lg.deletedNow(out.Successful, ids)
		rc.progress.Store(time.Now().UnixNano())
		var retry []types.DeleteMessageBatchRequestEntry
		for _, f := range out.Failed {
			for _, e := range in.Entries {
				if aws.ToString(e.Id) == aws.ToString(f.Id) {
					retry = append(retry, e)
				}
			}
		}
		in.Entries = retry
	}
	return true
}

// deletedNow records the deletes a DeleteMessageBatch answered just now.
func (lg *ledger) deletedNow(successful []types.DeleteMessageBatchResultEntry, ids map[string]deleteEntry) {
	now := time.Now()
	lg.mu.Lock()
	defer lg.mu.Unlock()
	for _, s := range successful {
		e := ids[aws.ToString(s.Id)]
		lg.deletes[e.id]++
		if lg.deletes[e.id] > 1 {
			continue
		}
		lg.deletedAt[e.id] = now
		if _, ok := lg.sent[e.id]; ok {
			lg.deleted.Add(1)
			if e.count == 1 {
				lg.firstDeletes++
				lg.lastFirstDelete = now
			}
		}
	}
}

// watchIdle ends the phase when no delete has been answered for idle,
// until done is closed.
func (rc *receiver) watchIdle(idle time.Duration, done <-chan struct{}) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if time.Since(time.Unix(0, rc.progress.Load())) > idle {
				rc.cancel()
				return
			}
		}
	}
}

// inMemoryBodies hands the transport each request body as a bytes.Reader.
// aws-sdk-go-v2 wraps bodies in a closer whose WriteTo answers io.EOF as an
// error once the SDK has closed it, which it does as soon as the response
// headers arrive; net/http flushes headers early for bodies it does not
// know to be in memory, so a fast server can answer while the transport
// still reads the body's end, the transport then fails the write and
// closes the connection under the response (the SDK reports "use of closed
// network connection" on a 200; aws/aws-sdk-go-v2 issues 1825 and 2737).
// A bytes.Reader is known to be in memory: headers and body go out in one
// write, after which nothing can fail.
type inMemoryBodies struct{ rt http.RoundTripper }

func (t inMemoryBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return t.rt.RoundTrip(r)
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(b))
	r2.ContentLength = int64(len(b))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return t.rt.RoundTrip(r2)
}

// check proves the properties from the ledger and the queue's counts.
func check(ctx context.Context, c *sqs.Client, url string, o options, lg *ledger, res *result) {
	vis := time.Duration(o.visibility) * time.Second
	// A little slack for the two clocks being one clock read at different
	// instants; far below any visibility timeout.
	const slack = 5 * time.Millisecond
	ids := make([]string, 0, len(lg.deliveries))
	for id := range lg.deliveries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		ds := lg.deliveries[id]
		if _, ok := lg.sent[id]; !ok {
			res.ExtraMessages++
		}
		res.Deliveries += int64(len(ds))
		res.Redeliveries += int64(len(ds) - 1)
		sort.Slice(ds, func(i, j int) bool { return ds[i].count < ds[j].count })
		deletedAt, wasDeleted := lg.deletedAt[id]
		for i, d := range ds {
			if wasDeleted && d.requested.After(deletedAt) {
				res.violate("message %s delivered again (receive %d) after its delete was answered", id, d.count)
			}
			prevCount := 0
			if i > 0 {
				prevCount = ds[i-1].count
			}
			if d.count <= prevCount {
				res.violate("message %s: two deliveries with ApproximateReceiveCount %d", id, d.count)
				break
			}
			if d.count > prevCount+1 {
				// Deliveries no client saw: each must be one of the
				// messages of a receive whose answer the client lost, and
				// the message stayed hidden for the timeout after it.
				res.UnseenDeliveries += d.count - prevCount - 1
				if len(lg.failedReceives) == 0 {
					res.violate("message %s: delivery with ApproximateReceiveCount %d follows %d, and no receive failed: a delivery no client saw", id, d.count, prevCount)
				} else if first := earliest(lg.failedReceives); d.answered.Add(slack).Before(first.Add(vis)) {
					res.violate("message %s delivered (receive %d) %v after the first lost receive was requested, within the %v visibility timeout",
						id, d.count, d.answered.Sub(first).Round(time.Millisecond), vis)
				}
			}
			if i > 0 {
				prev := ds[i-1]
				if d.answered.Add(slack).Before(prev.requested.Add(vis)) {
					res.violate("message %s delivered while invisible: receive %d answered %v after receive %d was requested, within the %v visibility timeout",
						id, d.count, d.answered.Sub(prev.requested).Round(time.Millisecond), prev.count, vis)
				}
			}
		}
	}
	for id, n := range lg.sent {
		if lg.deletes[id] == 0 {
			res.violate("message %s (number %d) was sent but never deleted (%d deliveries)", id, n, len(lg.deliveries[id]))
		}
	}
	res.FailedReceives = len(lg.failedReceives)
	if res.UnseenDeliveries > queue.MaxBatchEntries*res.FailedReceives {
		res.violate("%d deliveries no client saw, more than the %d messages the %d failed receives could have held",
			res.UnseenDeliveries, queue.MaxBatchEntries*res.FailedReceives, res.FailedReceives)
	}
	if int64(res.ExtraMessages) > 10*res.SendRetries {
		res.violate("%d messages received that no send returned (only %d send calls were retried)", res.ExtraMessages, res.SendRetries)
	}
	res.Deleted = int(lg.deleted.Load())
	if n, err := depth(ctx, c, url); err != nil {
		res.violate("reading the queue's counts: %v", err)
	} else if n != 0 {
		res.violate("the queue still holds %d messages", n)
	}
}

func earliest(ts []time.Time) time.Time {
	e := ts[0]
	for _, t := range ts[1:] {
		if t.Before(e) {
			e = t
		}
	}
	return e
}

// depth is the messages a queue holds: visible, in flight and delayed.
func depth(ctx context.Context, c *sqs.Client, url string) (int, error) {
	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{
		"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range out.Attributes {
		k, _ := strconv.Atoi(v)
		n += k
	}
	return n, nil
}
