package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// takenNames returns the names of the saved profiles, as tx sees them.
func (s *Store) takenNames(tx *bolt.Tx) (map[string]bool, error) {
	taken := map[string]bool{}
	err := tx.Bucket(bucketProfiles).ForEach(func(_, data []byte) error {
		p, err := s.decodeProfile(tx, data)
		if err != nil {
			return err
		}
		taken[p.Options.Name] = true
		return nil
	})
	return taken, err
}

// importedName returns name, or, when a connection already has it, the
// first free of "name (imported)", "name (imported 2)", …, so that an
// imported connection is never mistaken for the one it copies. It marks
// the name it returns as taken.
func importedName(name string, taken map[string]bool) string {
	candidate := name
	for n := 1; taken[candidate]; n++ {
		if n == 1 {
			candidate = name + " (imported)"
		} else {
			candidate = fmt.Sprintf("%s (imported %d)", name, n)
		}
	}
	taken[candidate] = true
	return candidate
}
