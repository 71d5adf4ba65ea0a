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

// submitters are what Enter does in the open dialogs that have a default
// action, when no field has the focus (a field's own Enter is
// submitOnEnter's). Confirmations of what cannot be undone have none.
// Fyne goroutine only.
var submitters = map[dialog.Dialog]func(){}

// show opens d, centred, and keeps it on the stack until it closes.
func (s *dialogStack) show(d dialog.Dialog) {
	*s = append(*s, d)
	d.SetOnClosed(func() {
		*s = slices.DeleteFunc(*s, func(o dialog.Dialog) bool { return o == d })
		delete(submitters, d)
	})
	d.Show()
	recentre()
}

// recentre lays out again the newest overlay of every window. Fyne
// centres a dialog for the size it has when it is shown; one whose
// content settles larger afterwards (a scrolling form, a file dialog
// sized once shown) would reach past the bottom of the window, taking its
// buttons with it.
func recentre() {
	for _, win := range fyne.CurrentApp().Driver().AllWindows() {
		if top := win.Canvas().Overlays().Top(); top != nil {
			top.Refresh()
		}
	}
}

// fileDialogSize is the size file dialogs open at, room for a folder's
// names.
var fileDialogSize = fyne.NewSize(700, 500)

// showFile opens a file dialog at fileDialogSize, Esc closing it. Fyne's
// FileDialog has no window until it is shown, and Resize before Show
// dereferences it (a crash in FileDialog.MinSize), so it is sized once
// shown. Its file name entry takes the focus and keeps Esc to itself, so
// the focus is left free: Esc closes the dialog until the user clicks
// into the entry.
func (w *Window) showFile(d *dialog.FileDialog) {
	w.dialogs.show(d)
	sizeFileDialog(w.Window, d)
}

// sizeFileDialog sizes d, already shown in win, and centres it again.
func sizeFileDialog(win fyne.Window, d *dialog.FileDialog) {
	d.Resize(fileDialogSize)
	recentre()
	win.Canvas().Unfocus()
}

// submitOnEnter has Enter in each single-line field of objs call submit.
func submitOnEnter(submit func(), objs ...fyne.CanvasObject) {
	for _, o := range objs {
		switch e := o.(type) {
		case *entry:
			if !e.MultiLine {
				e.OnSubmitted = func(string) { submit() }
			}
		case *widget.Entry:
			if !e.MultiLine {
				e.OnSubmitted = func(string) { submit() }
			}
		case *widget.SelectEntry:
			e.OnSubmitted = func(string) { submit() }
		}
	}
}

// formWidgets returns the fields of items.
func formWidgets(items []*widget.FormItem) []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, len(items))
	for i, it := range items {
		objs[i] = it.Widget
	}
	return objs
}

// focusFirst gives the focus to the first enabled text field of objs, or
// else to the first field that takes it. A text field first, because it
// passes Esc on to close the dialog where a focused Select keeps it.
func focusFirst(c fyne.Canvas, objs ...fyne.CanvasObject) {
	var first fyne.Focusable
	for _, o := range objs {
		f, ok := o.(fyne.Focusable)
		if d, dis := o.(fyne.Disableable); !ok || (dis && d.Disabled()) {
			continue
		}
		if _, isEntry := o.(*entry); isEntry {
			c.Focus(f)
			return
		}
		if first == nil {
			first = f
		}
	}
	if first != nil {
		c.Focus(first)
	}
}

// showForm opens a form dialog: Enter in any single-line field submits
// it, and its first field has the focus.
func (w *Window) showForm(d *dialog.FormDialog, items []*widget.FormItem) {
	submitOnEnter(d.Submit, formWidgets(items)...)
	w.dialogs.showSubmitting(d, d.Submit)
	focusFirst(w.Canvas(), formWidgets(items)...)
}

// showSubmitting opens d as show does, Enter doing submit while no field
// has the focus.
func (s *dialogStack) showSubmitting(d dialog.Dialog, submit func()) {
	s.show(d)
	submitters[d] = submit
}

// submitTop does what Enter does in the newest dialog; false when it has
// no default action.
func (s *dialogStack) submitTop() bool {
	if len(*s) == 0 {
		return false
	}
	submit, ok := submitters[(*s)[len(*s)-1]]
	if ok {
		submit()
	}
	return ok
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
// has the focus, or else step back in the open connection (see escape);
// and Enter, with no field focused, submit the top dialog (see
// showSubmitting).
func (w *Window) listenForEscape() {
	escapeHandler = w.escape
	w.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		switch e.Name {
		case fyne.KeyEscape:
			w.escape()
		case fyne.KeyReturn, fyne.KeyEnter:
			w.dialogs.submitTop()
		}
	})
}

// escape closes the top dialog; with none open, it clears the message
// search, or else closes the message's details. False when it did nothing.
func (w *Window) escape() bool {
	if w.dialogs.closeTop() {
		return true
	}
	return w.view != nil && w.view.messages.escape()
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

// showMenuAt opens menu at the absolute position at, over the canvas of
// on: the right-click menu of a row.
func showMenuAt(menu *fyne.Menu, on fyne.CanvasObject, at fyne.Position) {
	widget.ShowPopUpMenuAtPosition(menu, fyne.CurrentApp().Driver().CanvasForObject(on), at)
}

// showError shows err as one sentence a user can act on, with the full
// detail a click away.
func (w *Window) showError(err error) {
	w.dialogs.show(errorDialog(w.Window, err))
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
