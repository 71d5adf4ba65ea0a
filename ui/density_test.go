package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// oneLineMessages are n short sensor readings, as most traffic is.
func oneLineMessages(n int) []demoMessage {
	msgs := make([]demoMessage, n)
	for i := range msgs {
		msgs[i] = demoMessage{Time: at(i * 100), Topic: fmt.Sprintf("lab/sensor/%d", i%4), Payload: fmt.Appendf(nil, `{"t":%d.5}`, 20+i%5)}
	}
	return msgs
}

// conversationWindow opens a connection whose history is msgs in a
// window of size.
func conversationWindow(t *testing.T, q mainQueue, msgs []demoMessage, size fyne.Size) *Window {
	t.Helper()
	core := openCore(t, fixedPorts)
	importMessages(t, core, 1883, msgs)
	w := newTestWindow(t, core)
	w.Resize(size)
	q.runUntil(t, "the connection", func() bool { return len(w.connections.items) == 1 })
	w.open(*w.connections.items[0].profile)
	q.runUntil(t, "the messages", func() bool { return len(w.view.messages.items) == len(msgs) })
	return w
}

// drawnRows finds the message rows under o and where they are, relative
// to o.
func drawnRows(o fyne.CanvasObject, at fyne.Position, found map[*messageRow]fyne.Position) {
	if !o.Visible() {
		return
	}
	at = at.Add(o.Position())
	if r, ok := o.(*messageRow); ok {
		found[r] = at
		return
	}
	var children []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		children = c.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(c).Objects()
	}
	for _, child := range children {
		drawnRows(child, at, found)
	}
}

// visibleMessages counts the messages whose every row the list draws
// whole inside its bounds.
func visibleMessages(l *messageList) int {
	found := map[*messageRow]fyne.Position{}
	drawnRows(l.list, fyne.NewPos(0, -l.list.Position().Y), found)
	bottom := l.list.Size().Height
	first, last := map[int]bool{}, map[int]bool{}
	for r, at := range found {
		if r.index >= len(l.rows) || at.Y < -0.5 || at.Y+r.Size().Height > bottom+0.5 {
			continue
		}
		ref := l.rows[r.index]
		first[ref.item] = first[ref.item] || ref.kind != rowLine
		last[ref.item] = last[ref.item] || ref.last
	}
	n := 0
	for item := range first {
		if first[item] && last[item] {
			n++
		}
	}
	return n
}

// TestOneLineMessagesVisibleAt1280x800: the list shows at least 12 one-line
// messages at once at 1280×800, and at least 25 in compact mode.
func TestOneLineMessagesVisibleAt1280x800(t *testing.T) {
	q := useMainQueue(t)
	w := conversationWindow(t, q, oneLineMessages(80), fyne.NewSize(1280, 800))
	l := w.view.messages
	l.list.ScrollToBottom()
	if n := visibleMessages(l); n < 12 {
		t.Errorf("normal mode shows %d one-line messages at 1280×800 (list %v high), want at least 12", n, l.list.Size().Height)
	}
	w.toggleCompact()
	if !w.core.AppSettings().CompactMessages {
		t.Fatal("Ctrl+Shift+D did not keep compact mode in the settings")
	}
	l.list.ScrollToBottom()
	if n := visibleMessages(l); n < 25 {
		t.Errorf("compact mode shows %d one-line messages at 1280×800 (list %v high), want at least 25", n, l.list.Size().Height)
	}
	t.Logf("list %.0f px high; normal row %.0f px, compact row %.0f px", l.list.Size().Height, currentRowMetrics().height, currentRowMetrics().compactHeight)
}

// TestCompactModeKeepsThePlace: switching compact mode while scrolled up
// keeps the message at the top of the list there; it jumped a thousand
// messages away.
func TestCompactModeKeepsThePlace(t *testing.T) {
	q := useMainQueue(t)
	w := conversationWindow(t, q, oneLineMessages(300), fyne.NewSize(1280, 800))
	l := w.view.messages
	l.list.ScrollToOffset(float32(l.firstRowOf(120)) * l.builtHeight)
	for _, mode := range []string{"compact", "normal"} {
		w.toggleCompact()
		if got := l.topItem(); got < 119 || got > 121 {
			t.Errorf("after switching to %s mode the list shows message %d at the top, was 120", mode, got)
		}
	}
}
