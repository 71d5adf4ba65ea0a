package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

var bucketSecrets = []byte("secrets")

// secretBox encrypts secrets with AES-256-GCM.
type secretBox struct {
	aead cipher.AEAD
}

func newSecretBox(key []byte) (*secretBox, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("the key has %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &secretBox{aead: aead}, nil
}

// seal encrypts plain; name is bound as associated data so that a sealed
// value cannot be moved to another record.
func (b *secretBox) seal(name, plain string) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return b.aead.Seal(nonce, nonce, []byte(plain), []byte(name))
}

func (b *secretBox) open(name string, sealed []byte) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return "", fmt.Errorf("%w: secret %s has %d bytes", ErrCorrupt, name, len(sealed))
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], []byte(name))
	if err != nil {
		return "", fmt.Errorf("%w: secret %s does not decrypt (%v; or was %s replaced?)", ErrCorrupt, name, err, KeyFileName)
	}
	return string(plain), nil
}

// PutSecret encrypts value and saves it under name; an empty value deletes
// the secret.
func (s *Store) PutSecret(name, value string) error {
	err := s.update(func(tx *bolt.Tx) error { return s.putSecret(tx, name, value) })
	if err != nil {
		return fmt.Errorf("storage: save secret %s: %w", name, err)
	}
	return nil
}

func (s *Store) putSecret(tx *bolt.Tx, name, value string) error {
	b := tx.Bucket(bucketSecrets)
	if value == "" {
		return b.Delete([]byte(name))
	}
	return b.Put([]byte(name), s.secrets.seal(name, value))
}

// Secret returns the secret saved under name, or "" when there is none.
func (s *Store) Secret(name string) (string, error) {
	var out string
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = s.secret(tx, name)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("storage: read secret %s: %w", name, err)
	}
	return out, nil
}

func (s *Store) secret(tx *bolt.Tx, name string) (string, error) {
	sealed := tx.Bucket(bucketSecrets).Get([]byte(name))
	if sealed == nil {
		return "", nil
	}
	return s.secrets.open(name, sealed)
}
