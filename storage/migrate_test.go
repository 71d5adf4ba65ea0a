package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"

	bolt "go.etcd.io/bbolt"
)

// withMigrations runs the test as if this code knew more migrations.
func withMigrations(t *testing.T, extra ...migration) {
	prev := migrations
	migrations = append(append([]migration(nil), prev...), extra...)
	t.Cleanup(func() { migrations = prev })
}

func schemaOf(t *testing.T, path string) byte {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v byte
	_ = db.View(func(tx *bolt.Tx) error { v = tx.Bucket(bucketMeta).Get(keySchema)[0]; return nil })
	return v
}

func TestUpgradeKeepsProfilesAndSubscriptions(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	p, _ := s.SaveProfile(model.Profile{Options: mqtt.NewOptions("kept", mqtt.SchemeMQTT, "h")})
	_, _ = s.SaveSubscription(p.ID, model.Subscription{Filter: "kept/#"})
	_ = s.Close()

	from := schemaVersion()
	withMigrations(t, func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("added-by-the-next-schema"))
		return err
	})
	s2, err := Open(dir)
	if err != nil {
		t.Fatalf("open with an upgrade: %v", err)
	}
	defer s2.Close()
	backup := s2.UpgradeBackup()
	if !strings.HasPrefix(backup, fmt.Sprintf("%s.schema%d-backup-", filepath.Join(dir, FileName), from)) || schemaOf(t, backup) != from {
		t.Fatalf("backup %q missing or not at schema %d", backup, from)
	}
	got, err := s2.Profile(p.ID)
	subs, _ := s2.Subscriptions(p.ID)
	if err != nil || got.Options.Name != "kept" || len(subs) != 1 {
		t.Fatalf("after upgrade: %v %+v %d subscriptions", err, got, len(subs))
	}
	_ = s2.Close()
	if v := schemaOf(t, filepath.Join(dir, FileName)); v != from+1 {
		t.Fatalf("schema %d after upgrade", v)
	}
}

func TestFailedUpgradeLeavesTheFile(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	_, _ = s.SaveProfile(model.Profile{Options: mqtt.NewOptions("kept", mqtt.SchemeMQTT, "h")})
	_ = s.Close()
	withMigrations(t, func(tx *bolt.Tx) error {
		_ = tx.DeleteBucket(bucketProfiles) // half done, then fails
		return errors.New("cannot upgrade")
	})
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "the original is kept as") {
		t.Fatalf("failed upgrade: %v", err)
	}
	migrations = migrations[:len(migrations)-1]
	s2 := openTest(t, dir)
	if list, _ := s2.Profiles(); len(list) != 1 {
		t.Fatalf("%d profiles after a failed upgrade", len(list))
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	dir := t.TempDir()
	withMigrations(t, func(*bolt.Tx) error { return nil })
	s := openTest(t, dir) // written at schema 2
	_ = s.Close()
	migrations = migrations[:len(migrations)-1]
	if _, err := Open(dir); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("open a newer file: %v", err)
	}
}
