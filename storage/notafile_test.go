//go:build unix

package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDataFileThatIsNoFile: a named pipe or a directory where the data
// file or the key file belongs is refused with a sentence that says so;
// opening a pipe blocked for ever, and a directory was called a data
// file whose meta pages are damaged.
func TestDataFileThatIsNoFile(t *testing.T) {
	for _, tc := range []struct {
		name, file, want string
		make             func(path string) error
	}{
		{"data file a pipe", FileName, "it is a named pipe, not a file", func(p string) error { return syscall.Mkfifo(p, 0o600) }},
		{"data file a directory", FileName, "it is a directory, not a file", func(p string) error { return os.Mkdir(p, 0o700) }},
		{"key file a pipe", KeyFileName, "not a key file", func(p string) error { return syscall.Mkfifo(p, 0o600) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(noKeyringEnv, "off")
			dir := t.TempDir()
			if tc.file == KeyFileName { // a store with a secret, so that the key is needed
				s := openTest(t, dir)
				saveSecret(t, s)
				_ = s.Close()
				_ = os.Remove(filepath.Join(dir, KeyFileName))
			}
			if err := tc.make(filepath.Join(dir, tc.file)); err != nil {
				t.Fatal(err)
			}
			opened := make(chan error, 1)
			go func() {
				s, err := Open(dir)
				if err == nil {
					_ = s.Close()
				}
				opened <- err
			}()
			select {
			case err := <-opened:
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Open: %v; want an error saying %q", err, tc.want)
				}
				if tc.file == FileName && !errors.Is(err, ErrCorrupt) {
					t.Errorf("Open: %v is not ErrCorrupt, which --recover handles", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Open blocked on it")
			}
		})
	}
}
