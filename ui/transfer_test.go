package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
)

// TestDroppedExportFilesAreImported: an export file dropped on the window
// adds its connection and says what it added; a broken one says what went
// wrong and adds nothing.
func TestDroppedExportFilesAreImported(t *testing.T) {
	q := useMainQueue(t)
	from := openCore(t, nil)
	importDemo(t, from, 1883)
	profiles, err := from.Profiles()
	if err != nil || len(profiles) != 1 {
		t.Fatalf("the demo core holds %d profiles (%v)", len(profiles), err)
	}
	file := filepath.Join(t.TempDir(), "lab.mqttdesk.json")
	out, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := from.ExportProfile(context.Background(), out, profiles[0].ID, true); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "broken.json")
	if err := os.WriteFile(broken, []byte(`{"format": "mqttdesk-export", "profiles": [`), 0o600); err != nil {
		t.Fatal(err)
	}

	w := newTestWindow(t, openCore(t, nil))
	w.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(file)})
	q.runUntil(t, "the import to finish", func() bool { return strings.Contains(menuText(w), "Import finished") })
	want := "Added 1 connection, 2 subscriptions and 5 messages from lab.mqttdesk.json."
	if got := menuText(w); !strings.Contains(got, want) {
		t.Errorf("after the import the window says %q, want %q", got, want)
	}
	q.runUntil(t, "the imported connection", func() bool { return len(w.connections.items) == 1 })
	w.dialogs.closeTop()

	w.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(broken)})
	q.runUntil(t, "the error", func() bool { return strings.Contains(menuText(w), "Something went wrong") })
	if got := menuText(w); !strings.Contains(got, "nothing was imported") {
		t.Errorf("a broken file says %q, want it to say that nothing was imported", got)
	}
	if n := len(w.connections.items); n != 1 {
		t.Errorf("after a broken import %d connections are listed, want 1", n)
	}
}
