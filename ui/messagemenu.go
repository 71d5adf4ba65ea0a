package ui

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/ui/payload"
)

// messageMenu is what the user can do with m, on a right-click in the
// list.
func (l *messageList) messageMenu(m app.ViewMessage) *fyne.Menu {
	copyAs := func(label string, f payload.Format) *fyne.MenuItem {
		return fyne.NewMenuItem(label, func() {
			l.copied(payload.Show(m.Payload, f, 0).Text, "the payload as "+string(f))
		})
	}
	asJSON := copyAs("Copy as JSON", payload.JSON)
	asJSON.Disabled = !json.Valid(m.Payload) // it would copy the text as it is
	return fyne.NewMenu("",
		fyne.NewMenuItem("Copy topic", func() { l.copied(m.Topic, "the topic") }),
		fyne.NewMenuItem("Copy payload", func() { l.copied(string(m.Payload), "the payload") }),
		asJSON,
		copyAs("Copy as hex", payload.Hex),
		fyne.NewMenuItem("Copy as Base64", func() {
			l.copied(base64.StdEncoding.EncodeToString(m.Payload), "the payload as Base64")
		}),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Publish again…", func() { l.v.composer.recall(m) }),
		fyne.NewMenuItem("Save payload…", func() { savePayload(l.v.w, m) }),
		fyne.NewMenuItem("Filter to this topic", func() { l.filterToTopic(m.Topic) }),
	)
}

// menuAt opens the menu of the message in row i at pos.
func (l *messageList) menuAt(i int, pos fyne.Position) {
	if i >= len(l.rows) {
		return
	}
	showMenuAt(l.messageMenu(l.items[l.rows[i].item]), l.list, pos)
}

// copied puts text on the clipboard and says so in the status line.
func (l *messageList) copied(text, what string) {
	clip(text)
	l.v.flash("Copied " + what + " (" + sizeText(len(text)) + ")")
}

// filterToTopic searches the history for the messages on topic.
func (l *messageList) filterToTopic(topic string) {
	l.options.topic.SetText(topic)
	l.options.row.Show()
	l.startSearch()
}

// savePayload asks where to save m's exact bytes, then writes them.
func savePayload(w *Window, m app.ViewMessage) {
	saveBytes(w, fileName(strings.ReplaceAll(m.Topic, "/", "_"))+".bin", m.Payload)
}

// flashFor is how long a short notice holds the status line.
const flashFor = 3 * time.Second

// flash shows text in the status line for a few seconds.
func (v *connView) flash(text string) {
	v.flashUntil = time.Now().Add(flashFor)
	v.status.SetText(text)
}

// recall puts m in the composer to be published again: its topic, QoS,
// retain, properties and payload, in JSON format if the payload is a JSON
// object or array.
func (c *composer) recall(m app.ViewMessage) {
	c.fill(publishEntryOf(m))
	c.v.w.Canvas().Focus(c.payload)
}

// recallFormat is the composer format that gives p back as it was.
func recallFormat(p []byte) payload.Format {
	t := strings.TrimSpace(string(p))
	switch {
	case !payload.IsText(p):
		return payload.Hex
	case (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid(p):
		return payload.JSON
	}
	return payload.Plain
}
