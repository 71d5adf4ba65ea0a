package localbroker

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// persistedFile runs a broker with persistence that keeps 200 retained
// messages of 2 KB, and returns its data file (2 MiB, 400 KB in use).
func persistedFile(t *testing.T) []byte {
	t.Helper()
	cfg := testConfig()
	cfg.PersistDir = t.TempDir()
	b := startBroker(t, cfg)
	p := connected(t, b, "filler")
	payload := make([]byte, 2000)
	for i := range 200 {
		p.publish("keep/"+string(rune('a'+i%26))+"/"+strings.Repeat("x", i%7), payload, 1, true, packets.Properties{}, uint16(i+1))
		p.publish("keep/n"+string(rune('0'+i%10))+string(rune('a'+i/10)), payload, 1, true, packets.Properties{}, uint16(i+1))
		p.expect(packets.Puback)
		p.expect(packets.Puback)
	}
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(cfg.PersistDir, PersistFile))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// spoiled returns data with the first occurrence of s overwritten.
func spoiled(data []byte, s string) []byte {
	out := append([]byte(nil), data...)
	if i := bytes.Index(out, []byte(s)); i >= 0 {
		copy(out[i:], "!!")
	}
	return out
}

// zeroed returns data with n bytes from at set to zero.
func zeroed(data []byte, at, n int) []byte {
	out := append([]byte(nil), data...)
	clear(out[at : at+n])
	return out
}

// TestDamagedPersistFile: a broker.db cut short, with its meta pages
// zeroed, or overwritten, makes Start fail with a sentence that names the
// file, says it is damaged and what to do; nothing crashes (mochi's bolt
// hook panicked with "invalid freelist page" or died of SIGBUS).
func TestDamagedPersistFile(t *testing.T) {
	good := persistedFile(t)
	t.Logf("broker.db of %d bytes", len(good))
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"cut to 100,000 bytes", good[:100000]}, // panic: invalid freelist page
		{"cut to 300,000 bytes", good[:300000]},
		{"cut to 1,500,000 bytes", good[:1500000]}, // SIGBUS: bbolt read past the end of the file
		{"cut to a page", good[:4096]},
		{"cut to 10 bytes", good[:10]},
		{"both meta pages zeroed", zeroed(good, 0, 8192)},
		{"first meta page zeroed, second cut", zeroed(good[:100000], 0, 4096)},
		{"pages overwritten", zeroed(good, 8192, len(good)/2)},
		{"not a bolt file", []byte(strings.Repeat("not a database\n", 1000))},
		{"a record that does not decode", spoiled(good, `{"`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.PersistDir = t.TempDir()
			path := filepath.Join(cfg.PersistDir, PersistFile)
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			b, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = b.Start(context.Background())
			if err == nil {
				_ = b.Stop(context.Background())
				t.Fatal("Start succeeded on a damaged file")
			}
			var d *DamagedFileError
			msg := err.Error()
			if !errors.Is(err, ErrDamaged) || !errors.As(err, &d) || d.Path != path ||
				!strings.Contains(msg, path+" is damaged") || !strings.Contains(msg, "turn off persistence") || strings.Contains(msg, "another broker") {
				t.Fatalf("Start: %v; want the damaged-file sentence naming %s", err, path)
			}
			if b.Running() {
				t.Fatal("running after a failed Start")
			}
		})
	}
}

// TestDamagedPersistFileMovedAside: with MoveAsideDamaged, Start keeps the
// damaged file aside, says where, and starts with a fresh one.
func TestDamagedPersistFileMovedAside(t *testing.T) {
	good := persistedFile(t)
	var log logBuffer
	cfg := testConfig()
	cfg.PersistDir, cfg.MoveAsideDamaged, cfg.Logger = t.TempDir(), true, logTo(&log)
	path := filepath.Join(cfg.PersistDir, PersistFile)
	if err := os.WriteFile(path, good[:100000], 0o600); err != nil {
		t.Fatal(err)
	}
	b := startBroker(t, cfg)
	moved := b.MovedAside()
	if kept, err := os.ReadFile(moved); err != nil || len(kept) != 100000 || !strings.HasPrefix(moved, path+".damaged-") {
		t.Fatalf("moved aside to %q (%d bytes, %v)", moved, len(kept), err)
	}
	if !log.contains("level=WARN", "kept_as="+moved) {
		t.Errorf("no warning naming %s:\n%s", moved, log.String())
	}
	c := connected(t, b, "after")
	c.subscribe(packets.Properties{}, sub("keep/#", 0))
	c.expectNothing(200 * time.Millisecond) // the fresh file holds no retained message
}

// TestPersistFileInUse: a second broker on the same directory is told
// another broker uses the file, not that it is damaged.
func TestPersistFileInUse(t *testing.T) {
	cfg := testConfig()
	cfg.PersistDir = t.TempDir()
	startBroker(t, cfg)
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Start(context.Background())
	if err == nil {
		_ = b.Stop(context.Background())
		t.Fatal("two brokers on one file")
	}
	if !errors.Is(err, ErrPersistLocked) || errors.Is(err, ErrDamaged) {
		t.Fatalf("Start: %v; want ErrPersistLocked", err)
	}
}
