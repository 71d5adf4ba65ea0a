package localbroker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/storage/bolt"

	"github.com/mqttdesk/mqttdesk/internal/boltfile"
)

// persistLockWait is how long Start waits for another broker's lock on
// the persistence file before saying that one is using it.
const persistLockWait = 250 * time.Millisecond

// Sentinel errors of the persistence file, wrapped by Start's error.
var (
	// ErrDamaged says the persistence file is damaged; the error is a
	// *DamagedFileError, whose sentence says what to do.
	ErrDamaged = errors.New("the broker's data file is damaged")
	// ErrPersistLocked says another broker uses the persistence file.
	ErrPersistLocked = errors.New("another broker is using the data file")
)

// DamagedFileError is Start's error when the persistence file (Path) is
// damaged: truncated, overwritten, or a record that does not decode
// (Detail). The broker does not start with it; Config.MoveAsideDamaged
// keeps it aside and starts with a fresh one instead.
type DamagedFileError struct {
	Path   string
	Detail string
}

func (e *DamagedFileError) Error() string {
	return fmt.Sprintf("the broker's data file %s is damaged (%s): turn off persistence, or move the file aside to start with a fresh one", e.Path, e.Detail)
}

func (e *DamagedFileError) Unwrap() error { return ErrDamaged }

// checkPersistFile checks the bolt file at path before mochi's hook maps
// it (every page, since the hook then walks every record): damage is a
// *DamagedFileError, another broker's lock ErrPersistLocked.
func checkPersistFile(path string) error {
	err := boltfile.Check(path, boltfile.Options{Full: true, LockTimeout: persistLockWait})
	var d *boltfile.DamageError
	switch {
	case errors.As(err, &d):
		return &DamagedFileError{Path: path, Detail: d.Detail}
	case errors.Is(err, boltfile.ErrLocked):
		return fmt.Errorf("localbroker: open %s: %w", path, ErrPersistLocked)
	case err != nil:
		return fmt.Errorf("localbroker: check %s: %w", path, err)
	}
	return nil
}

// openError says why the bolt hook could not open or read the file at
// path: bbolt's lock timeout is another broker, a file system error is
// itself, and anything else bbolt or the hook refused is damage.
func openError(path string, err error) error {
	var pe *fs.PathError
	var d *boltfile.DamageError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrDamaged):
		return err
	case errors.As(err, &d):
		return &DamagedFileError{Path: path, Detail: d.Detail}
	case errors.As(err, &pe):
		return fmt.Errorf("localbroker: open %s: %w", path, err)
	case errors.Is(err, bolt.ErrTimeout):
		return fmt.Errorf("localbroker: open %s: %w", path, ErrPersistLocked)
	}
	return &DamagedFileError{Path: path, Detail: err.Error()}
}

// moveAside renames a damaged file to path.damaged-<time> and returns the
// new name.
func moveAside(path string) (string, error) {
	moved := path + ".damaged-" + time.Now().Format("20060102-150405")
	if _, err := os.Stat(moved); err == nil {
		return "", fmt.Errorf("localbroker: %s already exists; not overwriting it", moved)
	}
	if err := os.Rename(path, moved); err != nil {
		return "", fmt.Errorf("localbroker: move the damaged %s aside: %w", path, err)
	}
	return moved, nil
}

// addPersistHook checks the persistence file and adds mochi's bolt hook
// on it. A damaged file is a *DamagedFileError.
func (b *Broker) addPersistHook(srv *mqtt.Server) error {
	if err := os.MkdirAll(b.cfg.PersistDir, 0o700); err != nil {
		return fmt.Errorf("localbroker: persistence directory: %w", err)
	}
	path := b.persistPath()
	if err := checkPersistFile(path); err != nil {
		return err
	}
	err := srv.AddHook(newPersistHook(path), &bolt.Options{Path: path})
	var d *DamagedFileError
	switch {
	case errors.As(err, &d):
		return d
	case errors.Is(err, ErrPersistLocked):
		return fmt.Errorf("localbroker: open %s: %w", path, ErrPersistLocked)
	case err != nil:
		return fmt.Errorf("localbroker: open %s: %w", path, err)
	}
	return nil
}

func (b *Broker) persistPath() string { return filepath.Join(b.cfg.PersistDir, PersistFile) }

// serveError is Start's error when mochi's Serve failed: with persistence
// on, that is reading what the file holds, so a record that does not
// decode is damage.
func (b *Broker) serveError(err error) error {
	var d *DamagedFileError
	switch {
	case errors.As(err, &d):
		return d
	case b.cfg.PersistDir == "":
		return fmt.Errorf("localbroker: start: %w", err)
	}
	return &DamagedFileError{Path: b.persistPath(), Detail: err.Error()}
}

// recoverDamaged moves the damaged file of err aside when
// Config.MoveAsideDamaged says so, and reports whether Start may try again
// with a fresh file.
func (b *Broker) recoverDamaged(err error) (bool, error) {
	var d *DamagedFileError
	if !b.cfg.MoveAsideDamaged || !errors.As(err, &d) {
		return false, err
	}
	moved, merr := moveAside(d.Path)
	if merr != nil {
		return false, errors.Join(err, merr)
	}
	b.movedAside = moved
	b.log.Warn("the broker's data file was damaged; it is kept aside and the broker starts with a fresh one",
		"file", d.Path, "kept_as", moved, "damage", d.Detail)
	return true, nil
}

// MovedAside returns where the last Start moved a damaged persistence
// file (Config.MoveAsideDamaged), or "".
func (b *Broker) MovedAside() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.movedAside
}
