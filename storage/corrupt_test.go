package storage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

func TestDamagedFile(t *testing.T) {
	for name, damage := range map[string]func(path string){
		"garbage": func(path string) {
			_ = os.WriteFile(path, bytes.Repeat([]byte("not a database "), 1000), 0o600)
		},
		"truncated": func(path string) {
			_ = os.Truncate(path, 100)
		},
		"overwritten meta pages": func(path string) {
			f, _ := os.OpenFile(path, os.O_RDWR, 0)
			_, _ = f.WriteAt(bytes.Repeat([]byte{0xAB}, 8192), 0)
			_ = f.Close()
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := openTest(t, dir)
			if _, err := s.SaveProfile(model.Profile{Options: mqtt.NewOptions("kept?", mqtt.SchemeMQTT, "h")}); err != nil {
				t.Fatal(err)
			}
			_ = s.Close()
			path := filepath.Join(dir, FileName)
			damage(path)
			original, _ := os.ReadFile(path)

			_, err := Open(dir)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Open on a damaged file: %v (want ErrCorrupt naming %s)", err, path)
			}
			if now, _ := os.ReadFile(path); !bytes.Equal(now, original) {
				t.Fatal("Open changed the damaged file")
			}

			s2, err := OpenWith(dir, OpenOptions{MoveAsideCorrupt: true})
			if err != nil {
				t.Fatalf("OpenWith MoveAsideCorrupt: %v", err)
			}
			defer s2.Close()
			moved := s2.MovedAside()
			if kept, _ := os.ReadFile(moved); !strings.HasPrefix(moved, path+".damaged-") || !bytes.Equal(kept, original) {
				t.Fatalf("damaged file not kept intact beside the new one (%s)", moved)
			}
			if list, _ := s2.Profiles(); len(list) != 0 {
				t.Fatalf("fresh file holds %d profiles", len(list))
			}
		})
	}
}
