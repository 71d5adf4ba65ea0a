package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/mqttdesk/mqttdesk/mqttcore"
)

// Profile is a saved connection: its options plus what the sidebar needs.
type Profile struct {
	ID          string           `json:"id"`
	Options     mqttcore.Options `json:"options"`
	Color       string           `json:"color,omitempty"`
	Folder      string           `json:"folder,omitempty"`
	Order       int              `json:"order"`
	Created     time.Time        `json:"created"`
	LastUsed    time.Time        `json:"lastUsed,omitzero"`
	LocalBroker bool             `json:"localBroker,omitempty"` // the connection to mqttdesk's own broker
	AutoConnect bool             `json:"autoConnect,omitempty"` // connect when mqttdesk starts
}

// SaveProfile inserts p, or replaces the profile with the same ID. A
// profile without an ID gets a new one and its creation time; the saved
// profile is returned.
func (s *Store) SaveProfile(p Profile) (Profile, error) {
	if p.ID == "" {
		p.ID = newID()
		p.Created = time.Now()
	}
	data, err := json.Marshal(p)
	if err != nil {
		return p, fmt.Errorf("storage: encode profile %q: %w", p.Options.Name, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := s.putProfileSecrets(tx, p); err != nil {
			return err
		}
		return tx.Bucket(bucketProfiles).Put([]byte(p.ID), data)
	})
	if err != nil {
		return p, fmt.Errorf("storage: save profile %q: %w", p.Options.Name, err)
	}
	return p, nil
}

// Profile returns the profile with id, or ErrNotFound.
func (s *Store) Profile(id string) (Profile, error) {
	var p Profile
	err := s.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketProfiles).Get([]byte(id))
		if data == nil {
			return ErrNotFound
		}
		var err error
		p, err = s.decodeProfile(tx, data)
		return err
	})
	if err != nil {
		return p, fmt.Errorf("storage: profile %s: %w", id, err)
	}
	return p, nil
}

// Profiles returns every profile, by Order and then by name.
func (s *Store) Profiles() ([]Profile, error) {
	var out []Profile
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketProfiles).ForEach(func(_, data []byte) error {
			p, err := s.decodeProfile(tx, data)
			if err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list profiles: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].Options.Name < out[j].Options.Name
	})
	return out, nil
}

// DeleteProfile removes the profile with id and everything of it: its
// secrets, subscriptions, publish history and message history. Removing a
// missing one is not an error.
func (s *Store) DeleteProfile(id string) error {
	if err := s.ClearHistory(context.Background(), id); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range secretNames(id) {
			if err := s.putSecret(tx, name, ""); err != nil {
				return err
			}
		}
		for _, b := range [][]byte{bucketSubscriptions, bucketPublished} {
			if err := tx.Bucket(b).DeleteBucket([]byte(id)); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
		}
		return tx.Bucket(bucketProfiles).Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("storage: delete profile %s: %w", id, err)
	}
	return nil
}

// decodeProfile reads a profile record and its password from the secrets.
func (s *Store) decodeProfile(tx *bolt.Tx, data []byte) (Profile, error) {
	var p Profile
	if err := json.Unmarshal(data, &p); err != nil {
		return p, err
	}
	return p, s.getProfileSecrets(tx, &p)
}

// A profile's secrets, kept encrypted apart from its record.
func secretNames(profileID string) []string {
	prefix := "profile/" + profileID + "/"
	return []string{prefix + "password", prefix + "keyPassphrase", prefix + "proxyPassword"}
}

func profileSecretFields(p *Profile) []*string {
	return []*string{&p.Options.Password, &p.Options.TLS.KeyPassphrase, &p.Options.Proxy.Password}
}

func (s *Store) putProfileSecrets(tx *bolt.Tx, p Profile) error {
	for i, name := range secretNames(p.ID) {
		if err := s.putSecret(tx, name, *profileSecretFields(&p)[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) getProfileSecrets(tx *bolt.Tx, p *Profile) error {
	for i, name := range secretNames(p.ID) {
		v, err := s.secret(tx, name)
		if err != nil {
			return err
		}
		*profileSecretFields(p)[i] = v
	}
	return nil
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
