package ui

import (
	"math"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// rowMetrics are the sizes of a message row at the current theme and zoom.
type rowMetrics struct {
	textSize                      float32 // the theme's text size they were measured at
	bodySize, topicSize, metaSize float32
	height, compactHeight         float32 // of one list row
	charW, topicCharW, metaCharW  float32 // monospace cell widths
	textH                         float32
}

const (
	rowPad    = 6 // from the stripe to the text, and from the text to the bubble's end
	rowStripe = 3
	rowGap    = 2 // between two bubbles
	rowRadius = 6
)

var rowMetricsCache rowMetrics

// currentRowMetrics measures the row at the current theme; it runs on the
// Fyne goroutine only.
func currentRowMetrics() rowMetrics {
	size := theme.TextSize()
	if rowMetricsCache.textSize == size {
		return rowMetricsCache
	}
	m := rowMetrics{textSize: size, bodySize: size - 1, topicSize: size - 2, metaSize: theme.CaptionTextSize()}
	mono, bold := fyne.TextStyle{Monospace: true}, fyne.TextStyle{Monospace: true, Bold: true}
	body := fyne.MeasureText("M", m.bodySize, mono)
	m.charW, m.textH = body.Width, body.Height
	m.topicCharW = fyne.MeasureText("M", m.topicSize, bold).Width
	m.metaCharW = fyne.MeasureText("0", m.metaSize, fyne.TextStyle{}).Width
	line := float32(math.Ceil(float64(body.Height)))
	m.height, m.compactHeight = line+rowGap, line+1
	rowMetricsCache = m
	return m
}

// bubbleWidth is how wide a bubble is in a row width wide: three quarters
// of it, or all of a narrow one.
func bubbleWidth(width float32) float32 {
	return max(width*0.78, min(width, 280))
}

// bubbleColumns is how many payload characters a bubble's line holds.
func (m rowMetrics) bubbleColumns(width float32) int {
	return int((bubbleWidth(width) - rowStripe - 2*rowPad) / m.charW)
}

// compactColumns splits a compact row width wide between the time, the
// topic (at most two fifths of the row) and the payload: it returns how
// many runes of topic are shown and how many payload characters fit.
func (m rowMetrics) compactColumns(width float32, topic string) (topicRunes, previewCols int) {
	room := width - rowStripe - 2*rowPad - m.timeWidth() - 3*m.charW
	topicRunes = min(utf8.RuneCountInString(topic), int(room*0.4/m.topicCharW))
	return topicRunes, int((room - float32(topicRunes)*m.topicCharW) / m.charW)
}

func (m rowMetrics) timeWidth() float32 {
	return fyne.MeasureText("00:00:00.000", m.metaSize, fyne.TextStyle{}).Width
}

// bubbleLayout places a messageRow's bubble piece, stripe and texts:
// objects are bg, stripe, topic, meta and preview.
type bubbleLayout struct {
	outgoing bool
	kind     rowKind
	last     bool
	compact  bool   // the list is in compact mode: rows are lower
	topic    string // the whole topic; the row shows what fits
}

func (l *bubbleLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	m := currentRowMetrics()
	if l.compact {
		return fyne.NewSize(280, m.compactHeight)
	}
	return fyne.NewSize(280, m.height)
}

func (l *bubbleLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	bg, stripe := objs[0], objs[1]
	topic, meta, preview := objs[2].(*canvas.Text), objs[3].(*canvas.Text), objs[4].(*canvas.Text)
	m := currentRowMetrics()
	x, w := float32(0), size.Width
	if l.kind != rowCompact {
		w = bubbleWidth(size.Width)
		if l.outgoing {
			x = size.Width - w
		}
	}
	top := float32(0)
	switch {
	case l.kind == rowHead:
		top = rowGap
	case l.kind == rowCompact:
		top = 1
	}
	bg.Move(fyne.NewPos(x, top))
	bg.Resize(fyne.NewSize(w, size.Height-top))
	stripe.Move(fyne.NewPos(x, top))
	stripe.Resize(fyne.NewSize(rowStripe, size.Height-top))
	text := x + rowStripe + rowPad
	place := func(t *canvas.Text, at float32) {
		h := t.MinSize().Height
		t.Move(fyne.NewPos(at, top+(size.Height-top-h)/2))
		t.Resize(fyne.NewSize(t.MinSize().Width, h))
	}
	switch l.kind {
	case rowHead:
		metaW := meta.MinSize().Width
		topic.Text = fitRunes(l.topic, int((w-rowStripe-2*rowPad-metaW-m.charW)/m.topicCharW))
		place(topic, text)
		place(meta, x+w-rowPad-metaW)
	case rowLine:
		place(preview, text)
	case rowCompact:
		place(meta, text)
		n, _ := m.compactColumns(size.Width, l.topic)
		topic.Text = fitRunes(l.topic, n)
		place(topic, text+m.timeWidth()+m.charW)
		place(preview, text+m.timeWidth()+2*m.charW+topic.MinSize().Width)
	}
}

// corners rounds the bubble's top on its first row and its bottom on its
// last.
func (l *bubbleLayout) corners(bg *canvas.Rectangle) {
	var t, b float32
	if l.kind != rowLine {
		t = rowRadius
	}
	if l.last {
		b = rowRadius
	}
	if l.kind == rowCompact {
		t, b = 2, 2
	}
	bg.TopLeftCornerRadius, bg.TopRightCornerRadius = t, t
	bg.BottomLeftCornerRadius, bg.BottomRightCornerRadius = b, b
}

// fitRunes cuts s to n runes, ending with "…" when it cut.
func fitRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	return truncateRunes(s, n-1) + "…"
}
