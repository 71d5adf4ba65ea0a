package storage

import (
	"errors"
	"fmt"

	"github.com/mqttdesk/mqttdesk/internal/boltfile"
)

// errDamage is the ErrCorrupt of what checkFile finds.
func errDamage(format string, args ...any) error {
	return fmt.Errorf("%w (%s)", ErrCorrupt, fmt.Sprintf(format, args...))
}

// The shapes of mqttdesk's buckets, so that a quick check reads the pages
// that lead to other pages and skips the rest.
const (
	shapeValues       = boltfile.Values   // values only
	shapeValueBuckets = boltfile.Shape(1) // subscriptions, published, history/<profile>: buckets of values
	shapeHistories    = boltfile.Shape(2) // history: a bucket per profile
	shapeRoot         = boltfile.Top      // the file's root: the top-level buckets
)

// layout returns the shape of the bucket called name inside one of shape
// parent.
func layout(parent boltfile.Shape, name []byte) boltfile.Shape {
	switch parent {
	case shapeRoot:
		switch string(name) {
		case string(bucketHistory):
			return shapeHistories
		case string(bucketSubscriptions), string(bucketPublished):
			return shapeValueBuckets
		}
	case shapeHistories:
		return shapeValueBuckets
	}
	return shapeValues
}

// checkFile checks the bbolt file at path before bbolt maps it (see
// boltfile.Check; full also checks every leaf page). A missing or empty
// file passes. Damage is an error wrapping ErrCorrupt; a file another
// process writes is ErrLocked.
func checkFile(path string, full bool) error {
	err := boltfile.Check(path, boltfile.Options{Full: full, Layout: layout, LockTimeout: lockTimeout})
	var d *boltfile.DamageError
	switch {
	case errors.As(err, &d):
		return errDamage("%s", d.Detail)
	case errors.Is(err, boltfile.ErrLocked):
		return ErrLocked
	}
	return err
}
