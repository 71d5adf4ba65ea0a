package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestWindowFitsASmallScreen: at 1024×700, with a message's details and
// the search options open, the window needs no more room than the screen
// has. Fyne grows a window to its content's minimum size, which would push
// Send and the details' buttons off a small screen.
func TestWindowFitsASmallScreen(t *testing.T) {
	q := useMainQueue(t)
	msgs := []demoMessage{{Time: at(0), Topic: "lab/words", Payload: []byte(strings.Join(numberedWords(300), " "))}}
	screen := fyne.NewSize(1024, 700)
	w := conversationWindow(t, q, msgs, screen)
	l := w.view.messages
	check := func(what string) {
		t.Helper()
		if min := w.Canvas().Content().MinSize(); min.Width > screen.Width || min.Height > screen.Height {
			t.Errorf("with %s the window needs %.0f×%.0f, more than a %.0f×%.0f screen", what, min.Width, min.Height, screen.Width, screen.Height)
		}
	}
	check("the conversation")
	l.selectMessage(&l.items[0])
	q.runUntil(t, "the payload laid out", func() bool { return len(l.detail.lines) > 1 })
	check("the details open")
	test.Tap(findButtonWithIcon(t, l.view, "more"))
	check("the details and the search options open")
	l.selectMessage(nil)
	check("the search options open")
	w.view.composer.props.Open(0)
	check("the search options and the composer's MQTT 5 properties open")
}

// TestZoomingBackGivesTheWindowItsSize: zooming in grows the window to
// fit what it shows (the real driver does it; the test stands in for it),
// and Ctrl+0 brings it back to the size the user had, not the grown one.
func TestZoomingBackGivesTheWindowItsSize(t *testing.T) {
	q := useMainQueue(t)
	screen := fyne.NewSize(1024, 700)
	w := conversationWindow(t, q, oneLineMessages(3), screen)
	t.Cleanup(func() { zoom(fyne.CurrentApp(), 0, w.core.AppSettings().Theme) })
	w.zoom(1)
	w.zoom(1)
	w.zoom(1)
	w.Resize(w.Canvas().Content().MinSize().Max(screen).AddWidthHeight(200, 100))
	w.zoom(0)
	if got := w.Canvas().Size(); got != screen {
		t.Errorf("back at 100 %% the window is %v, was %v before zooming", got, screen)
	}
}
