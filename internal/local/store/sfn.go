package store

import (
	bolt "go.etcd.io/bbolt"

	"github.com/yafdp/yafdp/internal/local/sfnapi"
)

// SFN is the sfnapi.Store of a data directory: sfn/<kind>/<ARN> holds each
// document.
type SFN struct{ db *DB }

var _ sfnapi.Store = SFN{}

// SFN returns the Step Functions service's store.
func (db *DB) SFN() SFN { return SFN{db} }

func kindBucket(tx *bolt.Tx, kind string) (*bolt.Bucket, error) {
	return tx.Bucket(bucketSFN).CreateBucketIfNotExists([]byte(kind))
}

// Put stores a document at the next commit.
func (s SFN) Put(kind, key string, doc []byte) sfnapi.Commit {
	return s.db.append(func(tx *bolt.Tx) error {
		b, err := kindBucket(tx, kind)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), doc)
	})
}

// Delete deletes a document at the next commit.
func (s SFN) Delete(kind, key string) sfnapi.Commit {
	return s.db.append(func(tx *bolt.Tx) error {
		b, err := kindBucket(tx, kind)
		if err != nil {
			return err
		}
		return b.Delete([]byte(key))
	})
}

// Each calls f for every document of a kind, in key order. f may call Put
// and Delete: they are applied at a later commit.
func (s SFN) Each(kind string, f func(key string, doc []byte) error) error {
	type kv struct{ k, v []byte }
	var all []kv
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSFN).Bucket([]byte(kind))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			all = append(all, kv{append([]byte(nil), k...), append([]byte(nil), v...)})
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, e := range all {
		if err := f(string(e.k), e.v); err != nil {
			return err
		}
	}
	return nil
}
