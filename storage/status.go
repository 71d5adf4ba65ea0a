package storage

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/mqttdesk/mqttdesk/model"
)

// SetStatus records how publish seq of profileID went: "" when it was
// sent, or why not (see Message.Status). It waits for the record to be
// committed (Flush) and rewrites it; a record retention has deleted
// meanwhile is no error.
func (s *Store) SetStatus(ctx context.Context, profileID string, seq uint64, status string) error {
	if err := s.Flush(ctx); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		pb, err := profileBucket(tx, profileID, false)
		if err != nil || pb == nil {
			return err
		}
		return rewriteStatus(pb, seq, status)
	})
	if err != nil {
		return fmt.Errorf("storage: set the status of message %d of %s: %w", seq, profileID, err)
	}
	return nil
}

var errNotPublished = errors.New("the message was received, not published")

func rewriteStatus(pb *bolt.Bucket, seq uint64, status string) error {
	msgs := pb.Bucket(subMessages)
	v := msgs.Get(seqKey(seq))
	if v == nil {
		return nil
	}
	var m Message
	topicID, err := decodeRecord(v, &m)
	if err != nil {
		return err
	}
	if m.Direction != model.Published {
		return errNotPublished
	}
	m.Status = status
	out, err := encodeRecord(&m, topicID, nil)
	if err != nil {
		return err
	}
	c, err := readCounters(pb)
	if err != nil {
		return err
	}
	c.bytes += int64(len(out) - len(v))
	if err := msgs.Put(seqKey(seq), out); err != nil {
		return err
	}
	return writeCounters(pb, c)
}
