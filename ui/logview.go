package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
)

// showLog opens a window with connection p's protocol log: every packet
// sent and received, newest at the bottom, read again every half second.
func showLog(w *Window, p app.Profile) {
	win := fyne.CurrentApp().NewWindow("Protocol log · " + p.Options.Name)
	var entries []app.LogEntry
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
	win.SetContent(container.NewBorder(container.NewBorder(nil, nil, nil, follow, hint), nil, nil, nil, list))
	win.Resize(fyne.NewSize(820, 520))

	ctx, stop := context.WithCancel(context.Background())
	win.SetOnClosed(stop)
	go func() {
		t := time.NewTicker(brokerEvery)
		defer t.Stop()
		for {
			log := w.core.ConnectionLog(p.ID)
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
}
