package storage

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

func openTest(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestFileModeAndReopen(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	p, err := s.SaveProfile(model.Profile{Options: mqtt.NewOptions("Home", mqtt.SchemeMQTT, "127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Fatalf("file mode %o, want 600", mode)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openTest(t, dir)
	got, err := s2.Profile(p.ID)
	if err != nil || got.Options.Name != "Home" || got.Created.IsZero() {
		t.Fatalf("profile after reopen: %+v, %v", got, err)
	}
}

func TestPasswordNeverWrittenInPlainText(t *testing.T) {
	s := openTest(t, t.TempDir())
	o := mqtt.NewOptions("secret", mqtt.SchemeMQTT, "h")
	o.Password = "hunter2-plain-text-marker"
	p, err := s.SaveProfile(model.Profile{Options: o})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutSecret("broker/password", "another-plain-marker"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Profile(p.ID)
	if err != nil || got.Options.Password != o.Password {
		t.Fatalf("password read back as %q, %v", got.Options.Password, err)
	}
	_ = s.Close()
	raw, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{o.Password, "another-plain-marker"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatalf("secret %q found in plain text in the database file", secret)
		}
	}
	if s.KeySource() != KeyInKeyring {
		t.Fatalf("key kept in the %s, want the (test) system keyring", s.KeySource())
	}
}

func TestProfilesOrderAndDelete(t *testing.T) {
	s := openTest(t, t.TempDir())
	for i, name := range []string{"b", "a", "c"} {
		if _, err := s.SaveProfile(model.Profile{Order: i % 2, Options: mqtt.NewOptions(name, mqtt.SchemeMQTT, "h")}); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := s.Profiles()
	var names string
	for _, p := range list {
		names += p.Options.Name
	}
	if names != "bca" {
		t.Fatalf("order %q, want bca (by Order, then name)", names)
	}
	if err := s.DeleteProfile(list[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Profile(list[0].ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted profile: %v", err)
	}
}

func TestSettings(t *testing.T) {
	s := openTest(t, t.TempDir())
	var v struct{ Port int }
	if err := s.GetSetting("broker", &v); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing setting: %v", err)
	}
	if err := s.PutSetting("broker", struct{ Port int }{1884}); err != nil {
		t.Fatal(err)
	}
	if err := s.GetSetting("broker", &v); err != nil || v.Port != 1884 {
		t.Fatalf("setting: %+v %v", v, err)
	}
}

// TestSecondProcessGetsLocked opens the store from a child process while
// this one holds it: the child must get ErrLocked, not hang.
func TestSecondProcessGetsLocked(t *testing.T) {
	if dir := os.Getenv("MQTTDESK_LOCK_CHILD"); dir != "" {
		_, err := Open(dir)
		if errors.Is(err, ErrLocked) {
			os.Exit(3)
		}
		os.Exit(1)
	}
	dir := t.TempDir()
	openTest(t, dir)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondProcessGetsLocked$")
	cmd.Env = append(os.Environ(), "MQTTDESK_LOCK_CHILD="+dir)
	start := time.Now()
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("second process: %v, want ErrLocked (exit 3)", err)
	}
	t.Logf("second process refused after %v", time.Since(start).Round(time.Millisecond))
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}
}
