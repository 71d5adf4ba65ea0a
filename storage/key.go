package storage

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/zalando/go-keyring"
	bolt "go.etcd.io/bbolt"
)

// KeyFileName is the file beside the database that holds the key secrets
// are encrypted with (mode 0600), when the system has no keyring.
const KeyFileName = "secret.key"

// Where the key that encrypts secrets is kept.
const (
	KeyInKeyring = "system keyring"
	KeyInFile    = "key file"
)

const (
	keyringService = "mqttdesk"
	// keyringTimeout bounds a keyring call: a locked keyring may prompt.
	keyringTimeout = 3 * time.Second
)

// noKeyringEnv, set to "off", keeps the key in the file even where a
// keyring exists (portable installs).
const noKeyringEnv = "MQTTDESK_KEYRING"

// loadKey finds or makes the key for the database in dir. An existing key
// file is used; otherwise the system keyring holds the key, under the data
// directory's path; with no keyring, a new key file does. hasSecrets says
// whether the database already holds secrets, which a new key could not
// read.
func loadKey(dir string, hasSecrets bool) (*secretBox, string, error) {
	path := filepath.Join(dir, KeyFileName)
	key, err := readKeyFile(path)
	if err == nil {
		box, err := newSecretBox(key)
		if err != nil {
			return nil, "", fmt.Errorf("storage: key file %s: %w", path, err)
		}
		return box, KeyInFile, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, "", fmt.Errorf("storage: key file %s: %w", path, err)
	}
	if os.Getenv(noKeyringEnv) != "off" {
		box, ok, err := keyFromKeyring(dir, hasSecrets)
		if ok || err != nil {
			return box, KeyInKeyring, err
		}
	}
	return newKeyFile(path)
}

// maxKeyFile bounds what is read of a key file: a key is 32 bytes.
const maxKeyFile = 4096

// readKeyFile reads the key file at path, refusing what is no regular
// file (a pipe would block the read for ever) or is far larger than a key.
func readKeyFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() > maxKeyFile {
		return nil, fmt.Errorf("not a key file (%s, %d bytes)", st.Mode().Type(), st.Size())
	}
	return os.ReadFile(path)
}

// keyFromKeyring returns the key kept in the keyring, making it there when
// there is none yet; ok is false when the system has no usable keyring.
func keyFromKeyring(dir string, hasSecrets bool) (*secretBox, bool, error) {
	user, _ := filepath.Abs(dir)
	stored, err := withTimeout(func() (string, error) { return keyring.Get(keyringService, user) })
	switch {
	case err == nil:
		key, derr := hex.DecodeString(stored)
		if derr != nil {
			return nil, false, fmt.Errorf("storage: the key in the system keyring is unreadable: %w", derr)
		}
		box, berr := newSecretBox(key)
		return box, berr == nil, berr
	case errors.Is(err, keyring.ErrNotFound):
		key := newKey()
		if _, err := withTimeout(func() (string, error) { return "", keyring.Set(keyringService, user, hex.EncodeToString(key)) }); err != nil {
			return nil, false, nil
		}
		box, err := newSecretBox(key)
		return box, err == nil, err
	case hasSecrets:
		return nil, false, fmt.Errorf("storage: the system keyring, which holds the key to mqttdesk's saved passwords, did not answer (%v); unlock it and start mqttdesk again", err)
	}
	return nil, false, nil // no keyring on this system
}

func newKeyFile(path string) (*secretBox, string, error) {
	key := newKey()
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, "", fmt.Errorf("storage: write key file %s: %w", path, err)
	}
	box, err := newSecretBox(key)
	return box, KeyInFile, err
}

func newKey() []byte {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return key
}

// withTimeout runs a keyring call, giving up after keyringTimeout.
func withTimeout(call func() (string, error)) (string, error) {
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-time.After(keyringTimeout):
		return "", errors.New("no answer in time")
	}
}

// hasSecrets reports whether the database holds any secret.
func (s *Store) hasSecrets() bool {
	found := false
	_ = s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketSecrets); b != nil {
			k, _ := b.Cursor().First()
			found = k != nil
		}
		return nil
	})
	return found
}

// KeySource says where the key that encrypts secrets is kept: KeyInKeyring
// or KeyInFile.
func (s *Store) KeySource() string { return s.keySource }
