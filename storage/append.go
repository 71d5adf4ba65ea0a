package storage

import (
	bolt "go.etcd.io/bbolt"
)

// groupState is what one group commit tracks per profile.
type groupState struct {
	pb     *bolt.Bucket
	msgs   *bolt.Bucket
	topics *topicCache
	latest map[uint64]uint64 // topic ID → newest seq in this group
	added  counters
}

// appendGroup writes group in tx and returns how many messages it wrote.
func (s *Store) appendGroup(tx *bolt.Tx, group []appendReq) (int, error) {
	states := map[string]*groupState{}
	n := 0
	// One arena for the group's records: bbolt keeps each value until the
	// commit, and sub-slices stay valid even when the arena grows.
	size := 0
	for i := range group {
		size += recordSize(&group[i].msg)
	}
	arena := make([]byte, 0, size)
	for i := range group {
		req := &group[i]
		if req.flushed != nil {
			continue
		}
		st, err := s.groupStateFor(tx, states, req.profile)
		if err != nil {
			return 0, err
		}
		topicID, err := st.topics.intern(st.pb, req.msg.Topic)
		if err != nil {
			return 0, err
		}
		seq := req.msg.Seq // assigned by Append
		if seq > st.msgs.Sequence() {
			if err := st.msgs.SetSequence(seq); err != nil {
				return 0, err
			}
		}
		start := len(arena)
		if arena, err = encodeRecord(&req.msg, topicID, arena); err != nil {
			return 0, err
		}
		buf := arena[start:len(arena):len(arena)]
		if err := st.msgs.Put(seqKey(seq), buf); err != nil {
			return 0, err
		}
		st.latest[topicID] = seq
		st.added.count++
		st.added.bytes += int64(len(buf))
		n++
	}
	for _, st := range states {
		if err := st.finish(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (s *Store) groupStateFor(tx *bolt.Tx, states map[string]*groupState, profileID string) (*groupState, error) {
	if st, ok := states[profileID]; ok {
		return st, nil
	}
	pb, err := profileBucket(tx, profileID, true)
	if err != nil {
		return nil, err
	}
	cache := s.topics.of(profileID)
	if err := cache.load(pb); err != nil {
		return nil, err
	}
	msgs := pb.Bucket(subMessages)
	msgs.FillPercent = 1.0 // append-only: pages are filled, never split in the middle
	st := &groupState{pb: pb, msgs: msgs, topics: cache, latest: map[uint64]uint64{}}
	states[profileID] = st
	return st, nil
}

// finish records the newest message per topic and the counters.
func (st *groupState) finish() error {
	l := st.pb.Bucket(subLatest)
	for id, seq := range st.latest {
		if err := l.Put(seqKey(id), seqKey(seq)); err != nil {
			return err
		}
	}
	c, err := readCounters(st.pb)
	if err != nil {
		return err
	}
	c.count += st.added.count
	c.bytes += st.added.bytes
	return writeCounters(st.pb, c)
}
