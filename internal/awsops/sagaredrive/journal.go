package sagaredrive

import (
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/journal"
)

// Journal records a bulk redrive step by step, so that a run that is
// killed resumes without redriving any execution twice. JournalFile is the
// journal on disk; tests wrap it to kill a run at a step.
type Journal interface {
	// Lookup says what the journal knows of an execution in the run being
	// resumed: redriven (from redrive count from), or a redrive from that
	// count that was in flight when the run stopped.
	Lookup(arn string) (from int32, redriven, inFlight bool)
	// Intend records, durably, that the execution is about to be redriven
	// from its redrive count from.
	Intend(arn string, from int32) error
	// Redriven records, durably, that the redrive was made.
	Redriven(arn string, from int32) error
	// Path names the journal for the report.
	Path() string
}

var _ Journal = (*JournalFile)(nil)

// JournalFile records a bulk redrive in a file, one JSON record a line:
//
//	{"k":"start","selection":S,"at":...}   a run began (S: the state machine and filters)
//	{"k":"redrive","arn":A,"from":N}       about to redrive A, whose redrive count is N
//	{"k":"redriven","arn":A,"from":N}      A was redriven from count N
//	{"k":"end","at":...}                   the run finished
//
// The records of a run that did not finish are the ones a new run resumes
// with: it skips what they record redriven, and for a redrive in flight
// (no "redriven") it reads the execution's redrive count, which tells
// whether the call landed. A run that finished leaves nothing to resume:
// the next run with the same journal is a new redrive. A torn last line
// (the process died writing it) is ignored.
type JournalFile struct {
	mu       sync.Mutex
	f        *journal.File
	path     string
	redriven map[string]int32
	inFlight map[string]int32
}

// maxJournalLine bounds one record.
const maxJournalLine = 64 << 10

type journalRecord struct {
	K         string    `json:"k"`
	Selection string    `json:"selection,omitempty"`
	ARN       string    `json:"arn,omitempty"`
	From      int32     `json:"from"`
	At        time.Time `json:"at,omitzero"`
}

// JournalState is what a journal says of the run it resumes.
type JournalState struct {
	// Resuming is true when an earlier run with this journal did not
	// finish.
	Resuming bool
	// Redriven counts the executions that run redrove.
	Redriven int
	// InFlight counts the redrives it had under way when it stopped.
	InFlight int
}

// OpenJournal opens (or creates) the journal at path for a bulk redrive of
// selection (the state machine and the filters, as text). A journal of an
// unfinished run of another selection is an *input.Error.
func OpenJournal(path, selection string) (*JournalFile, JournalState, error) {
	f, err := journal.Open(path)
	if err != nil {
		return nil, JournalState{}, err
	}
	j := &JournalFile{f: f, path: path, redriven: map[string]int32{}, inFlight: map[string]int32{}}
	st, err := j.replay(selection)
	if err == nil {
		err = j.write(journalRecord{K: "start", Selection: selection, At: time.Now().UTC()})
	}
	if err != nil {
		f.Close()
		return nil, st, err
	}
	return j, st, nil
}

// replay reads the journal and keeps the records of its last run when that
// run did not finish; it leaves the file ready to append.
func (j *JournalFile) replay(selection string) (JournalState, error) {
	open, lastSelection := false, ""
	err := j.f.Replay(maxJournalLine, func(line int, data []byte) error {
		var r journalRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return input.Errorf("journal", "%s line %d is not a saga redrive journal record", j.path, line).WithFix("pass another %s file", input.Field("journal"))
		}
		switch r.K {
		case "start":
			if !open {
				// A new run: what a finished run did is not resumed.
				clear(j.redriven)
				clear(j.inFlight)
			}
			open, lastSelection = true, r.Selection
		case "end":
			open = false
		case "redrive":
			j.inFlight[r.ARN] = r.From
		case "redriven":
			j.redriven[r.ARN] = r.From
			delete(j.inFlight, r.ARN)
		default:
			return input.Errorf("journal", "%s line %d has the unknown record %q", j.path, line, r.K).WithFix("pass another %s file", input.Field("journal"))
		}
		return nil
	})
	if err != nil {
		return JournalState{}, err
	}
	if open && lastSelection != selection {
		return JournalState{}, input.Errorf("journal", "%s holds an unfinished redrive of %s, not of %s", j.path, lastSelection, selection).
			WithFix("run that redrive again to finish it, or pass another %s file", input.Field("journal"))
	}
	if !open {
		clear(j.redriven)
		clear(j.inFlight)
	}
	return JournalState{Resuming: open, Redriven: len(j.redriven), InFlight: len(j.inFlight)}, nil
}

// write appends r, flushed to disk.
func (j *JournalFile) write(r journalRecord) error { return j.f.Append(true, r) }

// Lookup says what the journal knows of an execution in the run it
// resumes.
func (j *JournalFile) Lookup(arn string) (from int32, redriven, inFlight bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if n, ok := j.redriven[arn]; ok {
		return n, true, false
	}
	n, ok := j.inFlight[arn]
	return n, false, ok
}

// Intend records a redrive about to be made, durably.
func (j *JournalFile) Intend(arn string, from int32) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.inFlight[arn] = from
	return j.write(journalRecord{K: "redrive", ARN: arn, From: from})
}

// Redriven records a redrive made, durably.
func (j *JournalFile) Redriven(arn string, from int32) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.redriven[arn] = from
	delete(j.inFlight, arn)
	return j.write(journalRecord{K: "redriven", ARN: arn, From: from})
}

// Path returns the journal's file name.
func (j *JournalFile) Path() string { return j.path }

// Close records the end of the run when it finished, and closes the file.
func (j *JournalFile) Close(finished bool) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var err error
	if finished {
		err = j.write(journalRecord{K: "end", At: time.Now().UTC()})
	}
	return errors.Join(err, j.f.Close())
}
