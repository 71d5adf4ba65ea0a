package windowtest

import (
	"strings"
	"time"

	"github.com/mqttdesk/mqttdesk/ui/instrument"
)

// Steps a user takes on purpose, each checked as it goes.

// find waits for a control on window title's top layer that matches.
func (s *session) find(title, what string, match func(instrument.UIElement) bool) (instrument.UIElement, *instrument.UIWindow) {
	s.t.Helper()
	var found instrument.UIElement
	m := s.waitMap(what, 10*time.Second, func(m instrument.UIMap) bool {
		w := m.Window(title)
		if w == nil {
			return false
		}
		top := w.TopLayer()
		for _, e := range w.Elements {
			if (e.Layer == top || (top == 0 && e.Layer == 1)) && !e.Disabled && match(e) {
				found = e
				return true
			}
		}
		return false
	})
	return found, m.Window(title)
}

// clickUntil clicks the control that matches until window title shows
// what done looks for: a click that lands while a list is being refreshed
// can miss its row.
func (s *session) clickUntil(title, what string, match func(instrument.UIElement) bool, done func(*instrument.UIWindow) bool) {
	s.t.Helper()
	for range 5 {
		e, w := s.find(title, what, match)
		s.click(title, w.Scale, e)
		if done(s.settled("clicking for " + what).Window(title)) {
			return
		}
	}
	s.t.Fatalf("clicking did not bring %s", what)
}

// press clicks the control whose text is text.
func (s *session) press(title, text string) {
	s.t.Helper()
	e, w := s.find(title, "a control labelled "+text, func(e instrument.UIElement) bool { return e.Text == text || strings.HasPrefix(e.Text, text+" ") })
	s.click(title, w.Scale, e)
	s.settled("pressing " + text)
}

// pressIcon clicks the nth control (from 0) showing an icon whose name
// contains icon.
func (s *session) pressIcon(title, icon string, nth int) {
	s.t.Helper()
	n := 0
	e, w := s.find(title, "a control with the icon "+icon, func(e instrument.UIElement) bool {
		if !strings.Contains(e.Icon, icon) {
			return false
		}
		n++
		return n == nth+1
	})
	s.click(title, w.Scale, e)
	s.settled("pressing the " + icon + " button")
}

// expectOverlay waits for a dialog or pop-up on top of window title that
// shows every one of words, and returns its ID.
func (s *session) expectOverlay(title string, words ...string) string {
	s.t.Helper()
	var id string
	s.waitMap("a dialog showing "+strings.Join(words, ", "), 10*time.Second, func(m instrument.UIMap) bool {
		w := m.Window(title)
		if w == nil || len(w.Overlays) == 0 {
			return false
		}
		top := w.Overlays[len(w.Overlays)-1]
		for _, word := range words {
			if !strings.Contains(top.Text, word) {
				return false
			}
		}
		id = top.ID
		return true
	})
	s.opened = append(s.opened, strings.Join(words, " "))
	return id
}

// escape presses Esc in window title and waits for overlay id to close.
func (s *session) escape(title, id string) {
	s.t.Helper()
	s.key(title, "Escape")
	s.waitMap("Esc to close the dialog", 5*time.Second, func(m instrument.UIMap) bool {
		w := m.Window(title)
		for _, o := range w.Overlays {
			if o.ID == id {
				return false
			}
		}
		return true
	})
}

// shortcut presses keys in window title and waits for a dialog showing
// words, then closes it with Esc.
func (s *session) shortcut(title, keys string, words ...string) {
	s.t.Helper()
	s.key(title, keys)
	id := s.expectOverlay(title, words...)
	s.shot(keys)
	s.escape(title, id)
}

// fileDialogs opens every file dialog of the window on purpose — the
// ones Fyne crashed on when sized before they were shown — and closes
// each, checking that what was typed in the editor is still there.
func fileDialogs(s *session) {
	s.t.Helper()
	// A message's Save payload…
	s.clickUntil(mainWindow, "the message's details", func(e instrument.UIElement) bool {
		return (e.Kind == "*widget.listItem" || e.Kind == "*ui.messageRow") && strings.HasPrefix(e.Text, "lab/kitchen/temperature")
	}, func(w *instrument.UIWindow) bool {
		_, ok := w.Find(0, "Save payload…")
		return ok
	})
	s.press(mainWindow, "Save payload…")
	s.escape(mainWindow, s.expectOverlay(mainWindow, "Save File", "lab_kitchen_temperature.bin"))

	// Export connection and history…, in the header's menu
	menu, w := s.find(mainWindow, "the header's menu button", func(e instrument.UIElement) bool {
		return strings.Contains(e.Icon, "more-vertical") && e.Y < 100
	})
	s.click(mainWindow, w.Scale, menu)
	s.expectOverlay(mainWindow, "Protocol log", "Export connection and history…", "Clear history…")
	s.press(mainWindow, "Export connection and history…")
	s.escape(mainWindow, s.expectOverlay(mainWindow, "Save File", "Lab broker.mqttdesk.json"))

	// Clear history…, in the same menu: its confirmation, cancelled.
	menu, w = s.find(mainWindow, "the header's menu button", func(e instrument.UIElement) bool {
		return strings.Contains(e.Icon, "more-vertical") && e.Y < 100
	})
	s.click(mainWindow, w.Scale, menu)
	s.press(mainWindow, "Clear history…")
	s.escape(mainWindow, s.expectOverlay(mainWindow, "Clear the history"))

	// The editor's three Browse buttons, with a change not yet saved.
	s.press(mainWindow, "Edit")
	editor := s.expectOverlay(mainWindow, "General", "TLS")
	s.press(mainWindow, "Authentication")
	user, w := s.find(mainWindow, "the username entry", func(e instrument.UIElement) bool { return e.Kind == "*ui.entry" })
	s.click(mainWindow, w.Scale, user)
	s.typeText(mainWindow, "unsaved-user")
	s.press(mainWindow, "TLS")
	for i := range 3 {
		s.pressIcon(mainWindow, "folder-open", i)
		s.escape(mainWindow, s.expectOverlay(mainWindow, "Open File"))
	}
	s.press(mainWindow, "Authentication")
	s.find(mainWindow, "the unsaved username after three file dialogs", func(e instrument.UIElement) bool { return e.Text == "unsaved-user" })
	s.escape(mainWindow, editor)
}

// shortcuts presses every shortcut of the window.
func shortcuts(s *session) {
	s.t.Helper()
	s.shortcut(mainWindow, "ctrl+n", "General", "TLS", "New connection")
	s.shortcut(mainWindow, "ctrl+comma", "Theme", "Payload shown up to")
	s.key(mainWindow, "ctrl+l")
	log := "Protocol log · Lab broker"
	s.waitMap("the protocol log window", 10*time.Second, func(m instrument.UIMap) bool { return m.Window(log) != nil })
	s.opened = append(s.opened, "window: Protocol log")
	s.key(mainWindow, "ctrl+l") // raises the open one
	if n := windowsTitled(s.snapshot(), log); n != 1 {
		s.t.Fatalf("Ctrl+L twice opened %d log windows", n)
	}
	s.shot("protocol-log")
	s.key(log, "Escape")
	s.waitMap("Esc to close the protocol log", 5*time.Second, func(m instrument.UIMap) bool { return m.Window(log) == nil })
	delete(s.windows, log)
	s.key(mainWindow, "ctrl+f")
	s.find(mainWindow, "Ctrl+F to focus the search", func(e instrument.UIElement) bool { return e.Focused && strings.Contains(e.Text, "Search") })
	s.key(mainWindow, "Escape")
}

func windowsTitled(m instrument.UIMap, title string) int {
	n := 0
	for _, w := range m.Windows {
		if w.Title == title {
			n++
		}
	}
	return n
}
