package queue

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// The statuses of a message move task.
const (
	MoveTaskRunning    = "RUNNING"
	MoveTaskCompleted  = "COMPLETED"
	MoveTaskCancelling = "CANCELLING"
	MoveTaskCancelled  = "CANCELLED"
	MoveTaskFailed     = "FAILED"
)

// DefaultMoveRate is the rate of a move task started without
// MaxNumberOfMessagesPerSecond. AWS then picks a rate "optimized by the
// system"; this model picks the highest allowed, 500 messages a second.
const DefaultMoveRate = 500

// MoveTaskInput is one StartMessageMoveTask.
type MoveTaskInput struct {
	// SourceARN is a dead-letter queue: some queue's RedrivePolicy names it.
	SourceARN string
	// DestinationARN is where the messages go; when empty each goes back to
	// the queue it was redriven from.
	DestinationARN string
	// MaxNumberOfMessagesPerSecond is 1 to 500; 0 leaves it to the system
	// (DefaultMoveRate).
	MaxNumberOfMessagesPerSecond int
}

// MoveTask is a message move task as ListMessageMoveTasks shows it.
type MoveTask struct {
	// TaskHandle is set while the task runs.
	TaskHandle string
	Status     string
	SourceARN  string
	// DestinationARN and MaxNumberOfMessagesPerSecond are set when the
	// task was started with them.
	DestinationARN                    string
	MaxNumberOfMessagesPerSecond      int
	ApproximateNumberOfMessagesMoved  int64
	ApproximateNumberOfMessagesToMove int64
	// FailureReason is set when the task failed, e.g.
	// AWS.SimpleQueueService.NonExistentQueue.
	FailureReason    string
	StartedTimestamp time.Time
}

// moveTask is a running or ended task; its fields are guarded by its
// source queue's lock.
type moveTask struct {
	id      string
	handle  string
	src     *Queue
	dest    string
	rateSet bool
	rate    int
	status  string
	moved   int64
	toMove  int64
	started int64
	failure string
	timer   clock.Timer
}

type taskHandle struct {
	TaskID    string `json:"taskId"`
	SourceARN string `json:"sourceArn"`
}

// StartMessageMoveTask starts moving the messages visible now in a
// dead-letter queue back to their source queues, or to DestinationARN, at
// MaxNumberOfMessagesPerSecond on the broker's clock: n messages take n/rate
// of clock time. Moved messages are new messages there, with new message
// ids. Only one task per source queue runs at a time. It returns the task
// handle.
func (b *Broker) StartMessageMoveTask(in MoveTaskInput) (string, error) {
	src, err := b.QueueByARN(in.SourceARN)
	if err != nil {
		return "", errorf(ErrResourceNotFoundException, "The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if !b.isDeadLetterQueue(src) {
		return "", errorf(ErrInvalidParameterValue, "Source queue must be configured as a Dead Letter Queue.")
	}
	if in.DestinationARN != "" {
		dest, err := b.QueueByARN(in.DestinationARN)
		if err != nil {
			return "", errorf(ErrResourceNotFoundException, "The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
		if dest.fifo != src.fifo {
			return "", invalidValue("DestinationArn", in.DestinationARN, "The destination queue must be of the same type as the source queue.")
		}
	}
	rate := in.MaxNumberOfMessagesPerSecond
	if rate < 0 || rate > DefaultMoveRate {
		return "", invalidValue("MaxNumberOfMessagesPerSecond", rate, "Must be between 1 and 500.")
	}
	t := &moveTask{src: src, dest: in.DestinationARN, rateSet: rate > 0, rate: rate, status: MoveTaskRunning}
	if rate == 0 {
		t.rate = DefaultMoveRate
	}
	var o op
	if err := src.begin(&o); err != nil {
		return "", errorf(ErrResourceNotFoundException, "The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if src.task != nil {
		src.end(&o)
		return "", errorf(ErrInvalidParameterValue, "There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
	}
	t.id = src.newID()
	h, _ := json.Marshal(taskHandle{TaskID: t.id, SourceARN: src.arn})
	t.handle = base64.StdEncoding.EncodeToString(h)
	t.started = o.now
	t.toMove = int64(src.nVisible)
	src.task = t
	src.tasks = append(src.tasks, t)
	if len(src.tasks) > 10 {
		src.tasks = src.tasks[len(src.tasks)-10:]
	}
	t.timer = src.clk.AfterFunc(t.period(), func() { b.moveTick(t) })
	if b.store != nil {
		src.logTask(&o, t)
	}
	src.end(&o)
	if err := o.durable(); err != nil {
		return "", err
	}
	return t.handle, nil
}

func (b *Broker) isDeadLetterQueue(q *Queue) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.sourcesLocked(q.arn)) > 0
}

// period is the time between two steps of a task: one message's worth,
// but no less than 10 ms.
func (t *moveTask) period() time.Duration {
	return max(time.Second/time.Duration(t.rate), 10*time.Millisecond)
}

// finish ends a task; the source queue's lock is held.
func (t *moveTask) finish(src *Queue, status, reason string) {
	t.status, t.failure = status, reason
	if t.timer != nil {
		t.timer.Stop()
	}
	if src.task == t {
		src.task = nil
	}
}

// moveTick is one step of a task: move what the rate allows by now.
func (b *Broker) moveTick(t *moveTask) {
	src := t.src
	// The gate stays held until the moved messages have arrived, so that
	// a rollback never sees them in neither queue.
	o := op{holdGate: true}
	if err := src.begin(&o); err != nil {
		return // shutdown failed the task
	}
	defer o.callBack()
	if t.status == MoveTaskCancelling {
		t.finish(src, MoveTaskCancelled, "")
		if b.store != nil {
			src.logTask(&o, t)
		}
		src.end(&o)
		return
	}
	if t.status != MoveTaskRunning {
		src.end(&o)
		return
	}
	due := min(t.toMove, (o.now-t.started)*int64(t.rate)/int64(time.Second))
	type move struct {
		m    *message
		dest *Queue
	}
	var moves []move
	failure := ""
	for t.moved+int64(len(moves)) < due {
		m := src.peekMovable()
		if m == nil {
			break
		}
		arn := t.dest
		if arn == "" {
			arn = m.dlqSource
		}
		b.mu.RLock()
		dest := b.byARNLocked(arn)
		b.mu.RUnlock()
		if dest == nil {
			failure = "AWS.SimpleQueueService.NonExistentQueue"
			break
		}
		src.takeMovable(m)
		moves = append(moves, move{m, dest})
	}
	t.moved += int64(len(moves))
	src.st.movedOut += int64(len(moves))
	switch {
	case failure != "":
		t.finish(src, MoveTaskFailed, failure)
	case t.moved >= t.toMove || src.peekMovable() == nil:
		t.finish(src, MoveTaskCompleted, "")
	default:
		t.timer = src.clk.AfterFunc(t.period(), func() { b.moveTick(t) })
	}
	if b.store != nil && (len(moves) > 0 || t.status != MoveTaskRunning) {
		src.logTask(&o, t)
	}
	src.end(&o)
	for _, mv := range moves {
		mv.dest.acceptMoved(mv.m, src, &o)
	}
}

// peekMovable is the next message a move task takes: the oldest visible
// one, or on a FIFO queue the head of the first group that can deliver.
func (q *Queue) peekMovable() *message {
	if !q.fifo {
		return q.peekVisible()
	}
	for q.readyGroups.Len() > 0 {
		g := q.readyGroups.Front()
		if !g.dead && g.inflight == 0 && g.msgs.head != nil && g.msgs.head.state == stVisible {
			return g.msgs.head
		}
		q.readyGroups.PopFront()
		g.queued = false
	}
	return nil
}

// takeMovable removes the message peekMovable returned.
func (q *Queue) takeMovable(m *message) {
	if !q.fifo {
		q.popVisible()
		q.forget(m)
		return
	}
	q.nVisible--
	g := q.unlinkGroup(m)
	q.forget(m)
	if g.msgs.head == nil {
		g.dead = true
		delete(q.groups, g.id)
	}
}

// acceptMoved enqueues a message from a move task as a new message: new
// id, sent now, received never. With a store, its deletion from the source
// is written with its arrival, as for dead letters.
func (q *Queue) acceptMoved(m *message, src *Queue, parent *op) {
	o := op{child: true}
	if err := q.begin(&o); err != nil {
		q.lose(&o, src, m) // the destination was deleted meanwhile
		return
	}
	c := newMessage()
	c.id = q.newID()
	c.body, c.attrs, c.trace, c.group, c.dedup, c.sender = m.body, m.attrs, m.trace, m.group, m.dedup, m.sender
	if q.fifo && c.group == "" {
		c.group = "moved"
	}
	c.sentAt, c.origin, c.visibleAt = o.now, o.now, o.now
	q.arrive(&o, c, src, m)
	q.st.movedIn++
	o.kick = true
	q.endIn(&o, parent)
}

// CancelMessageMoveTask asks a running task to stop and returns how many
// messages it moved. Moves already made stay; the task is CANCELLING until
// its next step, then CANCELLED.
func (b *Broker) CancelMessageMoveTask(handle string) (int64, error) {
	raw, err := base64.StdEncoding.DecodeString(handle)
	var h taskHandle
	if err != nil || json.Unmarshal(raw, &h) != nil || h.TaskID == "" || h.SourceARN == "" {
		return 0, errorf(ErrInvalidParameterValue, "Value for parameter TaskHandle is invalid.")
	}
	src, err := b.QueueByARN(h.SourceARN)
	if err != nil {
		return 0, errorf(ErrResourceNotFoundException, "The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	for _, t := range src.tasks {
		if t.id != h.TaskID {
			continue
		}
		if t.status != MoveTaskRunning {
			return 0, errorf(ErrResourceNotFoundException, "Task does not exist.")
		}
		t.status = MoveTaskCancelling
		return t.moved, nil
	}
	return 0, errorf(ErrResourceNotFoundException, "Task does not exist.")
}

// ListMessageMoveTasks returns the most recent tasks of a source queue,
// newest first: maxResults of them (1 to 10; 0 means 1).
func (b *Broker) ListMessageMoveTasks(sourceARN string, maxResults int) ([]MoveTask, error) {
	if maxResults == 0 {
		maxResults = 1
	}
	if maxResults < 1 || maxResults > 10 {
		return nil, invalidValue("MaxResults", maxResults, "You must enter a number that's between 1 and 10.")
	}
	src, err := b.QueueByARN(sourceARN)
	if err != nil {
		return nil, errorf(ErrResourceNotFoundException, "The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	var out []MoveTask
	for i := len(src.tasks) - 1; i >= 0 && len(out) < maxResults; i-- {
		t := src.tasks[i]
		mt := MoveTask{
			Status: t.status, SourceARN: src.arn, DestinationARN: t.dest,
			ApproximateNumberOfMessagesMoved: t.moved, ApproximateNumberOfMessagesToMove: t.toMove,
			FailureReason: t.failure, StartedTimestamp: time.Unix(0, t.started).UTC(),
		}
		if t.rateSet {
			mt.MaxNumberOfMessagesPerSecond = t.rate
		}
		if t.status == MoveTaskRunning {
			mt.TaskHandle = t.handle
		}
		out = append(out, mt)
	}
	return out, nil
}
