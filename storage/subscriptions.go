package storage

import (
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/mqttdesk/mqttdesk/mqttcore"
)

var bucketSubscriptions = []byte("subscriptions")

// Subscription is a saved subscription of a profile: what mqttcore
// subscribes with, plus what the views show.
type Subscription struct {
	ID                string                  `json:"id"`
	Filter            string                  `json:"filter"`
	QoS               byte                    `json:"qos"`
	NoLocal           bool                    `json:"noLocal,omitempty"`
	RetainAsPublished bool                    `json:"retainAsPublished,omitempty"`
	RetainHandling    byte                    `json:"retainHandling,omitempty"`
	Identifier        int                     `json:"identifier,omitempty"`
	User              []mqttcore.UserProperty `json:"user,omitempty"`
	Color             string                  `json:"color,omitempty"`
	Alias             string                  `json:"alias,omitempty"`
	Enabled           bool                    `json:"enabled"`
	Order             int                     `json:"order"`
}

// SaveSubscription inserts sub into profileID's subscriptions, or replaces
// the one with the same ID; a new one gets an ID. The filter is validated.
func (s *Store) SaveSubscription(profileID string, sub Subscription) (Subscription, error) {
	if err := mqttcore.ValidateFilter(sub.Filter); err != nil {
		return sub, err
	}
	if sub.ID == "" {
		sub.ID = newID()
	}
	data, err := json.Marshal(sub)
	if err != nil {
		return sub, fmt.Errorf("storage: encode subscription %q: %w", sub.Filter, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketSubscriptions).CreateBucketIfNotExists([]byte(profileID))
		if err != nil {
			return err
		}
		return b.Put([]byte(sub.ID), data)
	})
	if err != nil {
		return sub, fmt.Errorf("storage: save subscription %q: %w", sub.Filter, err)
	}
	return sub, nil
}

// Subscriptions returns profileID's subscriptions by Order, then filter.
func (s *Store) Subscriptions(profileID string) ([]Subscription, error) {
	var out []Subscription
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSubscriptions).Bucket([]byte(profileID))
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var sub Subscription
			if err := json.Unmarshal(v, &sub); err != nil {
				return err
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
	err := s.db.Update(func(tx *bolt.Tx) error {
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
