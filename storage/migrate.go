package storage

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// migration upgrades the file by one schema version, inside one
// transaction.
type migration func(tx *bolt.Tx) error

// migrations[i] upgrades schema i+1 to i+2. Schema 1 is the first layout;
// append here, never edit, when the layout changes.
var migrations = []migration{
	// 1 → 2: records may say how a publish went (flagSending, flagFailed).
	// Records of schema 1 read the same; the version keeps an older
	// mqttdesk, which would take the new flags for damage, off the file.
	func(*bolt.Tx) error { return nil },
}

// schemaVersion is the layout this code writes.
func schemaVersion() byte { return byte(1 + len(migrations)) }

// migrate brings a file at schema from up to date. It first copies the
// file, consistently, to mqttdesk.db.schema<from>-backup-<time> beside it;
// the upgrade then runs in one transaction, so a failure leaves the file
// as it was.
func (s *Store) migrate(from byte) error {
	backup := fmt.Sprintf("%s.schema%d-backup-%s", s.path, from, time.Now().Format("20060102-150405"))
	err := s.view(func(tx *bolt.Tx) error { return tx.CopyFile(backup, 0o600) })
	if err != nil {
		return fmt.Errorf("storage: back up %s before upgrading it: %w", s.path, err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		for v := from; v < schemaVersion(); v++ {
			if err := migrations[v-1](tx); err != nil {
				return fmt.Errorf("schema %d to %d: %w", v, v+1, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte{schemaVersion()})
	})
	if err != nil {
		return fmt.Errorf("storage: upgrade %s (the original is kept as %s): %w", s.path, backup, err)
	}
	s.backup = backup
	return nil
}

// UpgradeBackup returns the copy made before this Open upgraded the file,
// or "".
func (s *Store) UpgradeBackup() string { return s.backup }
