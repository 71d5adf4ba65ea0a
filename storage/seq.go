package storage

import (
	"sync"

	bolt "go.etcd.io/bbolt"
)

// sequences hands out message sequence numbers at Append time, so callers
// know a message's place in the history before it is committed. Each
// profile's counter starts from its bucket's committed sequence.
type sequences struct {
	mu   sync.Mutex
	last map[string]uint64
}

func (q *sequences) next(s *Store, profileID string) (uint64, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.last == nil {
		q.last = map[string]uint64{}
	}
	last, ok := q.last[profileID]
	if !ok {
		var err error
		if last, err = s.committedSeq(profileID); err != nil {
			return 0, err
		}
	}
	q.last[profileID] = last + 1
	return last + 1, nil
}

// giveBack returns seq when its Append did not queue it; only the newest
// can be given back, which is the only one a waiting Append holds.
func (q *sequences) giveBack(profileID string, seq uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.last[profileID] == seq {
		q.last[profileID] = seq - 1
	}
}

func (q *sequences) forget(profileID string) {
	q.mu.Lock()
	delete(q.last, profileID)
	q.mu.Unlock()
}

func (s *Store) committedSeq(profileID string) (uint64, error) {
	var seq uint64
	err := s.view(func(tx *bolt.Tx) error {
		pb, err := profileBucket(tx, profileID, false)
		if err == nil && pb != nil {
			seq = pb.Bucket(subMessages).Sequence()
		}
		return err
	})
	return seq, err
}
