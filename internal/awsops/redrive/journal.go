package redrive

import (
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/journal"
)

// Journal is where a copy run records its steps before it takes the next
// one, so that a run killed at any point can resume: what it is about to
// send (Intend), what the target accepted (Sent), what it deleted
// (Deleted). Each call returns once the step is recorded; an error stops
// the run. JournalFile is the journal on disk; tests wrap it to kill a run
// at a step.
type Journal interface {
	// Lookup says what the journal knows of a source message: sent (with
	// the target's MessageId), or possibly sent by a run that stopped
	// mid-call.
	Lookup(id string) (to string, sent, uncertain bool)
	Intend(ids []string) error
	Sent(ids, to []string) error
	// Unsent records that ids, intended, were surely not sent: never
	// tried, or refused by the target. The next run sends them as any
	// other, not as possible duplicates.
	Unsent(ids []string) error
	Deleted(ids []string) error
	// Path names the journal for the report.
	Path() string
}

var _ Journal = (*JournalFile)(nil)

// JournalFile records a copy redrive step by step in a file, so that a run
// killed at any point resumes without losing a message and without sending
// again what was already moved. Each line is one JSON record:
//
//	{"k":"start","source":URL,"at":...}      a run began
//	{"k":"send","ids":[...]}                 about to send these messages (by source MessageId)
//	{"k":"sent","ids":[...],"to":[...]}      the target accepted them (new MessageIds)
//	{"k":"unsent","ids":[...]}               surely not sent (never tried, or refused)
//	{"k":"deleted","ids":[...]}              deleted from the dead-letter queue
//	{"k":"end","at":...}                     the run finished
//
// "send" and "sent" are flushed to disk (fsync) before the next step, so
// after a crash a message is either known sent (it is only deleted when
// seen again), or known possibly sent (a "send" without "sent": the call
// was in flight; it is sent again and counted as a possible duplicate), or
// not sent at all. A torn last line is ignored.
type JournalFile struct {
	mu   sync.Mutex
	f    *journal.File
	path string
	// sent maps source MessageIds to the MessageIds the target gave them.
	sent map[string]string
	// inFlight holds MessageIds recorded "send" without "sent".
	inFlight map[string]bool
	deleted  map[string]bool
	runs     int
}

// maxJournalLine bounds one record: a step of at most ten messages.
const maxJournalLine = 1 << 20

type journalRecord struct {
	K      string    `json:"k"`
	Source string    `json:"source,omitempty"`
	IDs    []string  `json:"ids,omitempty"`
	To     []string  `json:"to,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// JournalState is what an existing journal says about earlier runs.
type JournalState struct {
	// Runs counts the earlier runs recorded.
	Runs int
	// Sent counts messages recorded as moved.
	Sent int
	// Uncertain counts messages whose send was in flight when a run
	// stopped: they will be sent again if still in the queue.
	Uncertain int
	// Unfinished is true when the last run did not record its end.
	Unfinished bool
}

// OpenJournal opens (or creates) the journal at path for a redrive of the
// queue sourceURL. A journal written for another queue is an *input.Error.
func OpenJournal(path, sourceURL string) (*JournalFile, JournalState, error) {
	f, err := journal.Open(path)
	if err != nil {
		return nil, JournalState{}, err
	}
	j := &JournalFile{f: f, path: path, sent: map[string]string{}, inFlight: map[string]bool{}, deleted: map[string]bool{}}
	st, err := j.replay(sourceURL)
	if err == nil {
		err = j.write(true, journalRecord{K: "start", Source: sourceURL, At: time.Now().UTC()})
	}
	if err != nil {
		f.Close()
		return nil, st, err
	}
	return j, st, nil
}

// replay reads what the journal recorded of earlier runs and leaves the
// file ready to append.
func (j *JournalFile) replay(sourceURL string) (JournalState, error) {
	ended := true
	err := j.f.Replay(maxJournalLine, func(line int, data []byte) error {
		var r journalRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return input.Errorf("journal", "%s line %d is not a journal record", j.path, line).WithFix("pass another %s file", input.Field("journal"))
		}
		switch r.K {
		case "start":
			if r.Source != sourceURL {
				return input.Errorf("journal", "%s records a redrive of %s, not %s", j.path, r.Source, sourceURL).WithFix("pass another %s file", input.Field("journal"))
			}
			j.runs++
			ended = false
		case "end":
			ended = true
		default:
			j.apply(r)
		}
		return nil
	})
	if err != nil {
		return JournalState{}, err
	}
	return JournalState{Runs: j.runs, Sent: len(j.sent), Uncertain: len(j.inFlight), Unfinished: !ended}, nil
}

// apply takes a step's record into what the journal knows.
func (j *JournalFile) apply(r journalRecord) {
	for i, id := range r.IDs {
		switch r.K {
		case "send":
			if _, ok := j.sent[id]; !ok {
				j.inFlight[id] = true
			}
		case "sent":
			to := ""
			if i < len(r.To) {
				to = r.To[i]
			}
			j.sent[id] = to
			delete(j.inFlight, id)
		case "unsent":
			delete(j.inFlight, id)
		case "deleted":
			j.deleted[id] = true
		}
	}
}

// Path returns the journal's file name.
func (j *JournalFile) Path() string { return j.path }

func (j *JournalFile) write(sync bool, recs ...journalRecord) error {
	rs := make([]any, len(recs))
	for i := range recs {
		rs[i] = recs[i]
	}
	return j.f.Append(sync, rs...)
}

// Lookup says what the journal knows of a source message: sent (with the
// target's MessageId), or possibly sent by a run that stopped mid-call.
func (j *JournalFile) Lookup(id string) (to string, sent, uncertain bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	to, sent = j.sent[id]
	return to, sent, j.inFlight[id]
}

// Intend records that ids are about to be sent, durably.
func (j *JournalFile) Intend(ids []string) error {
	return j.record(true, journalRecord{K: "send", IDs: ids})
}

// Sent records that the target accepted ids as to, durably.
func (j *JournalFile) Sent(ids, to []string) error {
	return j.record(true, journalRecord{K: "sent", IDs: ids, To: to})
}

// Unsent records that ids were surely not sent, durably.
func (j *JournalFile) Unsent(ids []string) error {
	return j.record(true, journalRecord{K: "unsent", IDs: ids})
}

// Deleted records that ids were deleted from the source. It needs no
// flush: a lost "deleted" record costs one harmless delete later.
func (j *JournalFile) Deleted(ids []string) error {
	return j.record(false, journalRecord{K: "deleted", IDs: ids})
}

// record takes a step and writes it, flushed to disk when sync.
func (j *JournalFile) record(sync bool, r journalRecord) error {
	if len(r.IDs) == 0 {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.apply(r)
	return j.write(sync, r)
}

// Close records the end of the run when finished and closes the file.
func (j *JournalFile) Close(finished bool) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var err error
	if finished {
		err = j.write(true, journalRecord{K: "end", At: time.Now().UTC()})
	}
	return errors.Join(err, j.f.Close())
}
