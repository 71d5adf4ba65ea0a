package storage

import (
	"errors"
	"fmt"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/mqttdesk/mqttdesk/internal/boltfile"
)

// Every transaction of the store goes through view or update. bbolt
// trusts the file: damage that the checks at Open cannot see (they skip
// the leaves of big buckets) makes it panic, or read past the end of its
// memory map, which faults. Both become an error wrapping ErrCorrupt that
// names the file. bbolt's managed transactions roll back on the way out
// of a panic, so the store stays usable. Panics raised by our own code
// are not converted: they are bugs, and go on up.

// view runs fn in a read transaction; see above for damage.
func (s *Store) view(fn func(tx *bolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = s.fromPanic(r)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return s.named(s.db.View(fn))
}

// update runs fn in a write transaction; see above for damage. When a
// panic left bbolt's writer lock held (the rollback itself failed),
// every later update returns ErrCorrupt at once instead of waiting for
// the lock forever, and Close leaves the file to the process's exit.
func (s *Store) update(fn func(tx *bolt.Tx) error) (err error) {
	if wedged := s.wedged.Load(); wedged != nil {
		return *wedged
	}
	var tx *bolt.Tx
	defer func() {
		if r := recover(); r != nil {
			err = s.fromPanic(r)
			if tx != nil && tx.DB() != nil {
				wedged := fmt.Errorf("%w; writing stopped", err)
				s.wedged.Store(&wedged)
			}
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return s.named(s.db.Update(func(t *bolt.Tx) error {
		tx = t
		return fn(t)
	}))
}

// named adds the file's path to damage found inside a transaction, and
// takes bbolt's refusals to treat a value as a bucket, or the reverse,
// for damage.
func (s *Store) named(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bolterrors.ErrIncompatibleValue):
		return fmt.Errorf("%s: %w (%v)", s.path, ErrCorrupt, err)
	case errors.Is(err, ErrCorrupt):
		return fmt.Errorf("%s: %w", s.path, err)
	}
	return err
}

// fromPanic returns the damage error of a panic raised by bbolt or by a
// fault, and panics again with anything else.
func (s *Store) fromPanic(r any) error {
	if err := damageOf(r); err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	panic(r)
}

// damageOf returns ErrCorrupt with r's text when r is a fault on memory
// that is not nil (the memory map) or a panic raised inside bbolt, and
// nil otherwise (see boltfile.Recovered). It must be called by the
// deferred function that recovered r, while the panicking frames are
// still on the stack.
func damageOf(r any) error {
	var d *boltfile.DamageError
	if errors.As(boltfile.Recovered(r), &d) {
		return errDamage("%s", d.Detail)
	}
	return nil
}

// openBolt opens the file with bbolt, turning its panics and faults on a
// damaged file into ErrCorrupt like view does.
func openBolt(path string, o *bolt.Options) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			if err = damageOf(r); err == nil {
				panic(r)
			}
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return bolt.Open(path, 0o600, o)
}

// damaged is the ErrCorrupt of a stored record, what, that does not
// decode.
func damaged(what string, err error) error {
	return fmt.Errorf("%w: %s does not decode (%v)", ErrCorrupt, what, err)
}
