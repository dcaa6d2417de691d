package sagaredrive

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJournalResumesOnlyAnUnfinishedRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	j, st, err := OpenJournal(path, "sel")
	if err != nil || st.Resuming {
		t.Fatalf("new journal: %+v %v", st, err)
	}
	if err := j.Intend("a", 0); err != nil {
		t.Fatal(err)
	}
	if err := j.Redriven("a", 0); err != nil {
		t.Fatal(err)
	}
	if err := j.Intend("b", 2); err != nil {
		t.Fatal(err)
	}
	j.Close(false) // killed
	// A torn last line (the process died writing it) is ignored.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"k":"redriven","arn":"b"`)
	f.Close()

	if _, _, err := OpenJournal(path, "other"); err == nil || !strings.Contains(err.Error(), "unfinished redrive of sel") {
		t.Fatalf("another selection on an unfinished journal: %v", err)
	}
	j, st, err = OpenJournal(path, "sel")
	if err != nil || !st.Resuming || st.Redriven != 1 || st.InFlight != 1 {
		t.Fatalf("resumed: %+v %v", st, err)
	}
	if from, done, _ := j.Lookup("a"); !done || from != 0 {
		t.Errorf("a: from %d done %v", from, done)
	}
	if from, done, inFlight := j.Lookup("b"); done || !inFlight || from != 2 {
		t.Errorf("b: from %d done %v in flight %v", from, done, inFlight)
	}
	j.Close(true)

	j, st, err = OpenJournal(path, "other")
	if err != nil || st.Resuming {
		t.Fatalf("after a finished run: %+v %v", st, err)
	}
	if _, done, inFlight := j.Lookup("a"); done || inFlight {
		t.Error("a finished run's records were resumed")
	}
	j.Close(true)

	os.WriteFile(path, []byte("not json\n"), 0o600)
	if _, _, err := OpenJournal(path, "sel"); err == nil || !strings.Contains(err.Error(), "line 1 is not a saga redrive journal record") {
		t.Errorf("a file that is not a journal: %v", err)
	}
}
