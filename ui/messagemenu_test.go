package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

// itemOf returns the item labelled label of m.
func itemOf(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	if i := findItem(m, label); i != nil {
		return i
	}
	t.Fatalf("no %q in the menu", label)
	return nil
}

// findItem returns the item labelled label of m, or nil.
func findItem(m *fyne.Menu, label string) *fyne.MenuItem {
	for _, i := range m.Items {
		if i.Label == label {
			return i
		}
	}
	return nil
}

// TestMessageRightClickMenu: a right-click on a message opens its menu;
// Copy payload copies the exact bytes and says so; Publish again fills the
// composer, JSON in JSON format; Filter to this topic searches for it.
func TestMessageRightClickMenu(t *testing.T) {
	q := useMainQueue(t)
	w := goldenWindow(t, q)
	l := w.view.messages
	row := rowOf[*messageRow](t, w)
	row.TappedSecondary(&fyne.PointEvent{AbsolutePosition: fyne.NewPos(600, 300)})
	if got := menuText(w); !strings.Contains(got, "Copy payload") || !strings.Contains(got, "Filter to this topic") {
		t.Fatalf("right-click on a message: menu %q", got)
	}
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	row.Tapped(&fyne.PointEvent{})
	if l.selected == 0 {
		t.Error("a click on a message row that takes right-clicks did not open its details")
	}

	raw := l.items[2] // binary
	itemOf(t, l.messageMenu(raw), "Copy payload").Action()
	if got := fyne.CurrentApp().Clipboard().Content(); got != string(raw.Payload) {
		t.Errorf("Copy payload copied %q, want the bytes %q", got, raw.Payload)
	}
	if !strings.HasPrefix(w.view.status.Text, "Copied") {
		t.Errorf("after Copy payload the status line says %q", w.view.status.Text)
	}

	if itemOf(t, l.messageMenu(raw), "Copy as JSON").Disabled == itemOf(t, l.messageMenu(l.items[1]), "Copy as JSON").Disabled {
		t.Error("Copy as JSON is offered alike for binary bytes and for JSON")
	}

	itemOf(t, l.messageMenu(l.items[1]), "Publish again…").Action()
	c := w.view.composer
	if c.topic.Text != "lab/sensor/1" || c.format.Selected != "JSON" || c.payload.Text != string(l.items[1].Payload) {
		t.Errorf("Publish again filled topic %q, format %q, payload %q", c.topic.Text, c.format.Selected, c.payload.Text)
	}

	itemOf(t, l.messageMenu(l.items[0]), "Filter to this topic").Action()
	q.runUntil(t, "the search for the topic", func() bool { return l.searching && len(l.results) == 1 })
	if l.items[0].Topic != "lab/status" {
		t.Errorf("Filter to this topic shows %s", l.items[0].Topic)
	}
}
