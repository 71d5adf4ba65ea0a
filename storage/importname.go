package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// names are the connection names taken, and for each name copied, the
// number its next copy tries first, so that naming n copies of one name
// takes n steps, not n².
type names struct {
	taken map[string]bool
	next  map[string]int
}

// takenNames returns the names of the saved profiles, as tx sees them.
func (s *Store) takenNames(tx *bolt.Tx) (*names, error) {
	ns := &names{taken: map[string]bool{}, next: map[string]int{}}
	err := tx.Bucket(bucketProfiles).ForEach(func(_, data []byte) error {
		p, err := s.decodeProfile(tx, data)
		if err != nil {
			return err
		}
		ns.taken[p.Options.Name] = true
		return nil
	})
	return ns, err
}

// importedName returns name, or, when a connection already has it, the
// first free of "name (imported)", "name (imported 2)", …, so that an
// imported connection is never mistaken for the one it copies. It marks
// the name it returns as taken.
func (ns *names) importedName(name string) string {
	candidate := name
	n := max(ns.next[name], 1)
	for ; ns.taken[candidate]; n++ {
		if n == 1 {
			candidate = name + " (imported)"
		} else {
			candidate = fmt.Sprintf("%s (imported %d)", name, n)
		}
	}
	ns.next[name] = n
	ns.taken[candidate] = true
	return candidate
}
