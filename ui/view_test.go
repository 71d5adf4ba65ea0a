package ui

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// findButton returns the visible button labelled text, in the window or
// in a dialog over it.
func findButton(t *testing.T, w *Window, text string) *widget.Button {
	t.Helper()
	roots := append([]fyne.CanvasObject{w.Canvas().Content()}, w.Canvas().Overlays().List()...)
	for i := len(roots) - 1; i >= 0; i-- {
		for _, o := range test.LaidOutObjects(roots[i]) {
			if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
				return b
			}
		}
	}
	t.Fatalf("no button %q on screen", text)
	return nil
}

// shownRows returns the message rows the list has drawn.
func shownRows(l *messageList) []*messageRow {
	var rows []*messageRow
	for _, o := range test.LaidOutObjects(l.list) {
		if r, ok := o.(*messageRow); ok && r.Visible() && r.topic.Text != "" {
			rows = append(rows, r)
		}
	}
	return rows
}

func hasMessage(items []app.ViewMessage, topic string, outgoing bool) bool {
	for _, m := range items {
		if m.Topic == topic && m.Outgoing == outgoing {
			return true
		}
	}
	return false
}

func ctrlEnter() fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl}
}

func setText(e fyne.Focusable, text string) {
	if en, ok := e.(*entry); ok {
		en.SetText("")
	}
	test.Type(e, text)
}

// TestUserTapsThroughAConversation does what a new user does: create a
// connection to the local broker, connect, subscribe to #, publish JSON,
// see it on both sides, switch to hex, search, filter by subscription.
func TestUserTapsThroughAConversation(t *testing.T) {
	q := useMainQueue(t)
	core := openCore(t, nil)
	if _, err := core.StartLocalBroker(context.Background()); err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(core.BrokerSettings().TCPPort)
	w := newTestWindow(t, core)

	f := w.newConnection("")
	setText(f.name, "Lab")
	setText(f.port, port)
	test.Tap(f.saveConnect)
	q.runUntil(t, "the connection to open", func() bool {
		return w.view != nil && w.view.profile.Options.Name == "Lab" && w.view.header.last.State == "connected"
	})
	v := w.view

	test.Tap(v.subs.add)
	setText(v.subs.form.filter, "#")
	test.Tap(findButton(t, w, "Subscribe"))
	q.runUntil(t, "the subscription to be granted", func() bool {
		return len(v.subs.subs) == 1 && v.subs.subs[0].Granted
	})

	c := v.composer
	c.topic.SetText("lab/json")
	c.format.SetSelected("JSON")
	setText(c.payload, `{"temperature":21.5}`)
	c.payload.TypedShortcut(ctrlEnter())
	q.runUntil(t, "the message on both sides", func() bool {
		return hasMessage(v.messages.items, "lab/json", true) && hasMessage(v.messages.items, "lab/json", false)
	})
	if !c.problem.Hidden {
		t.Fatalf("composer problem: %s", c.problem.Text)
	}

	v.messages.formatSel.SetSelected("Hex")
	rows := shownRows(v.messages)
	first := strings.Join(v.messages.previewLines(&v.messages.items[0], currentRowMetrics()), "\n")
	if len(rows) != 2 || !strings.Contains(first, "7b 22 74 65") || rows[0].layout.outgoing == rows[1].layout.outgoing {
		t.Fatalf("rows in hex: %d, first preview %q", len(rows), first)
	}

	c.topic.SetText("other/plain")
	c.format.SetSelected("Plain text")
	setText(c.payload, "no match here")
	test.Tap(c.send)
	q.runUntil(t, "the second message", func() bool { return hasMessage(v.messages.items, "other/plain", false) })

	setText(v.messages.search, "temperature")
	v.messages.search.OnSubmitted(v.messages.search.Text)
	q.runUntil(t, "search results", func() bool { return v.messages.searching && len(v.messages.results) == 2 })
	for _, m := range v.messages.items {
		if m.Topic != "lab/json" {
			t.Fatalf("search for temperature shows %s", m.Topic)
		}
	}
	v.messages.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	q.runUntil(t, "Esc to clear the search", func() bool {
		return !v.messages.searching && v.messages.search.Text == "" && len(v.messages.items) == 4
	})
	v.messages.tapped(0)
	if v.messages.selected == 0 {
		t.Fatal("tapping a message did not open its details")
	}
	v.messages.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if v.messages.selected != 0 {
		t.Fatal("Esc did not close the message's details")
	}

	test.Tap(v.subs.add)
	setText(v.subs.form.filter, "other/#")
	test.Tap(findButton(t, w, "Subscribe"))
	q.runUntil(t, "the second subscription", func() bool { return len(v.subs.subs) == 2 })
	v.subs.list.Select(1)
	q.runUntil(t, "only other/#", func() bool {
		return len(v.messages.items) > 0 && !hasMessage(v.messages.items, "lab/json", false) && !hasMessage(v.messages.items, "lab/json", true)
	})
}

// TestConnectionsSurviveARestart checks that a second start on the same
// directory shows the connection, its subscriptions and its history.
func TestConnectionsSurviveARestart(t *testing.T) {
	q := useMainQueue(t)
	dir := t.TempDir()
	core, err := app.Open(app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	importDemo(t, core, 1883)
	if err := core.Close(); err != nil {
		t.Fatal(err)
	}
	core, err = app.Open(app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = core.Close() })
	w := newTestWindow(t, core)
	q.runUntil(t, "the connection", func() bool { return len(w.connections.items) == 1 })
	w.open(*w.connections.items[0].profile)
	q.runUntil(t, "its history", func() bool {
		return len(w.view.messages.items) == len(demoMessages) && len(w.view.subs.subs) == 2
	})
}

// TestRestartShowsTheConnectionUsedLast: the window opens on the
// connection connected last, as the user left it.
func TestRestartShowsTheConnectionUsedLast(t *testing.T) {
	q := useMainQueue(t)
	core := openCore(t, nil)
	for i, name := range []string{"Older", "Used last", "Never used"} {
		p := model.Profile{Options: mqtt.NewOptions(name, mqtt.SchemeMQTT, "127.0.0.1")}
		if i < 2 {
			p.LastUsed = time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC)
		}
		if _, err := core.SaveProfile(p); err != nil {
			t.Fatal(err)
		}
	}
	w := newTestWindow(t, core)
	q.runUntil(t, "a connection shown", func() bool { return w.view != nil })
	if got := w.view.profile.Options.Name; got != "Used last" {
		t.Errorf("the window opens on %q, want the one used last", got)
	}
}

// TestAProblemGoesWhenTheConnectionChanges: "not connected", shown when
// the user sends while disconnected, does not stay in the status line's
// place once the connection is open.
func TestAProblemGoesWhenTheConnectionChanges(t *testing.T) {
	q := useMainQueue(t)
	core := openCore(t, nil)
	if _, err := core.StartLocalBroker(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := newTestWindow(t, core)
	f := w.newConnection("")
	setText(f.name, "Lab")
	setText(f.port, strconv.Itoa(core.BrokerSettings().TCPPort))
	test.Tap(f.save)
	q.runUntil(t, "the connection shown", func() bool {
		for _, it := range w.connections.items {
			if it.profile != nil && it.profile.Options.Name == "Lab" && (w.view == nil || w.view.profile.ID != it.profile.ID) {
				w.open(*it.profile)
			}
		}
		return w.view != nil && w.view.profile.Options.Name == "Lab"
	})
	v := w.view
	v.composer.topic.SetText("lab/early")
	setText(v.composer.payload, "too soon")
	v.composer.publish()
	q.runUntil(t, "the problem", func() bool { return v.composer.problem.Visible() })

	w.connect(v.profile)
	q.runUntil(t, "the connection to open", func() bool { return v.header.last.State == "connected" })
	q.runUntil(t, "the problem to go", func() bool { return !v.composer.problem.Visible() && v.status.Visible() })
}
