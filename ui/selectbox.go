package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// selectBox is a widget.Select that passes Esc on, as entry does: a
// focused widget gets every key, so a plain Select the user tabbed into
// kept Esc from closing its dialog or clearing the search.
type selectBox struct {
	widget.Select
}

// newSelect is widget.NewSelect for a selectBox.
func newSelect(options []string, changed func(string)) *selectBox {
	s := &selectBox{}
	s.Options, s.OnChanged, s.PlaceHolder = options, changed, "(Select one)"
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey closes the top dialog (or steps back) on Esc, and otherwise
// does what a Select does.
func (s *selectBox) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && escapeHandler() {
		return
	}
	s.Select.TypedKey(k)
}
