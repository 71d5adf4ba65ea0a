package ui

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestEditorChecksFieldsAndTestsTheConnection(t *testing.T) {
	q := useMainQueue(t)
	core := openCore(t, nil)
	w := newTestWindow(t, core)
	f := w.newConnection("")

	setText(f.port, "70000")
	if _, err := f.collect(); err == nil || !strings.Contains(err.Error(), "1 to 65535") {
		t.Fatalf("port 70000: %v", err)
	}
	setText(f.port, "8883")
	f.scheme.SetSelected("mqtts")
	missing := filepath.Join(t.TempDir(), "missing-ca.pem")
	setText(f.caFile, missing)
	if f.caFile.Validate() == nil || f.tlsStatus.Hidden || !strings.Contains(f.tlsStatus.Text, missing) {
		t.Fatalf("missing CA file: validator %v, TLS status %q", f.caFile.Validate(), f.tlsStatus.Text)
	}
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	setText(f.caFile, notPEM)
	if _, err := f.collect(); err == nil || f.tlsStatus.Hidden {
		t.Fatalf("a CA file without PEM was accepted: %v", err)
	}
	if err := f.caFile.Validate(); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("a CA file Save refuses passes its field's check (a check mark): %v", err)
	}
	test.Tap(f.save)
	if f.problem.Hidden || f.tabs.SelectedIndex() != tabTLS {
		t.Fatalf("save with a bad CA: problem %q on tab %d", f.problem.Text, f.tabs.SelectedIndex())
	}

	// Back to plain TCP, to the local broker: the test says it works.
	f.scheme.SetSelected("mqtt")
	setText(f.caFile, "")
	if _, err := core.StartLocalBroker(t.Context()); err != nil {
		t.Fatal(err)
	}
	setText(f.port, strconv.Itoa(core.BrokerSettings().TCPPort))
	test.Tap(f.testButton)
	q.runUntil(t, "the test's result", func() bool { return !f.testButton.Disabled() })
	if !strings.HasPrefix(f.problem.Text, "Connected to mqtt://127.0.0.1:") {
		t.Fatalf("test connection: %q", f.problem.Text)
	}
	setText(f.port, strconv.Itoa(testPortNobodyUses(t)))
	test.Tap(f.testButton)
	q.runUntil(t, "the test's result", func() bool { return !f.testButton.Disabled() })
	if !strings.HasPrefix(f.problem.Text, "Test failed: ") || !strings.Contains(f.problem.Text, "Nothing accepted the connection") {
		t.Fatalf("test against a closed port: %q", f.problem.Text)
	}
}

// firstOf returns the first laid-out object of type T in o.
func firstOf[T fyne.CanvasObject](t *testing.T, o fyne.CanvasObject) T {
	t.Helper()
	for _, c := range test.LaidOutObjects(o) {
		if v, ok := c.(T); ok {
			return v
		}
	}
	var zero T
	t.Fatalf("no %T in %T", zero, o)
	return zero
}

func testPortNobodyUses(t *testing.T) int {
	settings := openCore(t, nil).BrokerSettings() // a free port the broker did not start on
	return settings.TCPPort
}

func TestKeyboard(t *testing.T) {
	useMainQueue(t)
	w := newTestWindow(t, openCore(t, nil))
	menuItem(t, w, "New connection…").Action()
	if len(w.dialogs) != 1 {
		t.Fatalf("Ctrl+N: %d dialogs open", len(w.dialogs))
	}
	name := test.LaidOutObjects(w.Canvas().Overlays().Top())
	var focused *entry
	for _, o := range name {
		if e, ok := o.(*entry); ok {
			focused = e
			break
		}
	}
	w.Canvas().Focus(focused)
	focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(w.dialogs) != 0 {
		t.Fatal("Esc did not close the editor")
	}
	menuItem(t, w, "Settings…").Action()
	w.Canvas().(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(w.dialogs) != 0 {
		t.Fatal("Esc did not close the settings")
	}
	menuItem(t, w, "Settings…").Action()
	choice := firstOf[*selectBox](t, w.Canvas().Overlays().Top())
	w.Canvas().Focus(choice) // as Tab does
	choice.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(w.dialogs) != 0 {
		t.Fatal("Esc did not close the settings from a focused choice box")
	}
	menuItem(t, w, "Settings…").Action()
	w.Canvas().Unfocus() // as after a click on a tick box
	w.Canvas().(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(w.dialogs) != 0 {
		t.Fatal("Enter with no field focused did not save the settings")
	}
	for _, item := range []string{"New connection…", "Settings…", "Search messages", "Send"} {
		if menuItem(t, w, item).Shortcut == nil {
			t.Errorf("%s has no shortcut", item)
		}
	}
}

func menuItem(t *testing.T, w *Window, label string) *fyne.MenuItem {
	t.Helper()
	for _, m := range w.MainMenu().Items {
		if it := findItem(m, label); it != nil {
			return it
		}
	}
	t.Fatalf("no menu item %q", label)
	return nil
}

// TestDialogsTakeEnterAndFocus: every form opens with the cursor in its
// first field, and Enter in a field submits it.
func TestDialogsTakeEnterAndFocus(t *testing.T) {
	q := useMainQueue(t)
	core := openCore(t, nil)
	w := newTestWindow(t, core)
	f := w.newConnection("")
	if w.Canvas().Focused() != f.name {
		t.Fatalf("the editor opens with %T focused, not the name", w.Canvas().Focused())
	}
	setText(f.name, "By Enter")
	f.host.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	q.runUntil(t, "Enter to save the connection", func() bool {
		list, _ := core.Profiles()
		return len(list) == 1 && list[0].Options.Name == "By Enter" && len(w.dialogs) == 0
	})

	w.connections.newFolder()
	folder, ok := w.Canvas().Focused().(*entry)
	if !ok {
		t.Fatalf("the new folder dialog opens with %T focused", w.Canvas().Focused())
	}
	setText(folder, "Plant")
	folder.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	q.runUntil(t, "Enter to create the folder, and the sidebar to show it", func() bool {
		for _, it := range w.connections.items {
			if it.profile == nil && it.folder == "Plant" {
				return true
			}
		}
		return false
	})

	w.showSettings()
	limit, ok := w.Canvas().Focused().(*entry)
	if !ok || limit != firstOf[*entry](t, w.Canvas().Overlays().Top()) {
		t.Fatalf("the settings dialog opens with %T focused, not its first text field", w.Canvas().Focused())
	}
	limit.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	q.runUntil(t, "Enter to save the settings", func() bool { return len(w.dialogs) == 0 })
}
