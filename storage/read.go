package storage

import (
	"context"
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Reads use short read transactions; they never wait for the writer.

// NewestPage returns the newest n messages of profileID, oldest first.
func (s *Store) NewestPage(profileID string, n int) ([]Message, error) {
	return s.page(profileID, n, func(c *bolt.Cursor) ([]byte, []byte) { return c.Last() }, (*bolt.Cursor).Prev, true)
}

// PageBefore returns up to n messages older than seq, oldest first.
func (s *Store) PageBefore(profileID string, seq uint64, n int) ([]Message, error) {
	start := func(c *bolt.Cursor) ([]byte, []byte) {
		if k, _ := c.Seek(seqKey(seq)); k == nil {
			return c.Last()
		}
		return c.Prev()
	}
	return s.page(profileID, n, start, (*bolt.Cursor).Prev, true)
}

// PageAfter returns up to n messages newer than seq, oldest first.
func (s *Store) PageAfter(profileID string, seq uint64, n int) ([]Message, error) {
	start := func(c *bolt.Cursor) ([]byte, []byte) { return c.Seek(seqKey(seq + 1)) }
	return s.page(profileID, n, start, (*bolt.Cursor).Next, false)
}

// page walks from start in the direction of step, collecting up to n
// messages; backwards pages are reversed into time order.
func (s *Store) page(profileID string, n int, start func(*bolt.Cursor) ([]byte, []byte), step func(*bolt.Cursor) ([]byte, []byte), backwards bool) ([]Message, error) {
	var out []Message
	err := s.view(func(tx *bolt.Tx) error {
		pb, cache, err := s.readBucket(tx, profileID)
		if err != nil || pb == nil {
			return err
		}
		c := pb.Bucket(subMessages).Cursor()
		for k, v := start(c); k != nil && len(out) < n; k, v = step(c) {
			m, err := decodeMessage(k, v, cache)
			if err != nil {
				return err
			}
			if l := len(out); l > 0 && !inOrder(out[l-1].Seq, m.Seq, backwards) {
				return errKeyOrder
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, errHistory("read", profileID, err)
	}
	if backwards {
		reverse(out)
	}
	return out, nil
}

// inOrder reports whether next may follow prev in a walk over keys,
// which bbolt keeps sorted unless the file is damaged.
func inOrder(prev, next uint64, backwards bool) bool {
	if backwards {
		return next < prev
	}
	return next > prev
}

func reverse(ms []Message) {
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
}

// decodeMessage decodes the message with key k and record v.
func decodeMessage(k, v []byte, cache *topicCache) (Message, error) {
	var m Message
	seq, err := keySeq(k)
	if err != nil {
		return m, err
	}
	m.Seq = seq
	id, err := decodeRecord(v, &m)
	if err != nil {
		return m, fmt.Errorf("message %d: %w", seq, err)
	}
	if m.Topic, err = cache.name(id); err != nil {
		return m, fmt.Errorf("message %d: %w", seq, err)
	}
	return m, nil
}

// readBucket returns the profile's history bucket and its loaded topic
// cache; a nil bucket when the profile has no history.
func (s *Store) readBucket(tx *bolt.Tx, profileID string) (*bolt.Bucket, *topicCache, error) {
	pb, err := profileBucket(tx, profileID, false)
	if err != nil || pb == nil {
		return nil, nil, err
	}
	cache := s.topics.of(profileID)
	return pb, cache, cache.load(pb)
}

// HistoryStats are the size of one profile's history.
type HistoryStats struct {
	Count int64 // messages kept
	Bytes int64 // bytes of their records
}

// HistoryStats returns the size of profileID's history.
func (s *Store) HistoryStats(profileID string) (HistoryStats, error) {
	var st HistoryStats
	err := s.view(func(tx *bolt.Tx) error {
		pb, err := profileBucket(tx, profileID, false)
		if err != nil || pb == nil {
			return err
		}
		c, err := readCounters(pb)
		st = HistoryStats{Count: c.count, Bytes: c.bytes}
		return err
	})
	if err != nil {
		return st, errHistory("count", profileID, err)
	}
	return st, nil
}

// LatestPerTopic returns the newest message of every topic of profileID,
// by topic.
func (s *Store) LatestPerTopic(profileID string) (map[string]Message, error) {
	out := map[string]Message{}
	err := s.view(func(tx *bolt.Tx) error {
		pb, cache, err := s.readBucket(tx, profileID)
		if err != nil || pb == nil {
			return err
		}
		msgs := pb.Bucket(subMessages)
		return pb.Bucket(subLatest).ForEach(func(id, seq []byte) error {
			if len(id) != 8 || len(seq) != 8 {
				return errCorruptKey
			}
			v := msgs.Get(seq)
			if v == nil {
				return nil // pruned by retention
			}
			m, err := decodeMessage(seq, v, cache)
			if err == nil {
				out[m.Topic] = m
			}
			return err
		})
	})
	if err != nil {
		return nil, errHistory("read", profileID, err)
	}
	return out, nil
}

// ClearHistory deletes every message of profileID. Messages still queued
// for it are committed first, so none arrive after the clear.
func (s *Store) ClearHistory(ctx context.Context, profileID string) error {
	if err := s.Flush(ctx); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketHistory).DeleteBucket([]byte(profileID))
		if errors.Is(err, bolterrors.ErrBucketNotFound) {
			return nil
		}
		return err
	})
	s.topics.forget(profileID)
	s.seqs.forget(profileID)
	if err != nil {
		return errHistory("clear", profileID, err)
	}
	return nil
}

// DiskUsage returns the bytes the database uses and the size of its file,
// which bbolt grows ahead of use (in steps of up to 16 MB).
func (s *Store) DiskUsage() (used, file int64, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		used = tx.Size()
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("storage: size of %s: %w", s.path, err)
	}
	info, err := os.Stat(s.path)
	if err != nil {
		return used, 0, fmt.Errorf("storage: size of %s: %w", s.path, err)
	}
	return used, info.Size(), nil
}
