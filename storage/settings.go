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
	err := s.view(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketSettings).Get([]byte(key))
		if data == nil {
			return ErrNotFound
		}
		if err := json.Unmarshal(data, v); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				return err // valid JSON of another shape: an older or newer mqttdesk's setting
			}
			return damaged("a setting", err)
		}
		return nil
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
	err = s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSettings).Put([]byte(key), data)
	})
	if err != nil {
		return fmt.Errorf("storage: save setting %s: %w", key, err)
	}
	return nil
}
