package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/mqttdesk/mqttdesk/model"

	bolt "go.etcd.io/bbolt"
)

var bucketPublished = []byte("published")

// publishHistorySize is how many recent publishes a profile keeps.
const publishHistorySize = 200

// samePublish reports whether e and o publish the same message.
func samePublish(e, o model.PublishEntry) bool {
	return e.Topic == o.Topic && bytes.Equal(e.Payload, o.Payload) && e.QoS == o.QoS && e.Retain == o.Retain &&
		reflect.DeepEqual(e.Properties, o.Properties)
}

// AddPublished records e as profileID's newest publish. An identical
// earlier entry moves to the front rather than repeating; the oldest go
// beyond 200.
func (s *Store) AddPublished(profileID string, e model.PublishEntry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("storage: encode publish history: %w", err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketPublished).CreateBucketIfNotExists([]byte(profileID))
		if err != nil {
			return err
		}
		if err := deleteSame(b, e); err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		if err := b.Put(seqKey(seq), data); err != nil {
			return err
		}
		return trimOldest(b, publishHistorySize)
	})
	if err != nil {
		return fmt.Errorf("storage: publish history of %s: %w", profileID, err)
	}
	return nil
}

func deleteSame(b *bolt.Bucket, e model.PublishEntry) error {
	var dup [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var old model.PublishEntry
		if json.Unmarshal(v, &old) == nil && samePublish(old, e) {
			dup = append(dup, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range dup {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return err
}

func trimOldest(b *bolt.Bucket, keep int) error {
	extra := b.Stats().KeyN - keep
	var doomed [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && len(doomed) < extra; k, _ = c.Next() {
		doomed = append(doomed, append([]byte(nil), k...))
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// PublishHistory returns profileID's recent publishes, newest first.
func (s *Store) PublishHistory(profileID string) ([]model.PublishEntry, error) {
	var out []model.PublishEntry
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPublished).Bucket([]byte(profileID))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var e model.PublishEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return damaged("the publish history", err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: publish history of %s: %w", profileID, err)
	}
	return out, nil
}
