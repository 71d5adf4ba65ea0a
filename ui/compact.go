package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// compactShortcut is Ctrl+Shift+D (Cmd+Shift+D on macOS): compact mode on
// and off.
var compactShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}

// toggleCompact turns the message list's compact mode on or off and keeps
// the choice with the other settings.
func (w *Window) toggleCompact() {
	s := w.core.AppSettings()
	s.CompactMessages = !s.CompactMessages
	if err := w.core.SaveAppSettings(s); err != nil {
		w.showError(err)
		return
	}
	w.applyCompact(s.CompactMessages)
}

// applyCompact shows the open conversation in the mode chosen.
func (w *Window) applyCompact(on bool) {
	if w.view != nil {
		w.view.messages.setCompact(on)
	}
}

// setCompact shows one row a message (on) or the chat bubbles (off),
// keeping the list at the bottom if it was there.
func (l *messageList) setCompact(on bool) {
	if l.compact == on {
		return
	}
	l.compact = on
	l.relayout()
}
