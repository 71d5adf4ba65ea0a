package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
)

// dialogStack is the window's open dialogs, newest last, so that Esc can
// close the one on top. Touched on the Fyne goroutine only.
type dialogStack []dialog.Dialog

// show opens d and keeps it on the stack until it closes.
func (s *dialogStack) show(d dialog.Dialog) {
	*s = append(*s, d)
	d.SetOnClosed(func() {
		*s = slices.DeleteFunc(*s, func(o dialog.Dialog) bool { return o == d })
	})
	d.Show()
}

// closeTop closes the newest dialog, as Cancel would; false when none is open.
func (s *dialogStack) closeTop() bool {
	if len(*s) == 0 {
		return false
	}
	(*s)[len(*s)-1].Hide()
	return true
}

// escapeHandler is called by the window's entries on Esc; the window sets it.
var escapeHandler = func() bool { return false }

// listenForEscape makes Esc close the top dialog, whether or not an entry
// has the focus.
func (w *Window) listenForEscape() {
	escapeHandler = w.dialogs.closeTop
	w.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape {
			w.dialogs.closeTop()
		}
	})
}

// entry is a widget.Entry that passes Esc on to close the top dialog and
// can take extra shortcuts (such as Ctrl+Enter in the composer) and keys
// (Up and Down for publish history).
type entry struct {
	widget.Entry
	onShortcut func(fyne.Shortcut) bool // true: handled
	onKey      func(*fyne.KeyEvent) bool
}

func newEntry() *entry {
	e := &entry{}
	e.ExtendBaseWidget(e)
	return e
}

func newEntryWith(text string) *entry {
	e := newEntry()
	e.SetText(text)
	return e
}

func newMultiLineEntry() *entry {
	e := newEntry()
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapBreak
	return e
}

func newPasswordEntry() *entry {
	e := newEntry()
	e.Password = true
	return e
}

// TypedKey handles Esc and the entry's own keys before the usual editing.
func (e *entry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && escapeHandler() {
		return
	}
	if e.onKey != nil && e.onKey(k) {
		return
	}
	e.Entry.TypedKey(k)
}

// TypedShortcut gives the entry's own shortcuts the first go.
func (e *entry) TypedShortcut(s fyne.Shortcut) {
	if e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// isCtrlEnter reports whether s is Ctrl+Enter (Cmd+Enter on macOS).
func isCtrlEnter(s fyne.Shortcut) bool {
	c, ok := s.(*desktop.CustomShortcut)
	return ok && (c.KeyName == fyne.KeyReturn || c.KeyName == fyne.KeyEnter) &&
		(c.Modifier == fyne.KeyModifierControl || c.Modifier == fyne.KeyModifierSuper)
}

// showMenuBelow opens menu just under button, as its "…" menu.
func showMenuBelow(menu *fyne.Menu, button *widget.Button) {
	d := fyne.CurrentApp().Driver()
	pos := d.AbsolutePositionForObject(button).AddXY(0, button.Size().Height)
	widget.ShowPopUpMenuAtPosition(menu, d.CanvasForObject(button), pos)
}

// showError shows err as one sentence a user can act on, with the full
// detail a click away.
func (w *Window) showError(err error) {
	w.dialogs.show(errorDialog(w.Window, err))
}

// showError is for parts without a Window at hand.
func showError(win fyne.Window, err error) {
	errorDialog(win, err).Show()
}

func errorDialog(win fyne.Window, err error) dialog.Dialog {
	msg := widget.NewLabel(app.UserMessage(err))
	msg.Wrapping = fyne.TextWrapWord
	detail := widget.NewLabel(err.Error())
	detail.Wrapping = fyne.TextWrapWord
	detail.TextStyle.Monospace = true
	detail.Selectable = true
	more := widget.NewAccordion(widget.NewAccordionItem("Details", detail))
	d := dialog.NewCustom("Something went wrong", "Close", widgetVBox(msg, more), win)
	d.Resize(fyne.NewSize(480, 0))
	return d
}

// confirm asks before doing something that cannot be undone.
func (w *Window) confirm(title, question, action string, yes func()) {
	d := dialog.NewConfirm(title, question, func(ok bool) {
		if ok {
			yes()
		}
	}, w.Window)
	d.SetConfirmText(action)
	d.SetConfirmImportance(widget.DangerImportance)
	w.dialogs.show(d)
}
