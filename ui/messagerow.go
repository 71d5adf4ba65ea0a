package ui

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// rowKind says which part of a message a list row draws. Every row of the
// list has the same height, so the list stays cheap to scroll however
// many messages it holds; a message takes as many rows as its content
// needs.
type rowKind uint8

const (
	rowHead    rowKind = iota // the topic and the details: a message's first row
	rowLine                   // one line of the payload preview
	rowCompact                // the whole message on one line (compact mode)
)

// rowRef is one row of the list: part of the message items[item].
type rowRef struct {
	item int
	line int // the preview line, for rowLine
	kind rowKind
	last bool // the message's bubble ends in this row
}

// messageRow draws one rowRef: a piece of a chat bubble, received on the
// left in its subscription's colour, published on the right.
type messageRow struct {
	widget.BaseWidget
	bg      *canvas.Rectangle
	stripe  *canvas.Rectangle
	topic   *canvas.Text
	meta    *canvas.Text
	preview *canvas.Text
	layout  *bubbleLayout
	box     *fyne.Container
	index   int                      // the row's index in the list
	onTap   func(int)                // a click on the row
	onMenu  func(int, fyne.Position) // a right-click on the row
}

func newMessageRow() fyne.CanvasObject {
	r := &messageRow{layout: &bubbleLayout{}}
	r.bg = canvas.NewRectangle(color.Transparent)
	r.stripe = canvas.NewRectangle(color.Transparent)
	r.topic = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	r.topic.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	r.meta = canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
	r.preview = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	r.preview.TextStyle.Monospace = true
	r.box = &fyne.Container{Layout: r.layout, Objects: []fyne.CanvasObject{r.bg, r.stripe, r.topic, r.meta, r.preview}}
	r.ExtendBaseWidget(r)
	return r
}

func (r *messageRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.box)
}

// Tapped selects the row's message. Fyne hands a click to the row, not to
// the list item under it, once the row takes right-clicks.
func (r *messageRow) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap(r.index)
	}
}

// TappedSecondary opens the message's menu where the user right-clicked.
func (r *messageRow) TappedSecondary(e *fyne.PointEvent) {
	if r.onMenu != nil {
		r.onMenu(r.index, e.AbsolutePosition)
	}
}

// show draws ref, a row of m, with text (a preview line, or the payload's
// first line in compact mode), in colour c.
func (r *messageRow) show(ref rowRef, m *app.ViewMessage, text string, c color.Color, selected bool) {
	r.layout.outgoing, r.layout.kind, r.layout.last = m.Outgoing, ref.kind, ref.last
	alpha := uint8(0x2a)
	if selected {
		alpha = 0x66
	}
	r.bg.FillColor = withAlpha(c, alpha)
	r.stripe.FillColor = c
	r.layout.topic, r.meta.Text, r.preview.Text = "", "", ""
	switch ref.kind {
	case rowHead:
		r.layout.topic, r.meta.Text = m.Topic, messageMeta(m)
	case rowLine:
		r.preview.Text = text
	case rowCompact:
		r.layout.topic, r.meta.Text, r.preview.Text = m.Topic, m.Time.Format("15:04:05.000"), text
	}
	r.topic.Text = r.layout.topic
	r.applyTheme()
	r.layout.corners(r.bg)
	r.layout.Layout(r.box.Objects, r.box.Size())
	for _, o := range r.box.Objects {
		o.Refresh()
	}
}

// applyTheme sets the texts' colours and sizes from the current theme.
func (r *messageRow) applyTheme() {
	m := currentRowMetrics()
	fg := theme.Color(theme.ColorNameForeground)
	r.topic.Color, r.preview.Color = fg, fg
	r.meta.Color = theme.Color(theme.ColorNamePlaceHolder)
	r.topic.TextSize, r.meta.TextSize, r.preview.TextSize = m.topicSize, m.metaSize, m.bodySize
}

// messageMeta is the line beside the topic: QoS, retain, properties,
// time with milliseconds and, for publishes, how they went.
func messageMeta(m *app.ViewMessage) string {
	parts := []string{fmt.Sprintf("QoS %d", m.QoS)}
	if m.Retain {
		parts = append(parts, "retained")
	}
	if n := propertyCount(m.Properties); n > 0 {
		parts = append(parts, fmt.Sprintf("%d props", n))
	}
	parts = append(parts, sizeText(len(m.Payload)), m.Time.Format("15:04:05.000"))
	if m.Outgoing && m.Status != "" && m.Status != "sent" {
		parts = append(parts, m.Status)
	}
	return strings.Join(parts, " · ")
}

// sizeText writes n bytes as a person reads it: 512 B, 1.5 MiB.
func sizeText[N int | int64](n N) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func propertyCount(p *mqtt.Properties) int {
	if p == nil {
		return 0
	}
	n := len(p.User)
	for _, set := range []bool{p.PayloadFormat != nil, p.MessageExpiry != nil, p.ContentType != "", p.ResponseTopic != "", len(p.CorrelationData) > 0, len(p.SubscriptionIDs) > 0} {
		if set {
			n++
		}
	}
	return n
}
