package store

import (
	"encoding/binary"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/yafdp/yafdp/internal/local/sfnapi"
)

// SFN is the sfnapi.Store of a data directory: sfn/<kind>/<key> holds each
// document, except history events, which are by far the most: each
// execution's events are in a bucket of their own, sfn/event/<ARN>/<id>,
// keyed by the event id in 8 bytes, so that an event is an append to a
// small bucket rather than an insert among every other execution's events
// under a long key.
type SFN struct{ db *DB }

var _ sfnapi.Store = SFN{}

// SFN returns the Step Functions service's store.
func (db *DB) SFN() SFN { return SFN{db} }

func kindBucket(tx *bolt.Tx, kind string) (*bolt.Bucket, error) {
	return tx.Bucket(bucketSFN).CreateBucketIfNotExists([]byte(kind))
}

// splitEventKey splits an sfnapi.EventKey into the execution's bucket name
// and the event id's key.
func splitEventKey(key string) (exec []byte, id []byte, ok bool) {
	i := strings.LastIndexByte(key, '#')
	if i < 0 {
		return nil, nil, false
	}
	n, err := strconv.ParseUint(key[i+1:], 10, 64)
	if err != nil {
		return nil, nil, false
	}
	return []byte(key[:i]), binary.BigEndian.AppendUint64(nil, n), true
}

// Put stores a document at the next commit.
func (s SFN) Put(kind, key string, doc []byte) sfnapi.Commit { return s.change(kind, key, doc, false) }

// Delete deletes a document at the next commit.
func (s SFN) Delete(kind, key string) sfnapi.Commit { return s.change(kind, key, nil, true) }

// change puts doc at key, or deletes key, at the next commit: under
// sfn/<kind>, or for an event in its execution's bucket, which goes when
// its last event does.
func (s SFN) change(kind, key string, doc []byte, del bool) sfnapi.Commit {
	return s.db.append(func(tx *bolt.Tx) error {
		b, err := kindBucket(tx, kind)
		if err != nil {
			return err
		}
		if kind == sfnapi.KindEvent {
			if exec, id, ok := splitEventKey(key); ok {
				return changeEvent(b, exec, id, doc, del)
			}
		}
		if del {
			return b.Delete([]byte(key))
		}
		return b.Put([]byte(key), doc)
	})
}

func changeEvent(b *bolt.Bucket, exec, id, doc []byte, del bool) error {
	if !del {
		eb, err := b.CreateBucketIfNotExists(exec)
		if err != nil {
			return err
		}
		eb.FillPercent = 0.95 // ids only grow
		return eb.Put(id, doc)
	}
	eb := b.Bucket(exec)
	if eb == nil {
		return nil
	}
	if err := eb.Delete(id); err != nil {
		return err
	}
	if k, _ := eb.Cursor().First(); k == nil {
		return b.DeleteBucket(exec)
	}
	return nil
}

// Each calls f for every document of a kind, in key order. f may call Put
// and Delete: they are applied at a later commit.
func (s SFN) Each(kind string, f func(key string, doc []byte) error) error {
	type kv struct {
		k string
		v []byte
	}
	var all []kv
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSFN).Bucket([]byte(kind))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if v != nil {
				all = append(all, kv{string(k), append([]byte(nil), v...)})
				return nil
			}
			// An execution's events.
			return b.Bucket(k).ForEach(func(id, v []byte) error {
				all = append(all, kv{sfnapi.EventKey(string(k), int64(binary.BigEndian.Uint64(id))), append([]byte(nil), v...)})
				return nil
			})
		})
	})
	if err != nil {
		return err
	}
	for _, e := range all {
		if err := f(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}
