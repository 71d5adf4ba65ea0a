package storage

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"

	bolt "go.etcd.io/bbolt"
)

var bucketSubscriptions = []byte("subscriptions")

// SaveSubscription inserts sub into profileID's subscriptions, or replaces
// the one with the same ID; a new one gets an ID. The filter is validated.
func (s *Store) SaveSubscription(profileID string, sub model.Subscription) (model.Subscription, error) {
	if err := mqtt.ValidateFilter(sub.Filter); err != nil {
		return sub, err
	}
	if sub.ID == "" {
		sub.ID = newID()
	}
	err := s.update(func(tx *bolt.Tx) error { return putSubscription(tx, profileID, sub) })
	if err != nil {
		return sub, fmt.Errorf("storage: save subscription %q: %w", sub.Filter, err)
	}
	return sub, nil
}

// putSubscription writes sub, which has an ID, into profileID's
// subscriptions in tx.
func putSubscription(tx *bolt.Tx, profileID string, sub model.Subscription) error {
	data, err := json.Marshal(sub)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	b, err := tx.Bucket(bucketSubscriptions).CreateBucketIfNotExists([]byte(profileID))
	if err != nil {
		return err
	}
	return b.Put([]byte(sub.ID), data)
}

// Subscriptions returns profileID's subscriptions by Order, then filter.
func (s *Store) Subscriptions(profileID string) ([]model.Subscription, error) {
	var out []model.Subscription
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSubscriptions).Bucket([]byte(profileID))
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var sub model.Subscription
			if err := json.Unmarshal(v, &sub); err != nil {
				return damaged("a subscription", err)
			}
			out = append(out, sub)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: subscriptions of %s: %w", profileID, err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].Filter < out[j].Filter
	})
	return out, nil
}

// DeleteSubscription removes one of profileID's subscriptions.
func (s *Store) DeleteSubscription(profileID, id string) error {
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSubscriptions).Bucket([]byte(profileID))
		if b == nil {
			return nil
		}
		return b.Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("storage: delete subscription %s: %w", id, err)
	}
	return nil
}
