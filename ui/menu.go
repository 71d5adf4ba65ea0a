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
	newConn := fyne.NewMenuItem("New connection…", func() { w.newConnection("") })
	newConn.Shortcut = shortcut(fyne.KeyN)
	settings := fyne.NewMenuItem("Settings…", w.showSettings)
	settings.Shortcut = shortcut(fyne.KeyComma)
	search := fyne.NewMenuItem("Search messages", w.focusSearch)
	search.Shortcut = shortcut(fyne.KeyF)
	send := fyne.NewMenuItem("Send", func() {
		if w.view != nil {
			w.view.composer.publish()
		}
	})
	send.Shortcut = shortcut(fyne.KeyReturn)
	logItem := fyne.NewMenuItem("Protocol log", func() {
		if w.view != nil {
			showLog(w, w.view.profile)
		}
	})
	logItem.Shortcut = shortcut(fyne.KeyL)
	return fyne.NewMainMenu(
		fyne.NewMenu("File", newConn, fyne.NewMenuItemSeparator(), settings),
		fyne.NewMenu("Connection", search, send, logItem),
	)
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
