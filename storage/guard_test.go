package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/model"

	bolt "go.etcd.io/bbolt"
)

// TestOurPanicsAreNotDamage: a panic raised by the store's own code inside
// a transaction is a bug, not damage, and goes on up with its value.
func TestOurPanicsAreNotDamage(t *testing.T) {
	s := openTest(t, t.TempDir())
	for name, run := range map[string]func(func(*bolt.Tx) error) error{"view": s.view, "update": s.update} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != "our bug" {
					t.Fatalf("recovered %v, want the panic itself", r)
				}
			}()
			_ = run(func(*bolt.Tx) error { panic("our bug") })
			t.Fatal("the panic was swallowed")
		})
	}
	if _, err := s.Profiles(); err != nil {
		t.Fatalf("the store is unusable after the panics: %v", err)
	}
}

// TestDamageWhileOpen damages a leaf page of the message history under an
// open store, as a failing disk would: reads of it report ErrCorrupt
// naming the file, and everything else keeps working.
func TestDamageWhileOpen(t *testing.T) {
	f := buildFixture(t)
	dir := f.copyTo(t)
	s := openTest(t, dir)
	path := filepath.Join(dir, FileName)
	file, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, f.layout.pageSize)
	if _, err := file.WriteAt(zeros, int64(f.layout.mLeaf)*int64(f.layout.pageSize)); err != nil {
		t.Fatal(err)
	}
	_ = file.Close()

	_, err = s.PageAfter(f.profileID, 0, 100)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("paging over the damaged page: %v", err)
	}
	if page, err := s.NewestPage(f.profileID, 10); err != nil || len(page) != 10 {
		t.Fatalf("newest page: %d messages, %v", len(page), err)
	}
	if list, err := s.Profiles(); err != nil || len(list) != 3 {
		t.Fatalf("profiles: %d, %v", len(list), err)
	}
	if _, err := s.Append(context.Background(), "other", Message{Topic: "t", Payload: []byte("p")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatalf("writing another history: %v", err)
	}
}

// TestFailedRollbackDoesNotHang damages, under an open store, a branch
// page of the history and the freelist page, so that a write panics and
// bbolt's rollback, which rereads the freelist, panics too and keeps its
// writer lock: later writes must fail at once, reads keep working, and
// Close must return instead of waiting for the lock forever.
func TestFailedRollbackDoesNotHang(t *testing.T) {
	f := buildFixture(t)
	dir := f.copyTo(t)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.OpenFile(filepath.Join(dir, FileName), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, f.layout.pageSize)
	for _, id := range []uint64{f.layout.mRoot, f.layout.freelist} {
		if _, err := file.WriteAt(zeros, int64(id)*int64(f.layout.pageSize)); err != nil {
			t.Fatal(err)
		}
	}
	_ = file.Close()

	ctx := context.Background()
	if _, err := s.Append(ctx, f.profileID, Message{Topic: "t", Payload: []byte("p")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctx); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a write over the damaged page: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.SaveProfile(model.Profile{Options: fixtureOptions("later")})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("a later write: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a later write waits for bbolt's writer lock")
	}
	if list, err := s.Profiles(); err != nil || len(list) != 3 {
		t.Fatalf("reading: %d profiles, %v", len(list), err)
	}
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits for bbolt's writer lock")
	}
}
