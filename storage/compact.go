package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Compact rewrites the database in dir without the space that deleted
// messages left, and returns the file's size before and after. The store
// must be closed (Compact takes the file's lock, so it fails with
// ErrLocked otherwise). The compacted copy replaces the file only once it
// is complete; on any error the original stays as it was. A damaged file
// is ErrCorrupt.
func Compact(dir string) (before, after int64, err error) {
	path := filepath.Join(dir, FileName)
	if err := checkFile(path, false); err != nil {
		return 0, 0, fmt.Errorf("storage: compact %s: %w", path, err)
	}
	src, err := openBolt(path, &bolt.Options{Timeout: lockTimeout, ReadOnly: true})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return 0, 0, fmt.Errorf("storage: compact %s: %w", path, ErrLocked)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("storage: compact %s: %w", path, err)
	}
	tmp := path + ".compacting"
	_ = os.Remove(tmp)
	err = compactInto(src, tmp)
	_ = src.Close()
	if err != nil {
		_ = os.Remove(tmp)
		return 0, 0, fmt.Errorf("storage: compact %s: %w", path, err)
	}
	before, after = fileSize(path), fileSize(tmp)
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return 0, 0, fmt.Errorf("storage: compact %s: %w", path, err)
	}
	return before, after, nil
}

// compactInto copies src into a new file tmp; a panic or fault of bbolt
// on a damaged src is ErrCorrupt.
func compactInto(src *bolt.DB, tmp string) (err error) {
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			// dst is left open: bbolt.Compact's write transaction on it
			// holds its lock, which Close would wait for forever.
			if err = damageOf(r); err == nil {
				panic(r)
			}
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	if err := bolt.Compact(dst, src, 64<<20); err != nil {
		_ = dst.Close()
		return err
	}
	if err := dst.Sync(); err != nil {
		_ = dst.Close()
		return err
	}
	return dst.Close()
}

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}
