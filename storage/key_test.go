package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"

	"github.com/zalando/go-keyring"
)

func saveSecret(t *testing.T, s *Store) string {
	t.Helper()
	o := mqtt.NewOptions("k", mqtt.SchemeMQTT, "h")
	o.Password = "kept-secret"
	p, err := s.SaveProfile(model.Profile{Options: o})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func TestKeyInTheKeyring(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	s := openTest(t, dir)
	id := saveSecret(t, s)
	_ = s.Close()
	if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key file was written although the keyring took the key: %v", err)
	}
	s2 := openTest(t, dir)
	if p, err := s2.Profile(id); err != nil || p.Options.Password != "kept-secret" || s2.KeySource() != KeyInKeyring {
		t.Fatalf("reopened: %v %q from the %s", err, p.Options.Password, s2.KeySource())
	}
}

func TestKeyFileWithoutAKeyring(t *testing.T) {
	keyring.MockInitWithError(errors.New("no secret service on this system"))
	t.Cleanup(keyring.MockInit)
	dir := t.TempDir()
	s := openTest(t, dir)
	id := saveSecret(t, s)
	info, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || info.Mode().Perm() != 0o600 || s.KeySource() != KeyInFile {
		t.Fatalf("key file: %v, source %s", err, s.KeySource())
	}
	_ = s.Close()
	keyring.MockInit() // a keyring appears later: the existing key file still wins
	s2 := openTest(t, dir)
	if p, _ := s2.Profile(id); p.Options.Password != "kept-secret" || s2.KeySource() != KeyInFile {
		t.Fatalf("after a keyring appeared: %q from the %s", p.Options.Password, s2.KeySource())
	}
}

func TestKeyringSilentWhileSecretsExist(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	s := openTest(t, dir)
	saveSecret(t, s)
	_ = s.Close()
	keyring.MockInitWithError(errors.New("the keyring is locked"))
	t.Cleanup(keyring.MockInit)
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), "unlock it and start mqttdesk again") {
		t.Fatalf("open with the keyring unavailable: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a new key file would orphan the saved passwords")
	}
}

func TestKeyringOffByEnvironment(t *testing.T) {
	keyring.MockInit()
	t.Setenv(noKeyringEnv, "off")
	s := openTest(t, t.TempDir())
	if s.KeySource() != KeyInFile {
		t.Fatalf("key kept in the %s with %s=off", s.KeySource(), noKeyringEnv)
	}
}
