package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/storage"
)

// TestImportCommandAddsNothingFromABadFile: `mqttdesk import` of an export
// whose second connection has port -5 says so, exits 1 and adds nothing,
// not even the first connection.
func TestImportCommandAddsNothingFromABadFile(t *testing.T) {
	src, err := storage.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"first", "second"} {
		o := mqtt.NewOptions(name, mqtt.SchemeMQTT, "broker.test")
		o.Port = 1000 + len(name)
		if _, err := src.SaveProfile(model.Profile{Options: o}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := src.Export(context.Background(), &buf, model.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	_ = src.Close()
	file := filepath.Join(t.TempDir(), "export.json")
	edited := strings.Replace(buf.String(), `"port":1006`, `"port":-5`, 1)
	if edited == buf.String() {
		t.Fatal("the export has no port 1006 to edit")
	}
	if err := os.WriteFile(file, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if status := RunImportCommand([]string{file}, &stdout, &stderr, app.Config{DataDir: dir}); status != 1 {
		t.Fatalf("exit status %d (%s)", status, stderr.String())
	}
	if msg := stderr.String(); !strings.Contains(msg, "port -5 is out of range") || !strings.Contains(msg, "nothing was imported") {
		t.Fatalf("stderr %q", msg)
	}
	a := openApp(t, dir)
	if list, _ := a.Profiles(); len(list) != 0 {
		t.Fatalf("%d connections added", len(list))
	}
}

func TestVersionFlag(t *testing.T) {
	var out, errs bytes.Buffer
	_, window, status := Run([]string{"--version"}, &out, &errs)
	if window || status != 0 || !strings.HasPrefix(out.String(), "mqttdesk "+app.Release+" (") {
		t.Fatalf("--version: window %v, status %d, %q %q", window, status, out.String(), errs.String())
	}
}
