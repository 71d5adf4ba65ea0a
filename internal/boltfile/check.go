package boltfile

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// Sentinel errors callers may test with errors.Is.
var (
	// ErrDamaged is wrapped by every *DamageError.
	ErrDamaged = errors.New("the file is damaged")
	// ErrLocked is returned by Check when another process holds the
	// file's lock (bbolt's writer) past Options.LockTimeout.
	ErrLocked = errors.New("the file is locked by another process")

	errNoCheck = errors.New("no file check here") // the file cannot be checked on this system
)

// DamageError is what Check, Recovered and Guard return for a damaged
// file; Detail says what is wrong, in bbolt's terms ("page 7 says it is
// page 0"). It wraps ErrDamaged.
type DamageError struct{ Detail string }

func (e *DamageError) Error() string { return ErrDamaged.Error() + " (" + e.Detail + ")" }

func (e *DamageError) Unwrap() error { return ErrDamaged }

// fileKind names what a path that is no regular file is.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

func damage(format string, args ...any) error {
	return &DamageError{Detail: fmt.Sprintf(format, args...)}
}

// Shape is what a bucket holds, so that a quick check reads the pages
// that lead to other pages and skips the rest. Values (0) is a bucket of
// values only; every other shape, Top and the caller's own, holds only
// nested buckets, whose shapes Options.Layout gives.
type Shape uint8

const (
	Values Shape = 0   // values only: a quick check does not read its leaves
	Top    Shape = 255 // the file's top level, which holds only buckets
)

// Layout returns the shape of the bucket called name inside a bucket of
// shape parent.
type Layout func(parent Shape, name []byte) Shape

// Options says how thoroughly Check reads a file.
type Options struct {
	// Full reads every leaf page's element table too; a quick check
	// reads the branch pages and the leaves of buckets of buckets.
	Full bool
	// Layout gives the shapes of the nested buckets; nil means the top
	// level holds buckets of values.
	Layout Layout
	// LockTimeout bounds the wait for another process's lock; 0 waits
	// one second.
	LockTimeout time.Duration
}

// Check checks the bbolt file at path before bbolt maps it: the meta page
// against the file's size, the freelist, and the page tree (every page
// pointed to lies in the file, once, and says it is that page). It reads
// with pread under a shared lock, as bbolt's read-only open does, never
// through a memory map, so a short file cannot fault, and it allocates no
// more than the file holds. A missing or empty file passes, as does every
// file where the lock cannot be shared (Windows). Damage is a
// *DamageError; a file another process keeps locked is ErrLocked.
func Check(path string, o Options) error {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() { // a pipe would block the open for ever
		return damage("it is a %s, not a file", fileKind(st.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close() // releases the lock
	if o.LockTimeout <= 0 {
		o.LockTimeout = time.Second
	}
	if err := lockShared(f, o.LockTimeout); err != nil {
		if errors.Is(err, errNoCheck) {
			return nil
		}
		return err
	}
	info, err := f.Stat()
	if err != nil || info.Size() == 0 {
		return err
	}
	m, err := readMeta(f, info.Size())
	if err != nil {
		return err
	}
	if err := checkMeta(m, info.Size()); err != nil {
		return err
	}
	w := newTreeWalk(f, m, o)
	if err := w.claimFreelist(m.freelist); err != nil {
		return err
	}
	return w.bucketPages(m.root, Top, 0)
}
