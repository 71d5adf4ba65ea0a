//go:build unix

package boltfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestGuardTurnsAFaultIntoDamage reads a memory map past the end of its
// file, as bbolt does on a file cut short: SIGBUS, which Guard returns
// as damage instead of the process dying.
func TestGuardTurnsAFaultIntoDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "short")
	if err := os.WriteFile(path, make([]byte, 100), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := syscall.Mmap(int(f.Fd()), 0, 1<<16, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	var sink byte
	err = Guard(func() error {
		sink = m[1<<15] // past the file's last page
		return nil
	})
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("Guard: %v (read %d); want ErrDamaged", err, sink)
	}
}

func TestGuardPassesOnOtherPanicsAndErrors(t *testing.T) {
	want := errors.New("an error")
	if err := Guard(func() error { return want }); err != want {
		t.Fatalf("Guard returned %v", err)
	}
	defer func() {
		if r := recover(); r != "a bug" {
			t.Fatalf("recovered %v; want the panic to go on up", r)
		}
	}()
	_ = Guard(func() error { panic("a bug") })
}
