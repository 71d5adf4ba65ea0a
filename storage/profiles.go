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

	"github.com/mqttdesk/mqttdesk/model"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SaveProfile inserts p, or replaces the profile with the same ID. A
// profile without an ID gets a new one and its creation time; the saved
// profile is returned.
func (s *Store) SaveProfile(p model.Profile) (model.Profile, error) {
	if p.ID == "" {
		p.ID = newID()
		p.Created = time.Now()
	}
	err := s.update(func(tx *bolt.Tx) error { return s.putProfile(tx, p) })
	if err != nil {
		return p, fmt.Errorf("storage: save profile %q: %w", p.Options.Name, err)
	}
	return p, nil
}

// putProfile writes p, which has an ID, and its secrets in tx.
func (s *Store) putProfile(tx *bolt.Tx, p model.Profile) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	if err := s.putProfileSecrets(tx, p); err != nil {
		return err
	}
	return tx.Bucket(bucketProfiles).Put([]byte(p.ID), data)
}

// Profile returns the profile with id, or ErrNotFound.
func (s *Store) Profile(id string) (model.Profile, error) {
	var p model.Profile
	err := s.view(func(tx *bolt.Tx) error {
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
func (s *Store) Profiles() ([]model.Profile, error) {
	var out []model.Profile
	err := s.view(func(tx *bolt.Tx) error {
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
	err := s.update(func(tx *bolt.Tx) error {
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
func (s *Store) decodeProfile(tx *bolt.Tx, data []byte) (model.Profile, error) {
	var p model.Profile
	if err := json.Unmarshal(data, &p); err != nil {
		return p, damaged("a connection", err)
	}
	return p, s.getProfileSecrets(tx, &p)
}

// A profile's secrets, kept encrypted apart from its record.
func secretNames(profileID string) []string {
	prefix := "profile/" + profileID + "/"
	return []string{prefix + "password", prefix + "keyPassphrase", prefix + "proxyPassword"}
}

func profileSecretFields(p *model.Profile) []*string {
	return []*string{&p.Options.Password, &p.Options.TLS.KeyPassphrase, &p.Options.Proxy.Password}
}

func (s *Store) putProfileSecrets(tx *bolt.Tx, p model.Profile) error {
	for i, name := range secretNames(p.ID) {
		if err := s.putSecret(tx, name, *profileSecretFields(&p)[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) getProfileSecrets(tx *bolt.Tx, p *model.Profile) error {
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
