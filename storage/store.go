package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// FileName is the database's name inside the data directory.
const FileName = "mqttdesk.db"

// lockTimeout bounds how long Open waits for another process's lock.
const lockTimeout = time.Second

// Sentinel errors callers may test with errors.Is.
var (
	// ErrLocked is returned by Open when another process, usually another
	// mqttdesk, has the file open.
	ErrLocked = errors.New("mqttdesk is already running with this data directory")
	// ErrNotFound is returned when a record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNewerSchema is returned by Open for a file written by a newer
	// mqttdesk, which this one must not change.
	ErrNewerSchema = errors.New("the data file was written by a newer mqttdesk")
	// ErrCorrupt is returned, wrapped with the file's path and what is
	// wrong, by Open for a file that is not a readable mqttdesk database,
	// and by any other method that finds damage later, while reading or
	// writing. The file is left as it is unless the caller asks OpenWith
	// to move it aside; the Store stays usable for the parts that are
	// not damaged.
	ErrCorrupt = errors.New("the data file is damaged")
)

// OpenOptions change how OpenWith treats the data file.
type OpenOptions struct {
	// MoveAsideCorrupt renames a damaged file to mqttdesk.db.damaged-<time>
	// beside it, never overwriting it, and starts a fresh one.
	MoveAsideCorrupt bool
}

var (
	bucketMeta     = []byte("meta")
	bucketProfiles = []byte("profiles")
	bucketSettings = []byte("settings")
	keySchema      = []byte("schema")
)

// Store is an open database. Its methods are safe for concurrent use.
type Store struct {
	db      *bolt.DB
	path    string
	secrets *secretBox
	writer  *writer
	topics  topics
	seqs    sequences

	movedAside string
	backup     string // the copy made before a schema upgrade
	keySource  string
	pruneStop  chan struct{}
	pruneDone  chan struct{}
	pruneErr   atomic.Value          // error of the last background prune
	wedged     atomic.Pointer[error] // set when damage left bbolt's writer lock held

	appendMu sync.RWMutex // Append and Flush hold it for reading while they queue
	closed   atomic.Bool
}

// DefaultDir returns the user's data directory for mqttdesk,
// os.UserConfigDir()/mqttdesk.
func DefaultDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("storage: find the config directory: %w", err)
	}
	return filepath.Join(dir, "mqttdesk"), nil
}

// Open opens or creates the database in dir (created with mode 0700; the
// file has mode 0600). It returns ErrLocked within about a second when
// another process holds the file, and ErrCorrupt, naming the file and the
// cause, when the file is damaged.
func Open(dir string) (*Store, error) { return OpenWith(dir, OpenOptions{}) }

// OpenWith is Open with options. With MoveAsideCorrupt it checks the
// whole file first, every page and record (about a second per million
// messages), since damage a normal Open does not look for would
// otherwise keep being reported; after moving a damaged file aside, the
// store's MovedAside says where it went.
func OpenWith(dir string, o OpenOptions) (*Store, error) {
	s, err := open(dir, o.MoveAsideCorrupt)
	if !errors.Is(err, ErrCorrupt) || !o.MoveAsideCorrupt {
		return s, err
	}
	moved, merr := moveAside(filepath.Join(dir, FileName))
	if merr != nil {
		return nil, errors.Join(err, merr)
	}
	if s, err = open(dir, false); err == nil {
		s.movedAside = moved
	}
	return s, err
}

// MovedAside returns where OpenWith moved a damaged file, or "".
func (s *Store) MovedAside() string { return s.movedAside }

func moveAside(path string) (string, error) {
	moved := path + ".damaged-" + time.Now().Format("20060102-150405")
	if _, err := os.Stat(moved); err == nil {
		return "", fmt.Errorf("storage: %s already exists; not overwriting it", moved)
	}
	if err := os.Rename(path, moved); err != nil {
		return "", fmt.Errorf("storage: move the damaged %s aside: %w", path, err)
	}
	return moved, nil
}

// open opens the store in dir; thorough checks every page and record of
// the file before using it.
func open(dir string, thorough bool) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("storage: create %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	if err := checkFile(path, thorough); err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	db, err := openBolt(path, &bolt.Options{Timeout: lockTimeout, FreelistType: bolt.FreelistMapType})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("storage: open %s: %w", path, ErrLocked)
	case errors.Is(err, ErrCorrupt):
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	case isCorruption(err):
		return nil, fmt.Errorf("storage: open %s: %w (%v)", path, ErrCorrupt, err)
	case err != nil:
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.prepare(dir, thorough); err != nil {
		_ = db.Close()
		return nil, err
	}
	s.writer = startWriter(s)
	s.pruneStop, s.pruneDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.pruneDone)
		s.pruneLoop(s.pruneStop)
	}()
	return s, nil
}

// prepare creates what a new file lacks, upgrades an older one, loads the
// key to the secrets and, when thorough, checks every record.
func (s *Store) prepare(dir string, thorough bool) error {
	if err := s.init(); err != nil {
		return err
	}
	var err error
	if s.secrets, s.keySource, err = loadKey(dir, s.hasSecrets()); err != nil {
		return err
	}
	if thorough {
		if err := s.verify(); err != nil {
			return fmt.Errorf("storage: open %s: %w", s.path, err)
		}
	}
	return nil
}

// topBuckets are the buckets every file has.
var topBuckets = [][]byte{bucketMeta, bucketProfiles, bucketSettings, bucketSecrets, bucketHistory, bucketSubscriptions, bucketPublished}

// init makes the buckets and the schema version of a new file, and checks
// or upgrades those of an existing one. A file that has them all is not
// written to.
func (s *Store) init() error {
	var version byte
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		version, err = readSchema(tx)
		return err
	})
	if errors.Is(err, errIncomplete) {
		err = s.update(func(tx *bolt.Tx) error { return createBuckets(tx, &version) })
	}
	if err != nil {
		return fmt.Errorf("storage: prepare %s: %w", s.path, err)
	}
	switch {
	case version > schemaVersion():
		return fmt.Errorf("storage: %s has schema %d, this mqttdesk knows %d: %w", s.path, version, schemaVersion(), ErrNewerSchema)
	case version < schemaVersion():
		return s.migrate(version)
	}
	return nil
}

// errIncomplete says a file lacks a top-level bucket or its schema.
var errIncomplete = errors.New("buckets missing")

// readSchema returns the schema version of a file that has every
// top-level bucket.
func readSchema(tx *bolt.Tx) (byte, error) {
	for _, name := range topBuckets {
		if tx.Bucket(name) == nil {
			return 0, errIncomplete
		}
	}
	v := tx.Bucket(bucketMeta).Get(keySchema)
	switch {
	case v == nil:
		return 0, errIncomplete
	case len(v) != 1:
		return 0, fmt.Errorf("%w: a schema version of %d bytes", ErrCorrupt, len(v))
	}
	return v[0], nil
}

func createBuckets(tx *bolt.Tx, version *byte) error {
	for _, name := range topBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	v, err := readSchema(tx)
	if errors.Is(err, errIncomplete) {
		v = schemaVersion()
		err = tx.Bucket(bucketMeta).Put(keySchema, []byte{v})
	}
	*version = v
	return err
}

// isCorruption reports whether a bbolt open error means a damaged file.
func isCorruption(err error) bool {
	for _, e := range []error{bolterrors.ErrInvalid, bolterrors.ErrVersionMismatch, bolterrors.ErrChecksum, bolterrors.ErrInvalidMapping} {
		if errors.Is(err, e) {
			return true
		}
	}
	return err != nil && strings.Contains(err.Error(), "file size too small")
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close commits every queued message and closes the file. Using the Store
// afterwards returns errors.
func (s *Store) Close() error {
	s.appendMu.Lock()
	already := s.closed.Swap(true)
	s.appendMu.Unlock()
	if already {
		return nil
	}
	close(s.pruneStop)
	<-s.pruneDone
	s.writer.close()
	if wedged := s.wedged.Load(); wedged != nil {
		return fmt.Errorf("storage: close %s: left to the process's exit: %w", s.path, *wedged)
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("storage: close %s: %w", s.path, err)
	}
	return nil
}
