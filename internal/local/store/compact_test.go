package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/queue"
)

func fileSize(t *testing.T, dir string) int64 {
	t.Helper()
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// fillAndDrain sends n messages of 8 KiB, then deletes all but every
// 100th, and closes the directory: most of the file is then free pages.
func fillAndDrain(t *testing.T, dir string, n int) queue.State {
	t.Helper()
	db := open(t, dir)
	b := broker(t, clock.NewVirtual(clock.Epoch), db)
	q := must[*queue.Queue](t)(b.CreateQueue("orders", nil, map[string]string{"team": "orders"}))
	body := strings.Repeat("o", 8<<10)
	for i := 0; i < n; i += 10 {
		var batch []queue.SendBatchEntry
		for j := range 10 {
			batch = append(batch, queue.SendBatchEntry{ID: fmt.Sprint(j), SendInput: queue.SendInput{Body: fmt.Sprintf("%d %s", i+j, body)}})
		}
		must[queue.SendBatchOutput](t)(q.SendBatch(batch))
	}
	for {
		ms := must[[]queue.Message](t)(q.Receive(queue.ReceiveInput{MaxNumberOfMessages: 10, VisibilityTimeout: ptr(43200)}))
		if len(ms) == 0 {
			break
		}
		var del []queue.DeleteBatchEntry
		for j, m := range ms {
			if k, _, _ := strings.Cut(m.Body, " "); !strings.HasSuffix(k, "00") {
				del = append(del, queue.DeleteBatchEntry{ID: fmt.Sprint(j), ReceiptHandle: m.ReceiptHandle})
			}
		}
		must[queue.BatchOutput](t)(q.DeleteBatch(del))
	}
	b.Close()
	st := must[queue.State](t)(db.Queues().LoadQueues())
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return st
}

// A file whose messages were mostly deleted shrinks when it is opened
// again, and keeps every live message.
func TestOpenCompactsAMostlyFreeFile(t *testing.T) {
	dir := t.TempDir()
	live := fillAndDrain(t, dir, 2_000)
	before := fileSize(t, dir)
	if n := len(live.Queues[0].Messages); n != 19 {
		t.Fatalf("%d live messages, want 19", n)
	}
	db := open(t, dir)
	defer db.Close()
	after := fileSize(t, dir)
	t.Logf("%d bytes before, %d after", before, after)
	if after*4 > before {
		t.Fatalf("the file went from %d to %d bytes on open; want a quarter or less", before, after)
	}
	got := must[queue.State](t)(db.Queues().LoadQueues())
	if diff := cmp.Diff(live, got); diff != "" {
		t.Fatalf("what the file holds changed (-before +after):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName+".compact")); !os.IsNotExist(err) {
		t.Fatalf("the compaction left its file: %v", err)
	}
	// The compacted file is written to as usual.
	b := broker(t, clock.NewVirtual(clock.Epoch), db)
	q := must[*queue.Queue](t)(b.Queue("orders"))
	must[queue.SendOutput](t)(q.Send(queue.SendInput{Body: "after"}))
	if st := q.Stats(); st.Visible+st.InFlight != 20 {
		t.Fatalf("%d messages after a send, want 20", st.Visible+st.InFlight)
	}
}

// A file with little free space is left as it is on open; Compact
// rewrites it anyway, and keeps what it holds.
func TestCompactWhateverTheGain(t *testing.T) {
	dir := t.TempDir()
	live := fillAndDrain(t, dir, 200) // too small to be worth it
	before := fileSize(t, dir)
	db := open(t, dir)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got := fileSize(t, dir); got != before {
		t.Fatalf("open changed a file with little free space: %d → %d bytes", before, got)
	}
	c, err := Compact(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c.Before != before || c.After != fileSize(t, dir) || c.After > c.Before {
		t.Fatalf("Compact says %+v; the file was %d and is %d bytes", c, before, fileSize(t, dir))
	}
	db = open(t, dir)
	defer db.Close()
	if diff := cmp.Diff(live, must[queue.State](t)(db.Queues().LoadQueues())); diff != "" {
		t.Fatalf("what the file holds changed (-before +after):\n%s", diff)
	}
	if _, err := Compact(dir, 50*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("Compact of a directory in use: %v, want ErrLocked", err)
	}
}
