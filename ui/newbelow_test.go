package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestNewMessagesBelow: a message arriving while the user reads older
// ones shows "New messages below", which scrolls to it and goes away.
func TestNewMessagesBelow(t *testing.T) {
	q := useMainQueue(t)
	w := conversationWindow(t, q, oneLineMessages(80), fyne.NewSize(1280, 800))
	l := w.view.messages
	l.list.ScrollToTop()
	items := append(l.items[:len(l.items):len(l.items)], l.items[len(l.items)-1])
	items[len(items)-1].Seq++
	l.setItems(items)
	if !l.newBelow.button.Visible() {
		t.Fatal("no New messages below after a message arrived while scrolled up")
	}
	test.Tap(l.newBelow.button)
	if !l.atBottom() || l.newBelow.button.Visible() {
		t.Errorf("after the tap: at the bottom %v, button shown %v", l.atBottom(), l.newBelow.button.Visible())
	}
}
