//go:build unix

package boltfile

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// lockShared takes a shared lock on f, as bbolt's read-only open does, so
// that Check never reads a file another process is writing. It returns
// ErrLocked after timeout.
func lockShared(f *os.File, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, syscall.EWOULDBLOCK):
			return err
		case time.Now().After(deadline):
			return ErrLocked
		}
		time.Sleep(50 * time.Millisecond)
	}
}
