package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/mqttdesk/mqttdesk/model"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

const (
	defaultRetentionKey = "retention"
	pruneChunk          = 5000 // messages deleted per transaction
	pruneEvery          = 10 * time.Second
)

func profileRetentionKey(profileID string) string { return "retention/" + profileID }

// SetDefaultRetention sets the retention of profiles without their own.
func (s *Store) SetDefaultRetention(r model.Retention) error {
	return s.PutSetting(defaultRetentionKey, r)
}

// SetRetention sets profileID's own retention; nil returns it to the
// default.
func (s *Store) SetRetention(profileID string, r *model.Retention) error {
	if r == nil {
		return s.PutSetting(profileRetentionKey(profileID), nil)
	}
	return s.PutSetting(profileRetentionKey(profileID), r)
}

// GlobalRetention returns the retention of profiles without their own.
func (s *Store) GlobalRetention() model.Retention {
	d := model.DefaultRetention
	_ = s.GetSetting(defaultRetentionKey, &d)
	return d
}

// RetentionOf returns the retention that applies to profileID.
func (s *Store) RetentionOf(profileID string) model.Retention {
	var r *model.Retention
	if err := s.GetSetting(profileRetentionKey(profileID), &r); err == nil && r != nil {
		return *r
	}
	d := model.DefaultRetention
	_ = s.GetSetting(defaultRetentionKey, &d)
	return d
}

// Prune deletes the oldest messages of every profile beyond its retention,
// a chunk per transaction so that appends never wait long. It returns how
// many it deleted. The store prunes by itself every 10 seconds.
func (s *Store) Prune(ctx context.Context) (int64, error) {
	var total int64
	for _, id := range s.historyProfiles() {
		r := s.RetentionOf(id)
		for ctx.Err() == nil {
			n, err := s.pruneChunk(id, r, time.Now())
			total += n
			if err != nil {
				return total, errHistory("prune", id, err)
			}
			if n < pruneChunk {
				break
			}
		}
	}
	return total, ctx.Err()
}

func (s *Store) historyProfiles() []string {
	var ids []string
	_ = s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketHistory).ForEachBucket(func(k []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	return ids
}

// pruneChunk deletes up to pruneChunk of the oldest messages that r says
// must go.
func (s *Store) pruneChunk(profileID string, r model.Retention, now time.Time) (int64, error) {
	var n int64
	err := s.update(func(tx *bolt.Tx) error {
		pb, err := profileBucket(tx, profileID, false)
		if err != nil || pb == nil {
			return err
		}
		c, err := readCounters(pb)
		if err != nil {
			return err
		}
		msgs := pb.Bucket(subMessages)
		var doomed [][]byte
		cur := msgs.Cursor()
		for k, v := cur.First(); k != nil && len(doomed) < pruneChunk; k, v = cur.Next() {
			if !mustGo(r, c, v, now) {
				break
			}
			doomed = append(doomed, append([]byte(nil), k...))
			c.count--
			c.bytes -= int64(len(v))
		}
		for _, k := range doomed {
			if err := msgs.Delete(k); err != nil {
				return err
			}
		}
		n = int64(len(doomed))
		if n == 0 {
			return nil
		}
		return writeCounters(pb, c)
	})
	return n, err
}

// mustGo reports whether the oldest remaining message, record v, must be
// deleted given the counters left.
func mustGo(r model.Retention, c counters, v []byte, now time.Time) bool {
	if r.MaxMessages > 0 && c.count > r.MaxMessages {
		return true
	}
	if r.MaxBytes > 0 && c.bytes > r.MaxBytes {
		return true
	}
	if r.MaxAge > 0 {
		t, err := recordTime(v)
		return err == nil && now.Sub(t) > r.MaxAge
	}
	return false
}

// recordTime reads a record's time without decoding the rest.
func recordTime(v []byte) (time.Time, error) {
	if len(v) < 2 {
		return time.Time{}, errCorruptRecord
	}
	ms, n := binary.Uvarint(v[1:])
	if n <= 0 {
		return time.Time{}, errCorruptRecord
	}
	return time.UnixMilli(int64(ms)), nil
}

// pruneLoop prunes every pruneEvery until done closes.
func (s *Store) pruneLoop(done <-chan struct{}) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if _, err := s.Prune(context.Background()); err != nil && !errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
				s.pruneErr.Store(fmt.Errorf("storage: prune: %w", err))
			}
		}
	}
}
