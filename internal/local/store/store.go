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
