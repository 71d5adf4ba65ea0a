package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

func shortcut(key fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
}

// menu is the main menu. Its shortcuts work wherever the focus is.
func (w *Window) menu() *fyne.MainMenu {
	return fyne.NewMainMenu(w.fileMenu(), w.editMenu(), w.viewMenu(), w.connectionMenu(), w.helpMenu())
}

func item(label string, key fyne.KeyName, action func()) *fyne.MenuItem {
	i := fyne.NewMenuItem(label, action)
	if key != "" {
		i.Shortcut = shortcut(key)
	}
	return i
}

func (w *Window) fileMenu() *fyne.Menu {
	return fyne.NewMenu("File",
		item("New connection…", fyne.KeyN, func() { w.newConnection("") }),
		item("Import…", fyne.KeyO, w.importFile),
		fyne.NewMenuItemSeparator(),
		item("Settings…", fyne.KeyComma, w.showSettings))
}

// editMenu passes the clipboard commands to whatever has the focus.
func (w *Window) editMenu() *fyne.Menu {
	clip := func(s fyne.Shortcut) func() {
		return func() {
			if f, ok := w.Canvas().Focused().(fyne.Shortcutable); ok {
				f.TypedShortcut(s)
			}
		}
	}
	board := fyne.CurrentApp().Clipboard()
	return fyne.NewMenu("Edit",
		fyne.NewMenuItem("Cut", clip(&fyne.ShortcutCut{Clipboard: board})),
		fyne.NewMenuItem("Copy", clip(&fyne.ShortcutCopy{Clipboard: board})),
		fyne.NewMenuItem("Paste", clip(&fyne.ShortcutPaste{Clipboard: board})),
		fyne.NewMenuItem("Select all", clip(&fyne.ShortcutSelectAll{})))
}

// viewMenu switches the message list's compact mode and zooms the window, as MQTTX's Ctrl+=, Ctrl+- and Ctrl+0 do.
func (w *Window) viewMenu() *fyne.Menu {
	z := func(steps int) func() { return func() { w.zoom(steps) } }
	compact := fyne.NewMenuItem("Compact message list", w.toggleCompact)
	compact.Shortcut = compactShortcut
	return fyne.NewMenu("View",
		compact,
		fyne.NewMenuItemSeparator(),
		item("Zoom in", fyne.KeyEqual, z(1)),
		item("Zoom out", fyne.KeyMinus, z(-1)),
		item("Actual size", fyne.Key0, z(0)))
}

// zoom zooms by steps (0: back to 100 %). Zooming in may grow the window
// to fit; back at 100 % or below, it gets its size from before that.
func (w *Window) zoom(steps int) {
	a := fyne.CurrentApp()
	if steps > 0 && w.unzoomed.IsZero() {
		w.unzoomed = w.Canvas().Size()
	}
	zoom(a, steps, w.core.AppSettings().Theme)
	if !w.unzoomed.IsZero() && zoomOf(a) <= 1 {
		w.Resize(w.unzoomed)
		w.unzoomed = fyne.Size{}
	}
}

func (w *Window) connectionMenu() *fyne.Menu {
	return fyne.NewMenu("Connection",
		item("Search messages", fyne.KeyF, w.focusSearch),
		item("Send", fyne.KeyReturn, func() {
			if w.view != nil {
				w.view.composer.publish()
			}
		}),
		item("Protocol log", fyne.KeyL, func() {
			if w.view != nil {
				w.logs.show(w.core, w.view.profile)
			}
		}))
}

func (w *Window) helpMenu() *fyne.Menu {
	return fyne.NewMenu("Help", fyne.NewMenuItem("About mqttdesk", w.showAbout))
}

// focusSearch puts the cursor in the message search box, or in the
// connection filter when no connection is open.
func (w *Window) focusSearch() {
	if w.view != nil {
		w.Canvas().Focus(w.view.messages.search)
		return
	}
	w.Canvas().Focus(w.connections.search)
}
