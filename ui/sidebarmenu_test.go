package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
)

// TestMoveUpAndDownOnlyWhereTheyMove: a connection's menu offers Move up
// only below another connection of its folder, and Move down only above
// one; Move down was offered on the last one, and did nothing.
func TestMoveUpAndDownOnlyWhereTheyMove(t *testing.T) {
	q := useMainQueue(t)
	w := goldenWindow(t, q)
	core := w.core.(*app.App)
	if _, err := core.CloneProfile(w.connections.items[0].profile.ID); err != nil {
		t.Fatal(err)
	}
	w.connections.reload()
	q.runUntil(t, "two connections", func() bool { return len(w.connections.items) == 2 })
	first, last := *w.connections.items[0].profile, *w.connections.items[1].profile
	for _, c := range []struct {
		name    string
		menu    func() bool
		enabled bool
	}{
		{"Move up on the first", func() bool { return !itemOf(t, w.connections.menu(first), "Move up").Disabled }, false},
		{"Move down on the first", func() bool { return !itemOf(t, w.connections.menu(first), "Move down").Disabled }, true},
		{"Move up on the last", func() bool { return !itemOf(t, w.connections.menu(last), "Move up").Disabled }, true},
		{"Move down on the last", func() bool { return !itemOf(t, w.connections.menu(last), "Move down").Disabled }, false},
	} {
		if got := c.menu(); got != c.enabled {
			t.Errorf("%s: enabled %v, want %v", c.name, got, c.enabled)
		}
	}
}

// TestAboutSaysWhereTheDataIs: the About dialog names the data folder, so
// that a user can find, back up or move their history.
func TestAboutSaysWhereTheDataIs(t *testing.T) {
	useMainQueue(t)
	core := openCore(t, nil)
	w := newTestWindow(t, core)
	w.showAbout()
	if !shownText(w.Canvas().Overlays().Top(), "Data folder: "+core.DataDir()) {
		t.Errorf("the About dialog does not name the data folder %s", core.DataDir())
	}
}

// shownText reports whether a label under o shows text.
func shownText(o fyne.CanvasObject, text string) bool {
	for _, l := range test.LaidOutObjects(o) {
		if label, ok := l.(*widget.Label); ok && label.Text == text {
			return true
		}
	}
	return false
}
