package ui

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/ui/payload"
)

// previewLines and previewWidth bound a message's payload in the list; the
// detail pane below the list shows all of it.
const (
	previewLines = 3
	previewWidth = 110 // characters a line, wrapped; a narrow window clips the rest
	previewBytes = 2048
)

// messageRow is one message as a chat bubble: received on the left in its
// subscription's colour, published on the right.
type messageRow struct {
	widget.BaseWidget
	bubble  *fyne.Container
	bg      *canvas.Rectangle
	stripe  *canvas.Rectangle
	topic   *widget.Label
	meta    *widget.Label
	preview *widget.Label
	layout  *bubbleLayout
}

func newMessageRow() fyne.CanvasObject {
	r := &messageRow{layout: &bubbleLayout{}}
	r.bg = canvas.NewRectangle(color.Transparent)
	r.bg.CornerRadius = 8
	r.stripe = canvas.NewRectangle(color.Transparent)
	r.stripe.SetMinSize(fyne.NewSize(4, 0))
	r.topic = widget.NewLabel("")
	r.topic.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	r.topic.Truncation = fyne.TextTruncateEllipsis
	r.meta = widget.NewLabel("")
	r.meta.SizeName = theme.SizeNameCaptionText
	r.preview = widget.NewLabel(strings.Repeat("\n", previewLines-1))
	r.preview.TextStyle.Monospace = true
	r.preview.Truncation = fyne.TextTruncateClip
	head := container.NewBorder(nil, nil, nil, r.meta, r.topic)
	content := container.New(tightVBox{}, head, r.preview)
	r.bubble = container.NewStack(r.bg, container.NewBorder(nil, nil, r.stripe, nil, content))
	r.ExtendBaseWidget(r)
	return r
}

func (r *messageRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(r.layout, r.bubble))
}

// show draws m in format, in colour c.
func (r *messageRow) show(m *app.ViewMessage, format payload.Format, c color.Color, selected bool) {
	r.layout.outgoing = m.Outgoing
	alpha := uint8(0x2a)
	if selected {
		alpha = 0x66
	}
	r.bg.FillColor = withAlpha(c, alpha)
	r.stripe.FillColor = c
	r.topic.SetText(m.Topic)
	r.meta.SetText(messageMeta(m))
	r.preview.SetText(preview(m.Payload, format))
	r.bg.Refresh()
	r.stripe.Refresh()
	r.Refresh()
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

// preview is the first lines of the payload, each cut to fit.
func preview(p []byte, format payload.Format) string {
	if len(p) == 0 {
		return "(empty payload)"
	}
	text := payload.Show(p, format, previewBytes).Text
	lines := wrapLines(text, previewWidth)
	if len(lines) > previewLines {
		lines = lines[:previewLines]
		lines[previewLines-1] += " …"
	}
	return strings.Join(lines, "\n")
}

func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func propertyCount(p *app.Properties) int {
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

// bubbleLayout puts the bubble on the left (received) or right
// (published), three quarters of the row wide at most.
type bubbleLayout struct{ outgoing bool }

func (l *bubbleLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return objs[0].MinSize()
}

// Layout sizes the bubble to its content's height: rows have one height
// (so the list can be virtualized cheaply) and short messages leave a gap
// below, as in a chat.
func (l *bubbleLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := max(size.Width*0.78, min(size.Width, 280))
	objs[0].Resize(fyne.NewSize(w, min(size.Height, objs[0].MinSize().Height)))
	x := float32(0)
	if l.outgoing {
		x = size.Width - w
	}
	objs[0].Move(fyne.NewPos(x, 0))
}
