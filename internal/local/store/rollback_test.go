package store

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/queue"
)

// wantInternalError checks that an operation whose commit failed answered
// InternalError (500).
func wantInternalError(t *testing.T, what string, err error) {
	t.Helper()
	var qe *queue.Error
	if !errors.As(err, &qe) || qe.Code != "InternalError" || qe.Status != 500 {
		t.Errorf("%s: %v, want InternalError (500)", what, err)
	}
}

// copyDB copies the database as last committed to a new data directory.
func copyDB(t *testing.T, db *DB) string {
	t.Helper()
	dir := t.TempDir()
	err := db.bolt.View(func(tx *bolt.Tx) error { return tx.CopyFile(filepath.Join(dir, FileName), 0o600) })
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestFailedCommitChangesNothing: every operation that waits for its
// commit answers InternalError when the commit fails, and then memory is
// what the data directory holds: a broker restored from a copy of the file
// and the broker that saw the failures cannot be told apart.
func TestFailedCommitChangesNothing(t *testing.T) {
	clk := clock.NewVirtual(clock.Epoch)
	db := open(t, t.TempDir())
	defer db.Close()
	b := broker(t, clk, db)
	handles := populate(t, b, clk)
	src := must[*queue.Queue](t)(b.Queue("src"))
	fifo := must[*queue.Queue](t)(b.Queue("f.fifo"))
	again := must[*queue.Queue](t)(b.Queue("again"))
	inflight := must[[]queue.Message](t)(src.Receive(queue.ReceiveInput{MaxNumberOfMessages: 2, VisibilityTimeout: ptr(600)}))

	// Receives are not waited for: have them on disk before the failures.
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	diskFull := errors.New("no space left on device")
	db.failCommits.Store(&diskFull)
	_, err := src.Send(queue.SendInput{Body: "lost"})
	wantInternalError(t, "SendMessage", err)
	_, err = src.SendBatch([]queue.SendBatchEntry{{ID: "a", SendInput: queue.SendInput{Body: "lost a"}}, {ID: "b", SendInput: queue.SendInput{Body: "lost b"}}})
	wantInternalError(t, "SendMessageBatch", err)
	_, err = fifo.Send(queue.SendInput{Body: "lost", MessageGroupID: "c", MessageDeduplicationID: "dup-lost"})
	wantInternalError(t, "SendMessage (FIFO)", err)
	wantInternalError(t, "DeleteMessage", src.Delete(inflight[0].ReceiptHandle))
	_, err = src.DeleteBatch([]queue.DeleteBatchEntry{{ID: "a", ReceiptHandle: inflight[1].ReceiptHandle}})
	wantInternalError(t, "DeleteMessageBatch", err)
	wantInternalError(t, "ChangeMessageVisibility", src.ChangeVisibility(inflight[1].ReceiptHandle, 0))
	wantInternalError(t, "PurgeQueue", again.Purge())
	wantInternalError(t, "SetQueueAttributes", src.SetAttributes(map[string]string{queue.AttrVisibilityTimeout: "99"}))
	wantInternalError(t, "TagQueue", src.Tag(map[string]string{"lost": "yes"}))
	wantInternalError(t, "UntagQueue", src.Untag([]string{"env"}))
	_, err = b.CreateQueue("lost", nil, nil)
	wantInternalError(t, "CreateQueue", err)
	wantInternalError(t, "DeleteQueue", b.DeleteQueue("again"))
	db.failCommits.Store(nil)

	// A new message after the failures gets a receipt handle of its own.
	must[queue.SendOutput](t)(src.Send(queue.SendInput{Body: "after"}))
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	clk2 := clock.NewVirtual(clk.Now())
	disk := open(t, copyDB(t, db))
	defer disk.Close()
	restored := broker(t, clk2, disk)
	handles = append(handles, inflight[0].ReceiptHandle, inflight[1].ReceiptHandle)
	want := observe(t, restored, clk2, handles)
	got := observe(t, b, clk, handles)
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(queue.SendOutput{})); diff != "" {
		t.Fatalf("memory after failed commits differs from the disk (-disk +memory):\n%s", diff)
	}
	if ms := got.Msgs["again"]; len(ms) != 1 || ms[0].Body != "kept" {
		t.Errorf("again, whose purge and deletion failed: %v", ms)
	}
	for _, m := range got.Msgs["src"] {
		if strings.HasPrefix(m.Body, "lost") {
			t.Errorf("a send that failed left %q", m.Body)
		}
	}
}

// TestFullDiskChangesNothing fills a small tmpfs (root only; skipped where
// mounting is not allowed): sends answer InternalError once the file
// cannot grow, and what memory holds is what the file holds.
func TestFullDiskChangesNothing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	defer func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	}()
	clk := clock.NewVirtual(clock.Epoch)
	db := open(t, dir)
	b := broker(t, clk, db)
	q := must[*queue.Queue](t)(b.CreateQueue("orders", nil, nil))
	body := strings.Repeat("x", 60<<10)
	sent, failed := 0, 0
	for i := 0; i < 200 && failed < 5; i++ {
		if _, err := q.Send(queue.SendInput{Body: fmt.Sprintf("%d %s", i, body)}); err != nil {
			wantInternalError(t, "SendMessage on a full disk", err)
			failed++
			continue
		}
		sent++
	}
	if failed == 0 {
		t.Fatalf("%d sends of 60 KiB into 2 MiB and none failed", sent)
	}
	if n := q.Stats().Visible; n != sent {
		t.Errorf("memory holds %d messages, %d sends succeeded", n, sent)
	}
	b.Close()
	if err := db.Close(); err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Logf("close: %v", err)
	}
	db = open(t, dir)
	defer db.Close()
	st := must[queue.State](t)(db.Queues().LoadQueues())
	if len(st.Queues) != 1 || len(st.Queues[0].Messages) != sent {
		t.Fatalf("the file holds %d messages, %d sends succeeded", len(st.Queues[0].Messages), sent)
	}
}
