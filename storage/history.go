package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Bucket layout of the message history: history/<profile ID>/ holds
// m (seq → record), t (topic → ID), i (ID → topic), l (topic ID → newest
// seq) and s (count and bytes kept).
var (
	bucketHistory = []byte("history")
	subMessages   = []byte("m")
	subTopics     = []byte("t")
	subTopicIDs   = []byte("i")
	subLatest     = []byte("l")
	subStats      = []byte("s")
	keyCount      = []byte("count")
	keyBytes      = []byte("bytes")
)

// topicCache maps topic IDs of one profile both ways. Topics are interned:
// a record stores a small number instead of the topic.
type topicCache struct {
	mu     sync.RWMutex
	loaded bool
	ids    map[string]uint64
	names  []string // by ID; names[0] unused
}

// topics holds the topic caches of all profiles.
type topics struct {
	mu       sync.Mutex
	profiles map[string]*topicCache
}

func (t *topics) of(profileID string) *topicCache {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.profiles == nil {
		t.profiles = map[string]*topicCache{}
	}
	c, ok := t.profiles[profileID]
	if !ok {
		c = &topicCache{ids: map[string]uint64{}, names: []string{""}}
		t.profiles[profileID] = c
	}
	return c
}

func (t *topics) forget(profileID string) {
	t.mu.Lock()
	delete(t.profiles, profileID)
	t.mu.Unlock()
}

// load fills the cache from the profile's bucket the first time.
func (c *topicCache) load(pb *bolt.Bucket) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded || pb == nil {
		return nil
	}
	err := pb.Bucket(subTopicIDs).ForEach(func(k, v []byte) error {
		id := binary.BigEndian.Uint64(k)
		for uint64(len(c.names)) <= id {
			c.names = append(c.names, "")
		}
		c.names[id] = string(v)
		c.ids[string(v)] = id
		return nil
	})
	c.loaded = err == nil
	return err
}

func (c *topicCache) name(id uint64) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if id < uint64(len(c.names)) {
		return c.names[id]
	}
	return ""
}

// intern returns topic's ID, adding it to the buckets when new. Called by
// the writer inside its transaction.
func (c *topicCache) intern(pb *bolt.Bucket, topic string) (uint64, error) {
	c.mu.RLock()
	id, ok := c.ids[topic]
	c.mu.RUnlock()
	if ok {
		return id, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	id = uint64(len(c.names))
	key := binary.BigEndian.AppendUint64(nil, id)
	if err := pb.Bucket(subTopicIDs).Put(key, []byte(topic)); err != nil {
		return 0, err
	}
	if err := pb.Bucket(subTopics).Put([]byte(topic), key); err != nil {
		return 0, err
	}
	c.names = append(c.names, topic)
	c.ids[topic] = id
	return id, nil
}

// profileBucket returns the history bucket of profileID, creating it when
// create is set; nil when it does not exist.
func profileBucket(tx *bolt.Tx, profileID string, create bool) (*bolt.Bucket, error) {
	h := tx.Bucket(bucketHistory)
	if !create {
		if h == nil {
			return nil, nil
		}
		return h.Bucket([]byte(profileID)), nil
	}
	pb, err := h.CreateBucketIfNotExists([]byte(profileID))
	if err != nil {
		return nil, err
	}
	for _, name := range [][]byte{subMessages, subTopics, subTopicIDs, subLatest, subStats} {
		if _, err := pb.CreateBucketIfNotExists(name); err != nil {
			return nil, err
		}
	}
	return pb, nil
}

// counters are a profile's kept message count and bytes.
type counters struct{ count, bytes int64 }

func readCounters(pb *bolt.Bucket) counters {
	s := pb.Bucket(subStats)
	get := func(k []byte) int64 {
		v := s.Get(k)
		if len(v) != 8 {
			return 0
		}
		return int64(binary.BigEndian.Uint64(v))
	}
	return counters{count: get(keyCount), bytes: get(keyBytes)}
}

func writeCounters(pb *bolt.Bucket, c counters) error {
	s := pb.Bucket(subStats)
	if err := s.Put(keyCount, binary.BigEndian.AppendUint64(nil, uint64(c.count))); err != nil {
		return err
	}
	return s.Put(keyBytes, binary.BigEndian.AppendUint64(nil, uint64(c.bytes)))
}

// ErrNoHistory is returned for reads of a profile that has no messages.
var ErrNoHistory = errors.New("no message history")

func errHistory(op, profileID string, err error) error {
	return fmt.Errorf("storage: %s history of %s: %w", op, profileID, err)
}
