package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/storage"
)

// damageMarker is in every payload of the history the test damages, so
// that its pages can be found in the file.
const damageMarker = "DAMAGE-ME-"

// historyDir writes a data directory with two connections, damaged (whose
// messages carry damageMarker) and intact, each with a history.
func historyDir(t *testing.T, port int) (dir, damaged, intact string) {
	t.Helper()
	dir = t.TempDir()
	s, err := storage.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 2)
	for i, name := range []string{"damaged", "intact"} {
		o := mqtt.NewOptions(name, mqtt.SchemeMQTT, "127.0.0.1")
		o.Port, o.Reconnect.Enabled = port, false
		p, err := s.SaveProfile(model.Profile{Options: o})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	ctx := context.Background()
	for i := range 5000 {
		for j, id := range ids {
			payload := fmt.Sprintf("intact-%d", i)
			if j == 0 {
				payload = damageMarker + fmt.Sprint(i)
			}
			if _, err := s.Append(ctx, id, storage.Message{Time: time.Now(), Topic: "t/" + fmt.Sprint(i%3), Payload: []byte(payload)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, ids[0], ids[1]
}

// zeroMarkedLeaves zeroes, in place under the open store, every leaf page
// of the file that holds damageMarker, as a failing disk would.
func zeroMarkedLeaves(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, storage.FileName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pageSize := int(binary.LittleEndian.Uint32(data[24:]))
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zeroed := 0
	for at := 2 * pageSize; at+pageSize <= len(data); at += pageSize {
		page := data[at : at+pageSize]
		if binary.LittleEndian.Uint16(page[8:]) == 0x02 && bytes.Contains(page, []byte(damageMarker)) {
			if _, err := f.WriteAt(make([]byte, pageSize), int64(at)); err != nil {
				t.Fatal(err)
			}
			zeroed++
		}
	}
	if zeroed == 0 {
		t.Fatal("no page to damage")
	}
}

// TestHistoryDamagedWhileOpen damages one connection's history under a
// running App: what reads it answers with the damaged-file sentence,
// everything else keeps working, the damaged connection still opens,
// and the App closes.
func TestHistoryDamagedWhileOpen(t *testing.T) {
	dir, damaged, intact := historyDir(t, testnet.FreePort(t))
	a, err := Open(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	zeroMarkedLeaves(t, dir)
	ctx := context.Background()

	for name, read := range map[string]func() error{
		"messages": func() error { _, err := a.Messages(damaged, nil); return err },
		"older":    func() error { _, err := a.Older(damaged, 4000, 50); return err },
		"search": func() error {
			_, _, err := a.Search(ctx, damaged, model.Query{Text: "x"}, 0, 10)
			return err
		},
		"export": func() error { return a.ExportProfile(ctx, io.Discard, damaged, true) },
	} {
		err := read()
		if msg := UserMessage(err); !errors.Is(err, storage.ErrCorrupt) ||
			!strings.HasPrefix(msg, "mqttdesk's data file is damaged (") || !strings.Contains(msg, "--recover") {
			t.Errorf("%s: %q", name, msg)
		}
	}

	if list, err := a.Profiles(); err != nil || len(list) != 2 {
		t.Fatalf("profiles: %d, %v", len(list), err)
	}
	if page, err := a.Messages(intact, nil); err != nil || len(page) == 0 {
		t.Fatalf("the intact history: %d messages, %v", len(page), err)
	}
	if _, err := a.SaveProfile(model.Profile{Options: mqtt.NewOptions("new", mqtt.SchemeMQTT, "h")}); err != nil {
		t.Fatalf("saving a connection: %v", err)
	}
	if err := a.Connect(ctx, damaged); errors.Is(err, storage.ErrCorrupt) {
		t.Fatalf("the damaged history keeps its connection from opening: %v", err)
	}
	if _, err := a.Messages(damaged, nil); err != nil {
		t.Fatalf("messages of the open connection: %v", err)
	}
	if _, err := a.store.Append(ctx, damaged, storage.Message{Topic: "t/1", Payload: []byte("new")}); err != nil {
		t.Fatal(err)
	}
	if err := a.store.Flush(ctx); !errors.Is(err, storage.ErrCorrupt) {
		t.Fatalf("a message to the damaged history: %v", err)
	}
	if st := a.StoreState(); !strings.HasPrefix(st.Damage, "mqttdesk's data file is damaged") || st.DiskError != "" {
		t.Fatalf("store state %+v", st)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
