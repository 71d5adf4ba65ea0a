package storage

import (
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// GetSetting decodes the JSON setting under key into v. It returns
// ErrNotFound, leaving v unchanged, when the setting was never saved.
func (s *Store) GetSetting(key string, v any) error {
	err := s.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketSettings).Get([]byte(key))
		if data == nil {
			return ErrNotFound
		}
		return json.Unmarshal(data, v)
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("storage: setting %s: %w", key, err)
	}
	return err
}

// PutSetting saves v as JSON under key.
func (s *Store) PutSetting(key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("storage: encode setting %s: %w", key, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSettings).Put([]byte(key), data)
	})
	if err != nil {
		return fmt.Errorf("storage: save setting %s: %w", key, err)
	}
	return nil
}
