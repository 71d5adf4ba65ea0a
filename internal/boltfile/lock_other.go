//go:build !unix

package boltfile

import (
	"os"
	"time"
)

// lockShared reports errNoCheck where bbolt locks with LockFileEx, which
// makes another process's reads fail: there Check is skipped, and the
// guards alone stand between damage and a crash.
func lockShared(*os.File, time.Duration) error { return errNoCheck }
