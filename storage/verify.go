package storage

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"

	bolt "go.etcd.io/bbolt"
)

// verify reads every record of the file, as OpenWith does before it
// decides to keep a file: what a normal Open does not check is found
// here rather than later, while reading. The page tree has been checked
// in full by then (checkFile), so bbolt's cursors are safe to walk. It
// returns an error wrapping ErrCorrupt for the first damage.
func (s *Store) verify() error {
	return s.view(func(tx *bolt.Tx) error {
		if _, err := readSchema(tx); err != nil && !errors.Is(err, errIncomplete) {
			return err
		}
		checks := []struct {
			bucket []byte
			check  func(b *bolt.Bucket) error
		}{
			{bucketProfiles, eachValue(jsonOf[model.Profile]("a connection"))},
			{bucketSettings, eachValue(validJSON("a setting"))},
			{bucketSecrets, eachValue(s.decrypts)},
			{bucketSubscriptions, eachBucket(eachValue(jsonOf[model.Subscription]("a subscription")))},
			{bucketPublished, eachBucket(eachValue(seqKeyed(jsonOf[model.PublishEntry]("the publish history"))))},
			{bucketHistory, eachBucket(verifyHistory)},
		}
		for _, c := range checks {
			if b := tx.Bucket(c.bucket); b != nil {
				if err := c.check(b); err != nil {
					return fmt.Errorf("%s: %w", c.bucket, err)
				}
			}
		}
		return nil
	})
}

// eachValue checks every key and value of a bucket with check; a nested
// bucket is damage.
func eachValue(check func(k, v []byte) error) func(*bolt.Bucket) error {
	return func(b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return fmt.Errorf("%w: a bucket %q where values belong", ErrCorrupt, k)
			}
			return check(k, v)
		})
	}
}

// eachBucket checks every nested bucket of a bucket with check; a value
// is damage.
func eachBucket(check func(*bolt.Bucket) error) func(*bolt.Bucket) error {
	return func(b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			nested := b.Bucket(k)
			if v != nil || nested == nil {
				return fmt.Errorf("%w: a value %q where buckets belong", ErrCorrupt, k)
			}
			if err := check(nested); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			return nil
		})
	}
}

func jsonOf[T any](what string) func(k, v []byte) error {
	return func(_, v []byte) error {
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return damaged(what, err)
		}
		return nil
	}
}

func validJSON(what string) func(k, v []byte) error {
	return func(k, v []byte) error {
		if !json.Valid(v) {
			return damaged(what, fmt.Errorf("%q is not JSON", k))
		}
		return nil
	}
}

// decrypts checks that a secret decrypts.
func (s *Store) decrypts(k, v []byte) error {
	_, err := s.secrets.open(string(k), v)
	return err
}

func seqKeyed(check func(k, v []byte) error) func(k, v []byte) error {
	return func(k, v []byte) error {
		if _, err := keySeq(k); err != nil {
			return err
		}
		return check(k, v)
	}
}

// verifyHistory checks one profile's history: its buckets, topic IDs,
// counters, the newest message per topic and every message record.
func verifyHistory(pb *bolt.Bucket) error {
	if !hasSubBuckets(pb) {
		return errHistoryShape
	}
	cache := &topicCache{}
	if err := cache.load(pb); err != nil {
		return err
	}
	if _, err := readCounters(pb); err != nil {
		return err
	}
	both8 := func(k, v []byte) error {
		if len(k) != 8 || len(v) != 8 {
			return errCorruptKey
		}
		return nil
	}
	if err := eachValue(both8)(pb.Bucket(subLatest)); err != nil {
		return err
	}
	value8 := func(_, v []byte) error { return both8(v, v) }
	if err := eachValue(value8)(pb.Bucket(subTopics)); err != nil {
		return err
	}
	return verifyMessages(pb.Bucket(subMessages), cache)
}

// verifyMessages checks every record of a message bucket without copying
// its payload.
func verifyMessages(b *bolt.Bucket, cache *topicCache) error {
	var prev uint64
	return eachValue(func(k, v []byte) error {
		seq, err := keySeq(k)
		if err == nil && prev != 0 && !inOrder(prev, seq, false) {
			err = errKeyOrder
		}
		if err != nil {
			return err
		}
		prev = seq
		flags, _, topicID, rest, err := recordHead(v)
		if err == nil {
			_, err = cache.name(topicID)
		}
		if err == nil && flags&flagProps != 0 {
			props, after, ok := splitProps(rest)
			if !ok || json.Unmarshal(props, new(mqtt.Properties)) != nil {
				err = errCorruptRecord
			}
			rest = after
		}
		if err == nil {
			_, err = decodeStatus(flags, rest, new(Message))
		}
		if err != nil {
			return fmt.Errorf("message %d: %w", seq, err)
		}
		return nil
	})(b)
}
