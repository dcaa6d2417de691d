package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/yafdp/yafdp/internal/local/binrec"
	"github.com/yafdp/yafdp/internal/queue"
)

// Queues is the queue.Store of a data directory.
type Queues struct{ db *DB }

var _ queue.Store = Queues{}

// Queues returns the broker's store.
func (db *DB) Queues() Queues { return Queues{db} }

// Layout: queues/<name>/ holds "record" (the queue's JSON record), "inc"
// (its incarnation), "seq" (the highest sequence number given) and three
// buckets by sequence number or key: "m" the messages' fixed fields, "r"
// their receive state, "d" the FIFO deduplication ids, "t" the message move
// tasks (JSON, by task id).
var (
	keyRecord  = []byte("record")
	keySeq     = []byte("seq")
	bucketMsg  = []byte("m")
	bucketRcv  = []byte("r")
	bucketDup  = []byte("d")
	bucketTask = []byte("t")
)

// Append queues a change set for the next commit.
func (s Queues) Append(cs []queue.Change) queue.Commit {
	return s.db.append(func(tx *bolt.Tx) error { return applyQueueChanges(tx, cs) })
}

func applyQueueChanges(tx *bolt.Tx, cs []queue.Change) error {
	root := tx.Bucket(bucketQueues)
	for i := range cs {
		c := &cs[i]
		switch c.Kind {
		case queue.ChangePutQueue:
			if err := putQueue(tx, root, c); err != nil {
				return err
			}
			continue
		case queue.ChangeDeleteQueue:
			if qb := current(root, c); qb != nil {
				if err := root.DeleteBucket([]byte(c.Name)); err != nil {
					return err
				}
			}
			continue
		}
		qb := current(root, c)
		if qb == nil {
			continue // a queue deleted (and maybe created again) meanwhile
		}
		var err error
		switch c.Kind {
		case queue.ChangePutMessage:
			k := putUint64(c.Message.Seq)
			if err = qb.Bucket(bucketMsg).Put(k, encodeMessage(&c.Message)); err == nil {
				err = qb.Bucket(bucketRcv).Put(k, encodeReceive(&c.Message))
			}
			if err == nil && c.Message.Seq > getUint64(qb.Get(keySeq)) {
				err = qb.Put(keySeq, k)
			}
		case queue.ChangeReceiveMessage:
			k := putUint64(c.Message.Seq)
			if qb.Bucket(bucketMsg).Get(k) != nil {
				err = qb.Bucket(bucketRcv).Put(k, encodeReceive(&c.Message))
			}
		case queue.ChangeDeleteMessage:
			k := putUint64(c.Message.Seq)
			if err = qb.Bucket(bucketMsg).Delete(k); err == nil {
				err = qb.Bucket(bucketRcv).Delete(k)
			}
		case queue.ChangePurge:
			err = resetBuckets(qb, bucketMsg, bucketRcv)
		case queue.ChangePutDedup:
			err = qb.Bucket(bucketDup).Put([]byte(c.Dedup.Key), encodeDedup(&c.Dedup))
		case queue.ChangeDeleteDedup:
			err = qb.Bucket(bucketDup).Delete([]byte(c.Dedup.Key))
		case queue.ChangePutMoveTask:
			var tb *bolt.Bucket
			if tb, err = qb.CreateBucketIfNotExists(bucketTask); err == nil {
				var doc []byte
				if doc, err = json.Marshal(c.Task); err == nil {
					err = tb.Put([]byte(c.Task.ID), doc)
				}
			}
		default:
			err = fmt.Errorf("unknown queue change %d", c.Kind)
		}
		if err != nil {
			return fmt.Errorf("queue %s: %w", c.Name, err)
		}
	}
	return nil
}

// current returns the queue's bucket when it holds the change's
// incarnation.
func current(root *bolt.Bucket, c *queue.Change) *bolt.Bucket {
	qb := root.Bucket([]byte(c.Name))
	if qb == nil || uint32(getUint64(qb.Get(keyInc))) != c.Inc {
		return nil
	}
	return qb
}

func putQueue(tx *bolt.Tx, root *bolt.Bucket, c *queue.Change) error {
	rec, err := json.Marshal(queueRecord{Name: c.Queue.Name, FIFO: c.Queue.FIFO, Created: c.Queue.Created,
		Modified: c.Queue.Modified, Attributes: c.Queue.Attributes, Tags: c.Queue.Tags})
	if err != nil {
		return err
	}
	name := []byte(c.Name)
	qb := root.Bucket(name)
	if qb != nil && uint32(getUint64(qb.Get(keyInc))) != c.Inc {
		// A new queue of an old name: nothing of the old one stays.
		if err := root.DeleteBucket(name); err != nil {
			return err
		}
		qb = nil
	}
	if qb == nil {
		if qb, err = root.CreateBucket(name); err != nil {
			return err
		}
		if err := resetBuckets(qb, bucketMsg, bucketRcv, bucketDup, bucketTask); err != nil {
			return err
		}
		if err := qb.Put(keyInc, putUint64(uint64(c.Inc))); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if uint64(c.Inc) > getUint64(meta.Get(keyInc)) {
			if err := meta.Put(keyInc, putUint64(uint64(c.Inc))); err != nil {
				return err
			}
		}
	}
	return qb.Put(keyRecord, rec)
}

// resetBuckets empties (creating) sub-buckets.
func resetBuckets(qb *bolt.Bucket, names ...[]byte) error {
	for _, n := range names {
		if qb.Bucket(n) != nil {
			if err := qb.DeleteBucket(n); err != nil {
				return err
			}
		}
		b, err := qb.CreateBucket(n)
		if err != nil {
			return err
		}
		if string(n) == string(bucketMsg) {
			b.FillPercent = 0.9 // keys only grow
		}
	}
	return nil
}

// queueRecord is the JSON of a queue's record.
type queueRecord struct {
	Name       string            `json:"name"`
	FIFO       bool              `json:"fifo,omitempty"`
	Created    int64             `json:"created"`
	Modified   int64             `json:"modified"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
}

// LoadQueues reads every queue with its messages and deduplication ids.
func (s Queues) LoadQueues() (queue.State, error) {
	var st queue.State
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		st.Incarnation = uint32(getUint64(tx.Bucket(bucketMeta).Get(keyInc)))
		root := tx.Bucket(bucketQueues)
		return root.ForEachBucket(func(name []byte) error {
			r, err := loadQueue(root.Bucket(name), name)
			st.Queues = append(st.Queues, r)
			return err
		})
	})
	return st, err
}

// LoadQueue reads one queue with its messages and deduplication ids as
// last committed (the broker's rollback after a failed commit).
func (s Queues) LoadQueue(name string) (r queue.QueueRecord, ok bool, err error) {
	err = s.db.bolt.View(func(tx *bolt.Tx) error {
		qb := tx.Bucket(bucketQueues).Bucket([]byte(name))
		if qb == nil {
			return nil
		}
		ok = true
		r, err = loadQueue(qb, []byte(name))
		return err
	})
	return r, ok, err
}

func loadQueue(qb *bolt.Bucket, name []byte) (queue.QueueRecord, error) {
	var qr queueRecord
	if err := json.Unmarshal(qb.Get(keyRecord), &qr); err != nil {
		return queue.QueueRecord{}, fmt.Errorf("queue %s: %w", name, err)
	}
	r := queue.QueueRecord{Name: qr.Name, FIFO: qr.FIFO, Inc: uint32(getUint64(qb.Get(keyInc))),
		Created: qr.Created, Modified: qr.Modified, Attributes: qr.Attributes, Tags: qr.Tags,
		Seq: getUint64(qb.Get(keySeq))}
	rcv := qb.Bucket(bucketRcv)
	err := qb.Bucket(bucketMsg).ForEach(func(k, v []byte) error {
		m, err := decodeMessage(v)
		if err != nil {
			return err
		}
		m.Seq = getUint64(k)
		if err := decodeReceive(rcv.Get(k), &m); err != nil {
			return err
		}
		r.Messages = append(r.Messages, m)
		return nil
	})
	if err == nil {
		err = qb.Bucket(bucketDup).ForEach(func(k, v []byte) error {
			d, err := decodeDedup(v)
			d.Key = string(k)
			r.Dedup = append(r.Dedup, d)
			return err
		})
	}
	if tb := qb.Bucket(bucketTask); tb != nil && err == nil {
		err = tb.ForEach(func(_, v []byte) error {
			var t queue.MoveTaskRecord
			err := json.Unmarshal(v, &t)
			r.MoveTasks = append(r.MoveTasks, t)
			return err
		})
	}
	if err != nil {
		return r, fmt.Errorf("queue %s: %w", name, err)
	}
	return r, nil
}

// The message codec: binrec records.

const codecVersion = 1

var errCorrupt = errors.New("corrupt record")

func putUint64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func getUint64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func encodeMessage(m *queue.MessageRecord) []byte {
	n := 32 + len(m.ID) + len(m.Body) + len(m.TraceHeader) + len(m.GroupID) + len(m.DeduplicationID) + len(m.SenderID) + len(m.DeadLetterSourceARN)
	for k, a := range m.Attributes {
		n += 16 + len(k) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	b := make([]byte, 0, n)
	b = append(b, codecVersion)
	for _, s := range [...]string{m.ID, m.Body, m.TraceHeader, m.GroupID, m.DeduplicationID, m.SenderID, m.DeadLetterSourceARN} {
		b = binrec.AppendString(b, s)
	}
	b = binary.AppendVarint(b, m.SentAt)
	b = binary.AppendVarint(b, m.Origin)
	b = binary.AppendUvarint(b, uint64(len(m.Attributes)))
	for k, a := range m.Attributes {
		b = binrec.AppendString(b, k)
		b = binrec.AppendString(b, a.DataType)
		b = binrec.AppendString(b, a.StringValue)
		b = binrec.AppendString(b, string(a.BinaryValue))
	}
	return b
}

func decodeMessage(b []byte) (queue.MessageRecord, error) {
	r := binrec.NewReader(b, codecVersion, errCorrupt)
	var m queue.MessageRecord
	m.ID, m.Body, m.TraceHeader = r.String(), r.String(), r.String()
	m.GroupID, m.DeduplicationID, m.SenderID, m.DeadLetterSourceARN = r.String(), r.String(), r.String(), r.String()
	m.SentAt, m.Origin = r.Varint(), r.Varint()
	if n := r.Uvarint(); n > 0 && r.Err() == nil {
		if n > queue.MaxMessageAttributes {
			return m, errCorrupt
		}
		m.Attributes = make(map[string]queue.MessageAttributeValue, n)
		for range n {
			k := r.String()
			a := queue.MessageAttributeValue{DataType: r.String(), StringValue: r.String()}
			if bv := r.String(); bv != "" {
				a.BinaryValue = []byte(bv)
			}
			m.Attributes[k] = a
		}
	}
	return m, r.End()
}

func encodeReceive(m *queue.MessageRecord) []byte {
	b := make([]byte, 0, 1+4*binary.MaxVarintLen64)
	b = append(b, codecVersion)
	b = binary.AppendUvarint(b, uint64(m.Receives))
	b = binary.AppendVarint(b, m.FirstReceive)
	b = binary.AppendVarint(b, m.ReceivedAt)
	return binary.AppendVarint(b, m.VisibleAt)
}

func decodeReceive(b []byte, m *queue.MessageRecord) error {
	r := binrec.NewReader(b, codecVersion, errCorrupt)
	m.Receives = int32(r.Uvarint())
	m.FirstReceive, m.ReceivedAt, m.VisibleAt = r.Varint(), r.Varint(), r.Varint()
	return r.Err()
}

func encodeDedup(d *queue.DedupRecord) []byte {
	b := []byte{codecVersion}
	b = binrec.AppendString(b, d.MessageID)
	b = binrec.AppendString(b, d.SequenceNumber)
	return binary.AppendVarint(b, d.Until)
}

func decodeDedup(b []byte) (queue.DedupRecord, error) {
	r := binrec.NewReader(b, codecVersion, errCorrupt)
	d := queue.DedupRecord{MessageID: r.String(), SequenceNumber: r.String()}
	d.Until = r.Varint()
	return d, r.Err()
}
