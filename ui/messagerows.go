package ui

import (
	"fyne.io/fyne/v2"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/ui/payload"
)

// previewCache keeps the preview lines of the messages shown, by Seq, so
// that a refresh tick formats only the messages that are new. It holds
// for one width, format and mode; a change of any of them empties it.
type previewCache struct {
	width   float32
	format  payload.Format
	compact bool
	size    float32 // the text size the lines were measured at
	lines   map[uint64]cachedPreview
}

type cachedPreview struct {
	n     int // the payload's length, in case a Seq is seen again
	lines []string
}

// keep empties the cache unless it was made for these settings.
func (c *previewCache) keep(width float32, format payload.Format, compact bool, size float32) {
	if c.lines != nil && c.width == width && c.format == format && c.compact == compact && c.size == size {
		return
	}
	*c = previewCache{width: width, format: format, compact: compact, size: size, lines: map[uint64]cachedPreview{}}
}

// prune forgets the messages no longer shown once the cache has grown
// well past them.
func (c *previewCache) prune(items []app.ViewMessage) {
	if len(c.lines) <= 2*len(items)+256 {
		return
	}
	keep := make(map[uint64]cachedPreview, len(items))
	for i := range items {
		if p, ok := c.lines[items[i].Seq]; ok {
			keep[items[i].Seq] = p
		}
	}
	c.lines = keep
}

// previewLines is m's payload as its rows show it, from the cache.
func (l *messageList) previewLines(m *app.ViewMessage, metrics rowMetrics) []string {
	if p, ok := l.previews.lines[m.Seq]; ok && p.n == len(m.Payload) {
		return p.lines
	}
	var lines []string
	if l.compact {
		_, cols := metrics.compactColumns(l.previews.width, m.Topic)
		lines = previewOf(m.Payload, l.format, cols, 1)
	} else {
		lines = previewOf(m.Payload, l.format, metrics.bubbleColumns(l.previews.width), previewLines)
	}
	l.previews.lines[m.Seq] = cachedPreview{len(m.Payload), lines}
	return lines
}

// buildRows lays the items out as list rows: in compact mode one a
// message, otherwise a head row and one row a preview line.
func (l *messageList) buildRows() {
	metrics := currentRowMetrics()
	width := l.list.Size().Width
	if width <= 0 {
		width = 600 // not laid out yet; the first layout builds the rows again
	}
	l.previews.keep(width, l.format, l.compact, metrics.textSize)
	rows := l.rows[:0]
	for i := range l.items {
		lines := l.previewLines(&l.items[i], metrics)
		if l.compact {
			rows = append(rows, rowRef{item: i, kind: rowCompact, last: true})
			continue
		}
		rows = append(rows, rowRef{item: i, kind: rowHead})
		for j := range lines {
			rows = append(rows, rowRef{item: i, line: j, kind: rowLine, last: j == len(lines)-1})
		}
	}
	l.rows = rows
	l.builtHeight = l.rowHeight()
	l.previews.prune(l.items)
}

// rowHeight is the height of every row of the list in the current mode.
func (l *messageList) rowHeight() float32 {
	if l.compact {
		return currentRowMetrics().compactHeight
	}
	return currentRowMetrics().height
}

// firstRowOf is the index of the first row of items[item].
func (l *messageList) firstRowOf(item int) int {
	for i, r := range l.rows {
		if r.item >= item {
			return i
		}
	}
	return len(l.rows)
}

// widthWatch lays its one object out over all its space and tells
// changed when the width changes, so that previews wrap again.
type widthWatch struct {
	width   float32
	changed func()
}

func (w *widthWatch) MinSize(objs []fyne.CanvasObject) fyne.Size { return objs[0].MinSize() }

func (w *widthWatch) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Resize(size)
	objs[0].Move(fyne.NewPos(0, 0))
	if size.Width != w.width {
		w.width = size.Width
		w.changed()
	}
}
