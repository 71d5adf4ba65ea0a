package ui

import (
	"cmp"
	"fmt"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/ui/payload"
)

// lineWidth is where long payload lines wrap in the detail pane before it
// is laid out; then they wrap at its width.
const lineWidth = 120

// messageDetail shows one message whole: topic, details, MQTT 5
// properties (folded), the payload in the chosen format, and what can be
// done with it. The payload is a list of lines, so even a 16 MiB payload
// shown in full scrolls without freezing the window.
// payloadSettings gives the display limit of payloads.
type payloadSettings interface {
	AppSettings() model.AppSettings
}

type messageDetail struct {
	settings payloadSettings
	l        *messageList
	view     fyne.CanvasObject
	msg      app.ViewMessage
	topic    *widget.Label
	meta     *widget.Label
	props    *widget.Accordion
	propText *widget.Label
	lines    []string
	cols     int    // characters a payload line holds at the pane's width
	template string // as wide as the widest line when lines do not wrap (hex)
	watch    *widthWatch
	sideways *container.Scroll // scrolls lines that do not wrap
	payload  *widget.List
	notice   *widget.Label
	showAll  *widget.Button
	all      bool   // the user asked for the whole payload
	laying   uint64 // counts layOut calls: only the latest one's result is shown
}

func newMessageDetail(l *messageList, settings payloadSettings) *messageDetail {
	d := &messageDetail{l: l, settings: settings}
	d.topic = widget.NewLabel("")
	d.topic.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	d.topic.Selectable = true
	d.topic.Wrapping = fyne.TextWrapBreak
	d.meta = widget.NewLabel("")
	d.meta.SizeName = theme.SizeNameCaptionText
	d.propText = widget.NewLabel("")
	d.propText.TextStyle.Monospace = true
	d.propText.Selectable = true
	d.props = widget.NewAccordion(widget.NewAccordionItem("MQTT 5 properties", d.propText))
	d.payload = widget.NewList(func() int { return len(d.lines) }, func() fyne.CanvasObject {
		t := canvas.NewText(d.template, theme.Color(theme.ColorNameForeground))
		t.TextStyle.Monospace = true
		return t
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		t := o.(*canvas.Text)
		t.Text, t.Color = d.lines[i], theme.Color(theme.ColorNameForeground)
		t.Refresh()
	})
	d.payload.HideSeparators = true
	d.notice = widget.NewLabel("")
	d.notice.Importance = widget.WarningImportance
	d.showAll = widget.NewButton("Show all", d.expand)
	d.showAll.Hide()
	d.notice.Hide()
	// In rows as the width allows, so that the pane fits beside the sidebar
	// on a 1024 px screen.
	flow := &flowLayout{}
	actions := container.New(flow,
		widget.NewButtonWithIcon("Copy topic", theme.ContentCopyIcon(), func() { l.copied(d.msg.Topic, "the topic") }),
		widget.NewButtonWithIcon("Copy payload", theme.ContentCopyIcon(), func() { l.copied(string(d.msg.Payload), "the payload") }),
		widget.NewButtonWithIcon("Publish again…", theme.MailSendIcon(), func() { l.v.composer.recall(d.msg) }),
		widget.NewButtonWithIcon("Save payload…", theme.DocumentSaveIcon(), func() { savePayload(l.v.w, d.msg) }),
	)
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { l.selectMessage(nil) })
	closeBtn.Importance = widget.LowImportance
	head := container.NewBorder(nil, nil, nil, closeBtn, container.New(tightVBox{}, d.topic, d.meta))
	top := container.NewVBox(head, actions, d.props, container.NewHBox(d.notice, d.showAll))
	d.watch = &widthWatch{changed: d.widthChanged}
	d.sideways = container.NewHScroll(d.payload)
	area := container.New(d.watch, d.sideways)
	d.view = container.New(headLayout{}, top, container.NewPadded(area))
	return d
}

func clip(s string) { fyne.CurrentApp().Clipboard().SetContent(s) }

func (d *messageDetail) show(m app.ViewMessage) {
	d.msg, d.all = m, false
	d.refresh()
}

// refresh lays the message out again, as after the format changed.
func (d *messageDetail) refresh() {
	if d.l.selected == 0 {
		return
	}
	m := d.msg
	d.topic.SetText(m.Topic)
	dir := "Received"
	if m.Outgoing {
		dir = "Published"
	}
	meta := messageMeta(&m)
	meta = strings.TrimSuffix(meta, " · "+m.Time.Format("15:04:05.000"))
	d.meta.SetText(fmt.Sprintf("%s %s · %s", dir, m.Time.Format("2006-01-02 15:04:05.000"), meta))
	d.propText.SetText(propertiesText(m.Properties))
	d.props.Items[0].Title = fmt.Sprintf("MQTT 5 properties (%d)", propertyCount(m.Properties))
	d.props.Hidden = m.Properties == nil
	d.props.Refresh()
	d.lines = nil // not the last message's payload while this one is laid out
	d.layOut()
}

// layOut formats the payload, up to the display limit unless the user
// asked for all of it, and shows it as lines. Formatting and wrapping run
// off the Fyne goroutine: a whole 16 MiB payload takes a while.
func (d *messageDetail) layOut() {
	p, format, all, core := d.msg.Payload, d.l.format, d.all, d.settings
	cols := cmp.Or(d.cols, lineWidth)
	if format == payload.Hex {
		cols = 1 << 30 // a hex dump scrolls sideways: wrapping would garble its columns
	}
	d.laying++
	gen := d.laying
	inBackground(func() (laidOut, error) {
		limit := 0
		if !all {
			limit = core.AppSettings().PayloadDisplayLimit
		}
		return formatPayload(p, format, limit, cols), nil
	}, func(l laidOut, _ error) {
		if gen != d.laying {
			return // another message or format was chosen meanwhile
		}
		d.lines = l.lines
		d.template = strings.Repeat("0", l.widest)
		d.notice.SetText(l.notice)
		d.notice.Hidden = l.notice == ""
		d.showAll.Hidden = !l.shortened
		d.notice.Refresh()
		d.showAll.Refresh()
		d.payload.Refresh()
		d.sideways.Refresh()
		d.payload.ScrollToTop()
	})
}

// widthChanged wraps the payload again when the pane holds a different
// number of characters a line.
func (d *messageDetail) widthChanged() {
	charW := fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{Monospace: true}).Width
	cols := max(int((d.watch.width-2*theme.Padding())/charW), 20)
	if cols == d.cols {
		return
	}
	d.cols = cols
	if d.l.selected != 0 && d.l.format != payload.Hex {
		d.layOut()
	}
}

// laidOut is a payload made into the detail pane's lines.
type laidOut struct {
	lines     []string
	notice    string // what the pane says above the lines, or ""
	shortened bool   // only the first limit bytes are in lines
	widest    int    // in characters, for lines that do not wrap (hex)
}

// formatPayload shows the first limit bytes of p (all with limit 0) as
// format, in lines of at most cols characters. It may take a while.
func formatPayload(p []byte, format payload.Format, limit, cols int) laidOut {
	s := payload.Show(p, format, limit)
	var notes []string
	if s.Note != "" {
		notes = append(notes, s.Note)
	}
	if s.Shortened {
		notes = append(notes, fmt.Sprintf("showing the first %s of %s", sizeText(limit), sizeText(len(p))))
	}
	out := laidOut{lines: wrapLines(s.Text, cols), notice: strings.Join(notes, "; "), shortened: s.Shortened}
	if format == payload.Hex {
		for _, l := range out.lines {
			out.widest = max(out.widest, utf8.RuneCountInString(l))
		}
	}
	return out
}

func (d *messageDetail) expand() {
	d.all = true
	d.layOut()
}

// wrapLines splits text into lines of at most width runes, between words
// where it can. Joined, the lines are text again.
func wrapLines(text string, width int) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		for utf8.RuneCountInString(line) > width {
			cut := truncateRunes(line, width)
			// Break after a space in the second half, so that words and
			// values stay whole; a longer word is broken where it must be.
			if sp := strings.LastIndexByte(cut, ' '); sp >= len(cut)/2 {
				cut = cut[:sp+1]
			}
			out = append(out, cut)
			line = line[len(cut):]
		}
		out = append(out, line)
	}
	return out
}

// saveBytes asks where to save data, then writes it.
func saveBytes(w *Window, name string, data []byte) {
	save := dialog.NewFileSave(func(out fyne.URIWriteCloser, err error) {
		if err != nil || out == nil {
			return
		}
		_, err = out.Write(data)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			w.showError(err)
		}
	}, w.Window)
	save.SetFileName(name)
	w.showFile(save)
}

// propertiesText lists MQTT 5 properties one a line.
func propertiesText(p *mqtt.Properties) string {
	if p == nil {
		return ""
	}
	var lines []string
	add := func(k, v string) { lines = append(lines, k+": "+v) }
	if p.PayloadFormat != nil {
		add("Payload format", map[byte]string{0: "bytes", 1: "UTF-8 text"}[*p.PayloadFormat])
	}
	if p.MessageExpiry != nil {
		add("Message expiry", fmt.Sprintf("%d s", *p.MessageExpiry))
	}
	if p.ContentType != "" {
		add("Content type", p.ContentType)
	}
	if p.ResponseTopic != "" {
		add("Response topic", p.ResponseTopic)
	}
	if len(p.CorrelationData) > 0 {
		add("Correlation data", payload.SafeText(p.CorrelationData))
	}
	if len(p.SubscriptionIDs) > 0 {
		add("Subscription identifiers", strings.Trim(fmt.Sprint(p.SubscriptionIDs), "[]"))
	}
	for _, u := range p.User {
		add("User "+u.Key, u.Value)
	}
	return strings.Join(lines, "\n")
}
