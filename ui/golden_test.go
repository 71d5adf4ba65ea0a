package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

type demoMessage struct {
	Time       time.Time        `json:"time"`
	Direction  int              `json:"direction"`
	Topic      string           `json:"topic"`
	QoS        byte             `json:"qos"`
	Retain     bool             `json:"retain,omitempty"`
	Properties *mqtt.Properties `json:"properties,omitempty"`
	Payload    []byte           `json:"payload"`
}

var demoStart = time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

func at(ms int) time.Time { return demoStart.Add(time.Duration(ms) * time.Millisecond) }

// demoMessages are what the golden images show: received and published,
// JSON, binary, a long payload and MQTT 5 properties.
var demoMessages = []demoMessage{
	{Time: at(0), Topic: "lab/status", QoS: 1, Retain: true, Payload: []byte("online")},
	{Time: at(120), Topic: "lab/sensor/1", Payload: []byte(`{"temperature":21.5,"humidity":41,"unit":"C"}`)},
	{Time: at(250), Topic: "lab/raw", Payload: []byte{0x00, 0x01, 0x02, 'b', 'i', 'n', 0xff, 0xfe, 0x1b, '[', '2', 'J'}},
	{
		Time: at(400), Direction: 1, Topic: "lab/cmd/fan", QoS: 1, Payload: []byte(`{"speed":3}`),
		Properties: &mqtt.Properties{ContentType: "application/json", User: []mqtt.UserProperty{{Key: "by", Value: "mqttdesk"}}},
	},
	{Time: at(555), Topic: "lab/log", Payload: []byte(strings.Repeat("a long line of log text that goes on and on ", 200))},
}

// importDemo adds a connection to 127.0.0.1:port with two subscriptions
// and demoMessages, as an export file would.
func importDemo(t *testing.T, core *app.App, port int) {
	t.Helper()
	importMessages(t, core, port, demoMessages)
}

// importMessages adds the demo connection with msgs as its history.
func importMessages(t *testing.T, core *app.App, port int, msgs []demoMessage) {
	t.Helper()
	o := mqtt.NewOptions("Lab broker", mqtt.SchemeMQTT, "127.0.0.1")
	o.Port = port
	export := map[string]any{
		"format": "mqttdesk-export", "version": 1, "exported": demoStart,
		"profiles": []any{map[string]any{
			"profile": model.Profile{ID: "demo", Options: o, Created: demoStart},
			"subscriptions": []model.Subscription{
				{ID: "all", Filter: "#", QoS: 1, Color: "#34c388", Enabled: true},
				{ID: "sensors", Filter: "lab/sensor/+", Alias: "Sensors", Color: "#3b82f6", Enabled: true, Order: 1},
			},
			"messages": msgs,
		}},
	}
	data, err := json.Marshal(export)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.Import(context.Background(), bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
}

// goldenWindow opens the demo connection in a window of a fixed size.
func goldenWindow(t *testing.T, q mainQueue) *Window {
	t.Helper()
	time.Local = time.UTC // the images show times
	core := openCore(t, fixedPorts)
	importDemo(t, core, 1883)
	w := newTestWindow(t, core)
	w.Resize(fyne.NewSize(1280, 800))
	q.runUntil(t, "the connection", func() bool { return len(w.connections.items) == 1 })
	w.open(*w.connections.items[0].profile)
	q.runUntil(t, "the messages", func() bool {
		return len(w.view.messages.items) == len(demoMessages) && len(w.view.subs.subs) == 2 && w.view.status.Text != ""
	})
	w.view.messages.list.ScrollToTop()
	return w
}

func TestGoldenSidebar(t *testing.T) {
	q := useMainQueue(t)
	w := goldenWindow(t, q)
	core := w.core.(*app.App)
	for _, name := range []string{"Plant A", "Plant B"} {
		p, err := core.CloneProfile(w.connections.items[0].profile.ID)
		if err != nil {
			t.Fatal(err)
		}
		p.Options.Name = name
		if _, err := core.SaveProfile(p); err != nil {
			t.Fatal(err)
		}
		if err := core.MoveProfile(p.ID, "Customers", 0); err != nil {
			t.Fatal(err)
		}
	}
	w.connections.reload()
	q.runUntil(t, "the folder", func() bool { return len(w.connections.items) == 4 })
	test.AssertObjectRendersToImage(t, "sidebar.png", w.connections.view)

	w.connections.search.SetText("plb")
	q.runUntil(t, "the filtered list", func() bool { return len(w.connections.items) == 2 })
	test.AssertObjectRendersToImage(t, "sidebar_search.png", w.connections.view)
}

func TestGoldenMessageList(t *testing.T) {
	q := useMainQueue(t)
	w := goldenWindow(t, q)
	l := w.view.messages
	test.AssertObjectRendersToImage(t, "messages_plain.png", l.view)
	l.formatSel.SetSelected("JSON")
	l.selectMessage(&l.items[1])
	q.runUntil(t, "the payload laid out", func() bool { return len(l.detail.lines) > 0 })
	test.AssertObjectRendersToImage(t, "messages_json_detail.png", l.view)
	l.formatSel.SetSelected("Hex")
	l.selectMessage(&l.items[2])
	q.runUntil(t, "the payload laid out", func() bool { return len(l.detail.lines) > 0 })
	test.AssertObjectRendersToImage(t, "messages_hex_binary.png", l.view)
}

func TestGoldenComposer(t *testing.T) {
	w := goldenWindow(t, useMainQueue(t))
	c := w.view.composer
	c.topic.SetText("lab/cmd/fan")
	c.format.SetSelected("JSON")
	c.payload.SetText(`{"speed": 3}`)
	test.AssertObjectRendersToImage(t, "composer.png", c.view)
}

// goldenSizes are the window sizes the goldens are drawn at: a small
// laptop, the default, a full HD screen.
var goldenSizes = []fyne.Size{{Width: 1024, Height: 700}, {Width: 1280, Height: 800}, {Width: 1920, Height: 1080}}

// TestGoldenEditor draws the connection editor in a window of each size:
// the dialog must keep its fields and buttons inside the smallest.
func TestGoldenEditor(t *testing.T) {
	q := useMainQueue(t)
	w := goldenWindow(t, q)
	for _, size := range goldenSizes {
		w.Resize(size)
		w.editConnection(*w.connections.items[0].profile)
		test.AssertImageMatches(t, fmt.Sprintf("editor_%.0fx%.0f.png", size.Width, size.Height), w.Canvas().Capture())
		w.dialogs.closeTop()
	}
}

// TestGoldenConversationSizes draws the whole window at each size, then
// again with the composer's MQTT 5 properties open: they scroll within
// the composer and leave the message list most of its height.
func TestGoldenConversationSizes(t *testing.T) {
	for _, size := range goldenSizes {
		name := fmt.Sprintf("%dx%d", int(size.Width), int(size.Height))
		t.Run(name, func(t *testing.T) {
			w := conversationWindow(t, useMainQueue(t), demoMessages, size)
			l := w.view.messages
			l.list.ScrollToTop()
			test.AssertImageMatches(t, "conversation_"+name+".png", w.Canvas().Capture())
			before := l.list.Size().Height
			w.view.composer.props.Open(0)
			w.Resize(size.AddWidthHeight(1, 1)) // lays the window out again, as a frame of the real one does
			w.Resize(size)
			test.AssertImageMatches(t, "composer_properties_"+name+".png", w.Canvas().Capture())
			if after := l.list.Size().Height; after < before-propertiesHeight-theme.Padding()*4 || after < 150 {
				t.Errorf("opening MQTT 5 properties shrinks the list from %.0f to %.0f px", before, after)
			}
		})
	}
}

// TestGoldenLightTheme draws the conversation and the editor in the light
// theme at the default size, where disabled labels and the bubbles'
// colours must stay readable.
func TestGoldenLightTheme(t *testing.T) {
	size := fyne.NewSize(1280, 800)
	w := conversationWindow(t, useMainQueue(t), demoMessages, size)
	applyTheme(fyne.CurrentApp(), model.ThemeLight)
	w.Resize(size.AddWidthHeight(1, 1)) // lays the window out again in the new theme
	w.Resize(size)
	w.view.messages.list.ScrollToTop()
	test.AssertImageMatches(t, "conversation_light_1280x800.png", w.Canvas().Capture())
	w.editConnection(*w.connections.items[0].profile)
	test.AssertImageMatches(t, "editor_light_1280x800.png", w.Canvas().Capture())
}
