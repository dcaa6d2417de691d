package redrive

import (
	"context"
	"fmt"
	"time"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/batch"
	"github.com/yafdp/yafdp/internal/awsops/dlq"
	"github.com/yafdp/yafdp/internal/input"
)

// moves are the decisions on one received batch, by what applying them
// takes.
type moves struct {
	release []dlq.Message // visible again at once
	hold    []dlq.Message // hidden until the end of the run
	send    []outgoing
	delete  []dlq.Message
}

// outgoing is a message whose copy is to be sent.
type outgoing struct {
	msg dlq.Message
	d   decision
}

// handle moves one received batch: it decides what to do with each
// message, then does it.
func (r *copyRun) handle(ctx context.Context, msgs []dlq.Message) error {
	held := r.begin(msgs)
	defer r.end(msgs)
	var p moves
	for i, m := range msgs {
		r.record(m, decide(m, r.known(ctx, m, held[i])), &p)
	}
	return r.apply(ctx, &p)
}

// end notes that a received batch has been dealt with: the heartbeat
// keeps hidden only what the run holds.
func (r *copyRun) end(msgs []dlq.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		delete(r.active, m.MessageID)
	}
}

// begin notes that messages came (the run is not over) and says which of
// them this run holds already.
func (r *copyRun) begin(msgs []dlq.Message) []bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.streak = 0
	held := make([]bool, len(msgs))
	for i, m := range msgs {
		_, held[i] = r.held[m.MessageID]
		r.active[m.MessageID] = m
	}
	return held
}

// known gathers what the run knows of a message for decide.
func (r *copyRun) known(ctx context.Context, m dlq.Message, held bool) known {
	k := known{held: held, start: r.start, now: r.now(), filter: r.opts.Filter, dryRun: r.opts.DryRun, claim: r.claim,
		target: func() (*target, error) { return r.targetFor(ctx, m) }}
	if r.opts.Journal != nil {
		_, k.sent, k.uncertain = r.opts.Journal.Lookup(m.MessageID)
	}
	return k
}

// claim takes one of Max's places.
func (r *copyRun) claim() bool {
	if r.opts.Max <= 0 {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.claimed >= r.opts.Max {
		return false
	}
	r.claimed++
	return true
}

// record counts a decision and files the message by what applying it
// takes.
func (r *copyRun) record(m dlq.Message, d decision, p *moves) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch d.action {
	case deleteOnly:
		r.res.AlreadyMoved++
		p.delete = append(p.delete, m)
		return
	case release:
		delete(r.active, m.MessageID)
		p.release = append(p.release, m)
		return
	case send:
		p.send = append(p.send, outgoing{msg: m, d: d})
		return
	case leave:
		r.res.ArrivedDuringRun++
	case skip:
		r.res.Skipped++
	case plan:
		r.res.Planned = append(r.res.Planned, PlannedMove{MessageID: m.MessageID, Target: d.target.queue.Name, ReceiveCount: m.ReceiveCount(), Bytes: d.copy.Size()})
	case fail:
		r.fail(m, d.reason)
	}
	// Hidden again (hideAgain), or hidden for the rest of the run.
	r.held[m.MessageID] = m
	p.hold = append(p.hold, m)
}

// fail records a message that cannot be moved; the lock is held.
func (r *copyRun) fail(m dlq.Message, reason input.Message) {
	if !r.failed[m.MessageID] {
		r.failed[m.MessageID] = true
		r.res.Failed++
		r.res.Failures = append(r.res.Failures, Failure{MessageID: m.MessageID, Reason: reason})
	}
	r.held[m.MessageID] = m
}

// holdFor is how long held messages stay hidden at a time: the heartbeat
// extends it while the run goes on.
func (r *copyRun) holdFor() time.Duration { return r.lease() }

// apply does what the decisions on a batch say, each step recorded in the
// journal before the next is taken: hide and release, then send (intended,
// sent), then delete.
func (r *copyRun) apply(ctx context.Context, p *moves) error {
	src := r.opts.Source.URL
	if len(p.release) > 0 {
		dlq.SetVisibility(ctx, r.c, src, p.release, 0)
	}
	if len(p.hold) > 0 {
		dlq.SetVisibility(ctx, r.c, src, p.hold, r.holdFor())
	}
	if len(p.send) > 0 {
		if err := r.send(ctx, p); err != nil {
			return err
		}
	}
	if len(p.delete) > 0 {
		deleted := dlq.Delete(ctx, r.c, src, p.delete)
		if r.opts.Journal != nil {
			if err := r.opts.Journal.Deleted(deleted); err != nil {
				return err
			}
		}
	}
	r.mu.Lock()
	r.progress()
	r.mu.Unlock()
	return nil
}

// send sends the copies, one call per target queue (usually there is one),
// and files what was sent for deletion. A permanent error (credentials,
// permissions, a missing queue) stops the run, since every further send
// would fail the same way; what was sent is deleted first.
func (r *copyRun) send(ctx context.Context, p *moves) error {
	j := r.opts.Journal
	var unsent []string
	var release []dlq.Message
	var perm, journalErr error
	for _, group := range byTarget(p.send) {
		t := group[0].d.target
		copies := make([]batch.Message, len(group))
		for k, o := range group {
			copies[k] = o.d.copy
		}
		// What a call sent is journaled as soon as it is answered, not
		// when the whole batch is: a paced batch takes a while, and a run
		// killed meanwhile must not take what was sent for in doubt.
		onDone := func(idx []int, out []batch.Outcome) {
			var ids, to []string
			for k, i := range idx {
				if out[k].Sent() {
					ids, to = append(ids, group[i].msg.MessageID), append(to, out[k].MessageID)
				}
			}
			if err := j.Sent(ids, to); err != nil && journalErr == nil {
				journalErr = err
			}
		}
		// Each call's messages are journaled as intended just before it
		// starts: a run killed meanwhile leaves in doubt only what was in
		// flight.
		beforeCall := func(idx []int) error {
			ids := make([]string, len(idx))
			for k, i := range idx {
				ids[k] = group[i].msg.MessageID
			}
			return j.Intend(ids)
		}
		res := batch.Sender{Client: r.c, QueueURL: t.queue.URL, MaxAttempts: r.opts.MaxAttempts, Limiter: r.limiter, Sleep: r.opts.Sleep,
			BeforeCall: beforeCall, OnDone: onDone}.Send(ctx, copies)
		if res.Permanent != nil {
			perm = res.Permanent
		}
		if journalErr != nil {
			return journalErr
		}
		_, _, failed, never := r.sent(t, group, res.Outcomes, p)
		for k, o := range group {
			if !res.Outcomes[k].Sent() && !res.Outcomes[k].InDoubt {
				unsent = append(unsent, o.msg.MessageID)
			}
		}
		release = append(release, never...)
		if len(failed) > 0 {
			dlq.SetVisibility(ctx, r.c, r.opts.Source.URL, failed, r.holdFor())
		}
	}
	if err := j.Unsent(unsent); err != nil {
		return err
	}
	if len(release) > 0 {
		// Never tried: back in the queue at once, for the next run.
		dlq.SetVisibility(ctx, r.c, r.opts.Source.URL, release, 0)
	}
	if perm != nil {
		if len(p.delete) > 0 {
			if deleted := dlq.Delete(ctx, r.c, r.opts.Source.URL, p.delete); len(deleted) > 0 {
				_ = j.Deleted(deleted)
			}
		}
		return fmt.Errorf("stopped: %s", awsops.ShortError(perm))
	}
	return nil
}

// sent counts the outcomes of one target's sends: the messages sent (by
// source and target MessageId) are filed for deletion; those never tried
// (the run stopped first) are counted as not attempted and returned, to be
// made visible again; the others fail and are returned, to be held.
func (r *copyRun) sent(t *target, group []outgoing, out []batch.Outcome, p *moves) (ids, to []string, failed, never []dlq.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, o := range group {
		switch oc := out[k]; {
		case oc.Sent():
			ids, to = append(ids, o.msg.MessageID), append(to, oc.MessageID)
			p.delete = append(p.delete, o.msg)
			r.res.Moved++
			if o.d.resend {
				r.res.PossibleDuplicates++
			}
		case oc.Attempts == 0:
			r.res.NotAttempted++
			delete(r.active, o.msg.MessageID)
			never = append(never, o.msg)
		case oc.InDoubt:
			r.fail(o.msg, input.Msg("no answer from %s: %s; the next run sends it again, and %s may then hold it twice", t.queue.Name, oc.Err, t.queue.Name))
			failed = append(failed, o.msg)
		default:
			r.fail(o.msg, input.Msg("not sent to %s: %s", t.queue.Name, oc.Err))
			failed = append(failed, o.msg)
		}
	}
	return ids, to, failed, never
}

// byTarget groups the outgoing messages by target, in the order the
// targets first appear.
func byTarget(send []outgoing) [][]outgoing {
	var groups [][]outgoing
	at := map[*target]int{}
	for _, o := range send {
		i, ok := at[o.d.target]
		if !ok {
			i = len(groups)
			at[o.d.target] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], o)
	}
	return groups
}
