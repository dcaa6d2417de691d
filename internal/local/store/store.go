package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FileName is the database file inside the data directory.
const FileName = "yafdp-local.db"

// schemaVersion is written once; a newer one is refused.
const schemaVersion = 1

// ErrLocked is returned by Open when another process holds the database.
var ErrLocked = errors.New("the data directory is in use by another process")

// DB is an open data directory.
type DB struct {
	bolt *bolt.DB
	path string

	mu      sync.Mutex
	cond    *sync.Cond
	cur     *batch
	closed  bool
	stopped chan struct{}

	// failCommits, when set, makes the next commits fail with its error
	// without writing anything: the tests' stand-in for a full disk.
	failCommits atomic.Pointer[error]
}

// batch is the changes collected while the previous batch was written. It
// is the Commit every Append of the batch returns.
type batch struct {
	fns  []func(*bolt.Tx) error
	done chan struct{}
	err  error
}

// Wait blocks until the batch is on disk.
func (b *batch) Wait() error {
	<-b.done
	return b.err
}

// Open opens (creating it when needed) the database in dir. It waits up to
// lockTimeout for another process that holds it; then it returns an error
// wrapping ErrLocked.
func Open(dir string, lockTimeout time.Duration) (*DB, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case !fi.IsDir():
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	path := filepath.Join(dir, FileName)
	bdb, err := openBolt(path, lockTimeout)
	if err != nil {
		return nil, err
	}
	if worthCompacting(bdb) {
		// A failed compaction (the disk may be full: that is when the
		// space is missed most) leaves the file as it was, and open.
		if _, err := compact(bdb, path); err == nil {
			if bdb, err = openBolt(path, lockTimeout); err != nil {
				return nil, err
			}
		}
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if v := meta.Get(keyVersion); v != nil {
			if n := getUint64(v); n > schemaVersion {
				return fmt.Errorf("%s was written by a newer yafdp (schema %d, this one reads %d)", path, n, schemaVersion)
			}
		} else if err := meta.Put(keyVersion, putUint64(schemaVersion)); err != nil {
			return err
		}
		for _, b := range [][]byte{bucketQueues, bucketSFN} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		bdb.Close()
		return nil, err
	}
	db := &DB{bolt: bdb, path: path, stopped: make(chan struct{})}
	db.cond = sync.NewCond(&db.mu)
	db.cur = newBatch()
	go db.writer()
	return db, nil
}

func openBolt(path string, lockTimeout time.Duration) (*bolt.DB, error) {
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: lockTimeout,
		// The freelist is rebuilt at open instead of written at every
		// commit: fewer pages per fsync.
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	return bdb, err
}

// Compaction is what compacting a data directory's file did: its size
// before and after, in bytes.
type Compaction struct{ Before, After int64 }

// Compact rewrites the database in dir into a new file that holds only
// what is live, and puts it in place of the old one. bbolt reuses the
// pages that deleted messages and forgotten executions leave free, but
// never gives them back to the file system: 300,000 messages sent and
// deleted leave a file of about 100 MiB. Open compacts by itself when at
// least half the file, and 4 MiB, is free; Compact does it whatever the
// gain (`local up --compact`). It takes the directory's lock, waiting up
// to lockTimeout like Open.
func Compact(dir string, lockTimeout time.Duration) (Compaction, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return Compaction{}, err
	}
	bdb, err := openBolt(path, lockTimeout)
	if err != nil {
		return Compaction{}, err
	}
	c, err := compact(bdb, path)
	if err != nil {
		bdb.Close()
	}
	return c, err
}

// compactMinGain is the least free space for which Open compacts.
const compactMinGain = 4 << 20

// worthCompacting: at least half the file, and compactMinGain, is free
// (free pages, and the room past the last page bbolt has used).
func worthCompacting(bdb *bolt.DB) bool {
	fi, err := os.Stat(bdb.Path())
	if err != nil {
		return false
	}
	var used int64
	if err := bdb.View(func(tx *bolt.Tx) error { used = tx.Size(); return nil }); err != nil {
		return false
	}
	st := bdb.Stats()
	free := int64(st.FreePageN+st.PendingPageN)*int64(bdb.Info().PageSize) + max(0, fi.Size()-used)
	return free >= compactMinGain && 2*free >= fi.Size()
}

// compact copies src into a new file beside path and renames it over
// path. On success src is closed; on failure the new file is removed and
// src is left open and as it was.
func compact(src *bolt.DB, path string) (Compaction, error) {
	var c Compaction
	fi, err := os.Stat(path)
	if err != nil {
		return c, err
	}
	c.Before = fi.Size()
	tmp := path + ".compact"
	_ = os.Remove(tmp) // left by a compaction that crashed
	dst, err := openBolt(tmp, 0)
	if err == nil {
		err = bolt.Compact(dst, src, 64<<20)
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		_ = os.Remove(tmp)
		return c, err
	}
	// src keeps the old file open until it is closed: rename first, so
	// that a failure leaves it open and in use.
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return c, err
	}
	_ = src.Close()
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // the rename is durable
		d.Close()
	}
	if fi, err := os.Stat(path); err == nil {
		c.After = fi.Size()
	}
	return c, nil
}

func newBatch() *batch { return &batch{done: make(chan struct{})} }

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// errClosed is what changes appended after Close get.
var errClosed = errors.New("the data directory was closed")

// append queues f for the next commit and returns that commit. It never
// blocks on I/O.
func (db *DB) append(f func(*bolt.Tx) error) *batch {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		b := newBatch()
		b.err = errClosed
		close(b.done)
		return b
	}
	b := db.cur
	b.fns = append(b.fns, f)
	if len(b.fns) == 1 {
		db.cond.Signal()
	}
	return b
}

// writer commits the batches, one transaction each, until Close.
func (db *DB) writer() {
	defer close(db.stopped)
	for {
		db.mu.Lock()
		for len(db.cur.fns) == 0 && !db.closed {
			db.cond.Wait()
		}
		b := db.cur
		closed := db.closed
		db.cur = newBatch()
		db.mu.Unlock()
		if err := db.failCommits.Load(); err != nil && len(b.fns) > 0 {
			b.err = *err
		} else if len(b.fns) > 0 {
			b.err = db.bolt.Update(func(tx *bolt.Tx) error {
				for _, f := range b.fns {
					if err := f(tx); err != nil {
						return err
					}
				}
				return nil
			})
		}
		close(b.done)
		if closed {
			return
		}
	}
}

// Sync waits until everything appended so far is on disk.
func (db *DB) Sync() error {
	return db.append(func(*bolt.Tx) error { return nil }).Wait()
}

// Close writes what is pending and closes the file.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	db.cond.Signal()
	db.mu.Unlock()
	<-db.stopped
	return db.bolt.Close()
}

var (
	bucketMeta   = []byte("meta")
	bucketQueues = []byte("queues")
	bucketSFN    = []byte("sfn")
	keyVersion   = []byte("version")
	keyInc       = []byte("incarnation")
)
