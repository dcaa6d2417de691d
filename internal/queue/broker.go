package queue

import (
	crand "crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// Options configure a Broker. The zero value is a usable local setup.
type Options struct {
	// Clock is the time source; clock.Real{} when nil.
	Clock clock.Clock
	// Region and AccountID fill queue URLs and ARNs; us-east-1 and
	// 000000000000 by default.
	Region    string
	AccountID string
	// BaseURL is the endpoint queue URLs start with, e.g.
	// http://127.0.0.1:4566; https://sqs.REGION.amazonaws.com by default.
	// A queue's URL is BaseURL/ACCOUNT/NAME.
	BaseURL string
	// Source seeds the random streams of message ids: each queue draws its
	// own stream from it when created, so a run is reproducible from a seed
	// and the order of operations. Nil seeds from crypto/rand.
	Source rand.Source
	// DeletedQueueCooldown, when set, makes CreateQueue answer
	// QueueDeletedRecently for a name deleted less than this long ago. AWS
	// asks for 60 s; it is off by default because local tests recreate
	// queues at once.
	DeletedQueueCooldown time.Duration
	// Store, when set, keeps queues and messages durably (see Store); call
	// Restore with what it saved before using the broker. Nil keeps
	// everything in memory.
	Store Store
}

// Broker holds queues by name, all on one clock. It is what one AWS account
// in one region is to SQS. It is safe for concurrent use.
//
// Locks: the broker's lock guards the map of queues; each queue has its
// own. A queue's lock may be held while taking the broker's (to find a
// dead-letter queue), never the other way round, and no two queue locks are
// ever held at once: messages move between queues in two steps.
type Broker struct {
	clk      clock.Clock
	region   string
	account  string
	baseURL  string
	cooldown time.Duration

	mu        sync.RWMutex
	queues    map[string]*Queue
	deletedAt map[string]int64
	rng       rand.Source
	nextInc   uint32
	store     Store

	// gate, with a store, is held shared by every operation from its
	// first change until its changes are appended to the store, and
	// exclusively by a rollback (see rollback): so a rollback sees every
	// change made so far appended, and none being made.
	gate sync.RWMutex
}

// New returns an empty broker.
func New(opts Options) *Broker {
	b := &Broker{
		clk:       opts.Clock,
		region:    opts.Region,
		account:   opts.AccountID,
		baseURL:   strings.TrimSuffix(opts.BaseURL, "/"),
		cooldown:  opts.DeletedQueueCooldown,
		queues:    map[string]*Queue{},
		deletedAt: map[string]int64{},
		rng:       opts.Source,
		store:     opts.Store,
	}
	if b.clk == nil {
		b.clk = clock.Real{}
	}
	if b.region == "" {
		b.region = "us-east-1"
	}
	if b.account == "" {
		b.account = "000000000000"
	}
	if b.baseURL == "" {
		b.baseURL = "https://sqs." + b.region + ".amazonaws.com"
	}
	if b.rng == nil {
		var seed [32]byte
		_, _ = crand.Read(seed[:])
		b.rng = rand.NewChaCha8(seed)
	}
	return b
}

// Clock returns the broker's clock.
func (b *Broker) Clock() clock.Clock { return b.clk }

// AccountID returns the account in URLs and ARNs; it is also the default
// SenderId of messages.
func (b *Broker) AccountID() string { return b.account }

// QueueURL returns the URL of a queue name.
func (b *Broker) QueueURL(name string) string { return b.baseURL + "/" + b.account + "/" + name }

// QueueARN returns the ARN of a queue name.
func (b *Broker) QueueARN(name string) string {
	return "arn:aws:sqs:" + b.region + ":" + b.account + ":" + name
}

// CreateQueue creates a queue, or returns the existing one when it has the
// same name and every attribute given has the value it has (tags are not
// compared). attrs and tags may be nil.
func (b *Broker) CreateQueue(name string, attrs, tags map[string]string) (*Queue, error) {
	fifo := false
	if v, ok := attrs[AttrFifoQueue]; ok {
		f, ok := parseBool(v)
		if !ok {
			return nil, invalidAttribute(AttrFifoQueue)
		}
		fifo = f
	}
	if err := validQueueName(name, fifo); err != nil {
		return nil, err
	}
	q, c, err := b.createQueue(name, fifo, attrs, tags)
	if err != nil {
		return nil, err
	}
	if err := (&op{commit: c, q: q}).durable(); err != nil {
		return nil, err
	}
	return q, nil
}

func (b *Broker) createQueue(name string, fifo bool, attrs, tags map[string]string) (*Queue, Commit, error) {
	defer b.enterGate()()
	b.mu.Lock()
	defer b.mu.Unlock()
	cfg, err := parseAttributes(defaultConfig(), attrs, fifo, true, b.QueueARN(name), b.byARNLocked)
	if err != nil {
		return nil, nil, err
	}
	now := b.clk.Now().UnixNano()
	if q := b.queues[name]; q != nil {
		old := q.cfg.Load()
		for _, k := range slices.Sorted(maps.Keys(attrs)) {
			same := true
			if k == AttrFifoQueue {
				same = fifo == q.fifo
			} else {
				v1, ok1 := cfg.render(k)
				v2, ok2 := old.render(k)
				same = v1 == v2 && ok1 == ok2
			}
			if !same {
				return nil, nil, errorf(ErrQueueAlreadyExists, "A queue already exists with the same name and a different value for attribute %s", k)
			}
		}
		return q, nil, nil
	}
	if t, ok := b.deletedAt[name]; ok && b.cooldown > 0 && now-t < int64(b.cooldown) {
		return nil, nil, errorf(ErrQueueDeletedRecently, "You must wait %d seconds after deleting a queue before you can create another with the same name.", int(b.cooldown/time.Second))
	}
	var seed [32]byte
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint64(seed[8*i:], b.rng.Uint64())
	}
	b.nextInc++
	q := newQueue(b, name, fifo, b.nextInc, now, cfg, seed)
	for k, v := range tags {
		q.tags[k] = v
	}
	b.queues[name] = q
	return q, q.saveConfig(), nil
}

// Queue returns the queue of a name (GetQueueUrl), or QueueDoesNotExist.
func (b *Broker) Queue(name string) (*Queue, error) {
	b.mu.RLock()
	q := b.queues[name]
	b.mu.RUnlock()
	if q == nil {
		return nil, errQueueGone()
	}
	return q, nil
}

// QueueByURL returns the queue a URL names: its last path segment is the
// name, whatever the host.
func (b *Broker) QueueByURL(url string) (*Queue, error) {
	url = strings.TrimSuffix(url, "/")
	return b.Queue(url[strings.LastIndexByte(url, '/')+1:])
}

// QueueByARN returns the queue an ARN names.
func (b *Broker) QueueByARN(arn string) (*Queue, error) {
	b.mu.RLock()
	q := b.byARNLocked(arn)
	b.mu.RUnlock()
	if q == nil {
		return nil, errQueueGone()
	}
	return q, nil
}

func (b *Broker) byARNLocked(arn string) *Queue {
	if q := b.queues[arnName(arn)]; q != nil && q.arn == arn {
		return q
	}
	return nil
}

// DeleteQueue deletes a queue and its messages. Long polls waiting on it
// end with QueueDoesNotExist; a move task reading from it fails.
func (b *Broker) DeleteQueue(name string) error {
	leave := b.enterGate()
	now := b.clk.Now().UnixNano()
	b.mu.Lock()
	q := b.queues[name]
	var c Commit
	if q != nil {
		delete(b.queues, name)
		b.deletedAt[name] = now
		if b.store != nil {
			c = b.store.Append([]Change{{Kind: ChangeDeleteQueue, Name: name, Inc: q.inc}})
		}
	}
	b.mu.Unlock()
	leave()
	if q == nil {
		return errQueueGone()
	}
	q.shutdown(errQueueGone())
	return (&op{commit: c, q: q}).durable()
}

// Close ends every queue's timers, long polls and move tasks; long polls
// return what they have (nothing). The broker must not be used afterwards.
func (b *Broker) Close() {
	b.mu.Lock()
	qs := make([]*Queue, 0, len(b.queues))
	for _, q := range b.queues {
		qs = append(qs, q)
	}
	b.mu.Unlock()
	for _, q := range qs {
		q.shutdown(nil)
	}
}

// ListQueues returns the URLs of the queues whose names start with prefix,
// in name order. maxResults 0 returns up to 1,000 with no paging; 1 to
// 1,000 pages, and nextToken (from the previous page) continues.
func (b *Broker) ListQueues(prefix string, maxResults int, nextToken string) (urls []string, next string, err error) {
	b.mu.RLock()
	names := make([]string, 0, len(b.queues))
	for n := range b.queues {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	b.mu.RUnlock()
	return b.page(names, maxResults, nextToken)
}

// ListDeadLetterSourceQueues returns the URLs of the queues whose
// RedrivePolicy names the queue name as their dead-letter queue, paged as
// ListQueues.
func (b *Broker) ListDeadLetterSourceQueues(name string, maxResults int, nextToken string) (urls []string, next string, err error) {
	b.mu.RLock()
	dlq := b.queues[name]
	var names []string
	if dlq != nil {
		names = b.sourcesLocked(dlq.arn)
	}
	b.mu.RUnlock()
	if dlq == nil {
		return nil, "", errQueueGone()
	}
	return b.page(names, maxResults, nextToken)
}

// sourcesLocked returns the names of the queues that redrive to arn.
func (b *Broker) sourcesLocked(arn string) []string {
	var names []string
	for n, q := range b.queues {
		if p := q.cfg.Load().redrive; p != nil && p.TargetARN == arn {
			names = append(names, n)
		}
	}
	return names
}

func (b *Broker) page(names []string, maxResults int, nextToken string) ([]string, string, error) {
	slices.Sort(names)
	if maxResults < 0 || maxResults > 1000 {
		return nil, "", invalidValue("MaxResults", maxResults, "MaxResults must be an integer between 1 and 1000.")
	}
	if nextToken != "" {
		after, err := base64.RawURLEncoding.DecodeString(nextToken)
		if err != nil || maxResults == 0 {
			return nil, "", errorf(ErrInvalidParameterValue, "Invalid NextToken value.")
		}
		i, _ := slices.BinarySearch(names, string(after)+"\x00")
		names = names[i:]
	}
	limit := maxResults
	if limit == 0 {
		limit = 1000
	}
	next := ""
	if len(names) > limit {
		names = names[:limit]
		if maxResults > 0 {
			next = base64.RawURLEncoding.EncodeToString([]byte(names[limit-1]))
		}
	}
	urls := make([]string, len(names))
	for i, n := range names {
		urls[i] = b.QueueURL(n)
	}
	return urls, next, nil
}

// Queues returns every queue, in name order (for a status line).
func (b *Broker) Queues() []*Queue {
	b.mu.RLock()
	qs := make([]*Queue, 0, len(b.queues))
	for _, q := range b.queues {
		qs = append(qs, q)
	}
	b.mu.RUnlock()
	slices.SortFunc(qs, func(a, c *Queue) int { return strings.Compare(a.name, c.name) })
	return qs
}
