package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

// TestDetailShowsEveryWordOfALongLine: a payload of 30 words on one line
// wraps in the detail pane at its width, and its hex dump keeps whole
// lines, ASCII column included, in a pane that scrolls sideways.
func TestDetailShowsEveryWordOfALongLine(t *testing.T) {
	words := numberedWords(30)
	q := useMainQueue(t)
	msgs := []demoMessage{{Time: at(0), Topic: "lab/words", Payload: []byte(strings.Join(words, " "))}}
	w := conversationWindow(t, q, msgs, fyne.NewSize(1024, 700))
	l := w.view.messages
	l.selectMessage(&l.items[0])
	q.runUntil(t, "the payload laid out", func() bool { return len(l.detail.lines) > 1 && l.detail.cols > 0 })
	shown := strings.Join(l.detail.lines, "")
	for _, word := range words {
		if !strings.Contains(shown, word) {
			t.Errorf("the detail pane never shows %s: %q", word, l.detail.lines)
		}
	}
	for _, line := range l.detail.lines {
		if len(line) > l.detail.cols {
			t.Errorf("line %q is wider than the %d characters the pane holds", line, l.detail.cols)
		}
	}

	l.formatSel.SetSelected("Hex")
	q.runUntil(t, "the hex dump", func() bool { return len(l.detail.lines) > 0 && l.detail.template != "" })
	if !strings.Contains(l.detail.lines[0], "|w001 w002 w003 w|") {
		t.Errorf("the hex dump's first line %q lacks its ASCII column", l.detail.lines[0])
	}
	text := fyne.MeasureText(l.detail.lines[0], l.detail.payload.Theme().Size("text"), fyne.TextStyle{Monospace: true})
	if got := l.detail.sideways.Content.Size().Width; got < text.Width {
		t.Errorf("the hex pane scrolls over %.0f px, the line is %.0f px wide", got, text.Width)
	}
}
