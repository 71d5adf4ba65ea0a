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

// load fills the cache from the profile's bucket the first time. IDs are
// handed out from 1 without gaps, so a damaged bucket (a key that is not
// 8 bytes, an ID of 0 or past the number of topics) is ErrCorrupt, and the
// cache never holds more than the bucket does.
func (c *topicCache) load(pb *bolt.Bucket) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded || pb == nil {
		return nil
	}
	type entry struct {
		id   uint64
		name string
	}
	var entries []entry
	err := pb.Bucket(subTopicIDs).ForEach(func(k, v []byte) error {
		id, err := keySeq(k)
		if err != nil || id == 0 {
			return errTopicIDs
		}
		entries = append(entries, entry{id, string(v)})
		return nil
	})
	if err != nil {
		return err
	}
	names := make([]string, len(entries)+1)
	ids := make(map[string]uint64, len(entries))
	for _, e := range entries {
		if e.id >= uint64(len(names)) || names[e.id] != "" || e.name == "" {
			return errTopicIDs
		}
		names[e.id], ids[e.name] = e.name, e.id
	}
	c.names, c.ids, c.loaded = names, ids, true
	return nil
}

var errTopicIDs = fmt.Errorf("%w: the topic IDs are damaged", ErrCorrupt)

// name returns the topic with id; a record that names one the cache lacks
// is damaged.
func (c *topicCache) name(id uint64) (string, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if id == 0 || id >= uint64(len(c.names)) {
		return "", errUnknownTopic
	}
	return c.names[id], nil
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
// create is set; nil when it does not exist. A profile's history that is
// not a bucket, or lacks one of its sub-buckets, is ErrCorrupt.
func profileBucket(tx *bolt.Tx, profileID string, create bool) (*bolt.Bucket, error) {
	h := tx.Bucket(bucketHistory)
	if h == nil {
		return nil, nil
	}
	if !create {
		pb := h.Bucket([]byte(profileID))
		if pb == nil && h.Get([]byte(profileID)) != nil {
			return nil, errHistoryShape
		}
		if pb != nil && !hasSubBuckets(pb) {
			return nil, errHistoryShape
		}
		return pb, nil
	}
	pb, err := h.CreateBucketIfNotExists([]byte(profileID))
	if err != nil {
		return nil, err
	}
	for _, name := range historyBuckets {
		if _, err := pb.CreateBucketIfNotExists(name); err != nil {
			return nil, err
		}
	}
	return pb, nil
}

var (
	historyBuckets  = [][]byte{subMessages, subTopics, subTopicIDs, subLatest, subStats}
	errHistoryShape = fmt.Errorf("%w: a history lacks its buckets", ErrCorrupt)
	errCounters     = fmt.Errorf("%w: a history's counters are damaged", ErrCorrupt)
)

func hasSubBuckets(pb *bolt.Bucket) bool {
	for _, name := range historyBuckets {
		if pb.Bucket(name) == nil {
			return false
		}
	}
	return true
}

// counters are a profile's kept message count and bytes.
type counters struct{ count, bytes int64 }

// readCounters returns the profile's counters; missing ones are 0. Every
// record has a byte or more, so a count above the bytes is damage.
func readCounters(pb *bolt.Bucket) (counters, error) {
	s := pb.Bucket(subStats)
	get := func(k []byte) (int64, bool) {
		v := s.Get(k)
		if v == nil {
			return 0, true
		}
		if len(v) != 8 {
			return 0, false
		}
		n := int64(binary.BigEndian.Uint64(v))
		return n, n >= 0
	}
	count, ok1 := get(keyCount)
	size, ok2 := get(keyBytes)
	if !ok1 || !ok2 || count > size {
		return counters{}, errCounters
	}
	return counters{count: count, bytes: size}, nil
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
