package ui

import (
	"context"
	"strings"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// logSource gives a connection's protocol log; it does not block.
type logSource interface {
	ConnectionLog(id string) []mqtt.LogEntry
}

// logWindows are the open protocol log windows, by connection: asking for
// one already open raises it. Touched on the Fyne goroutine only.
type logWindows map[string]fyne.Window

// show raises connection p's log window, opening it when it is not open.
func (l *logWindows) show(src logSource, p model.Profile) {
	if *l == nil {
		*l = logWindows{}
	}
	if win, ok := (*l)[p.ID]; ok {
		win.RequestFocus()
		return
	}
	(*l)[p.ID] = showLog(src, p, func() { delete(*l, p.ID) })
}

// showLog opens a window with connection p's protocol log: every packet
// sent and received, newest at the bottom, read again every half second.
// Esc closes it; closed is called once it has.
func showLog(src logSource, p model.Profile, closed func()) fyne.Window {
	win := fyne.CurrentApp().NewWindow("Protocol log · " + p.Options.Name)
	var entries []mqtt.LogEntry
	list := widget.NewList(func() int { return len(entries) }, func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Monospace = true
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}, func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(entries[i].String()) })
	hint := widget.NewLabel("The log shows the packets of an open connection: connect to see them.")
	hint.Importance = widget.MediumImportance
	follow := widget.NewCheck("Follow newest", nil)
	follow.SetChecked(true)
	whole := widget.NewLabel("Select a line to read all of it here.")
	whole.Wrapping, whole.Selectable = fyne.TextWrapWord, true
	whole.TextStyle.Monospace = true
	list.OnSelected = func(i widget.ListItemID) {
		if i < len(entries) {
			whole.SetText(entries[i].String())
			follow.SetChecked(false) // the selected line stays where it is
		}
	}
	copyAll := widget.NewButtonWithIcon("Copy all", theme.ContentCopyIcon(), func() {
		lines := make([]string, len(entries))
		for i, e := range entries {
			lines[i] = e.String()
		}
		fyne.CurrentApp().Clipboard().SetContent(strings.Join(lines, "\n"))
	})
	top := container.NewBorder(nil, nil, nil, container.NewHBox(follow, copyAll), hint)
	bottom := container.NewVBox(widget.NewSeparator(), whole)
	win.SetContent(container.NewBorder(top, bottom, nil, nil, list))
	win.Resize(fyne.NewSize(900, 560))
	win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape {
			win.Close()
		}
	})

	ctx, stop := context.WithCancel(context.Background())
	win.SetOnClosed(func() { stop(); closed() })
	go func() {
		t := time.NewTicker(brokerEvery)
		defer t.Stop()
		for {
			log := src.ConnectionLog(p.ID)
			onMain(func() {
				entries = log
				hint.Hidden = len(log) > 0
				list.Refresh()
				if follow.Checked {
					list.ScrollToBottom()
				}
			})
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	win.Show()
	return win
}
