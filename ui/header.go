package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
)

// viewHeader is the top of a connection's view: name, address, status
// with the last error, and the connection's actions.
// historyKeeper is what the header's menu needs from the core: clearing
// and exporting a connection's history, and its protocol log. The first
// two block.
type historyKeeper interface {
	ClearHistory(ctx context.Context, id string) error
	ExportProfile(ctx context.Context, w io.Writer, id string, messages bool) error
	logSource
}

type viewHeader struct {
	v       *connView
	core    historyKeeper
	view    fyne.CanvasObject
	name    *widget.Label
	url     *widget.Label
	dot     *canvas.Circle
	status  *widget.Label
	problem *widget.Label
	connect *widget.Button
	stop    *widget.Button // stops a connection waiting to retry
	state   string
	last    app.ConnState // for the countdown between refreshes
}

func newViewHeader(v *connView, core historyKeeper) *viewHeader {
	h := &viewHeader{v: v, core: core}
	h.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.name.SizeName = theme.SizeNameSubHeadingText
	h.url = widget.NewLabel("")
	h.url.TextStyle.Monospace = true
	h.url.Selectable = true
	h.dot = newDot(stateColor("", false), 10)
	h.status = widget.NewLabel("Disconnected")
	h.problem = widget.NewLabel(" ") // always one line, so the view below never moves
	h.problem.Importance = widget.DangerImportance
	h.problem.Truncation = fyne.TextTruncateEllipsis
	h.connect = widget.NewButtonWithIcon("Connect", theme.MediaPlayIcon(), h.toggleConnection)
	h.connect.Importance = widget.HighImportance
	h.stop = widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), func() { v.w.disconnect(v.profile.ID) })
	h.stop.Hide()
	edit := widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() { v.w.editConnection(v.profile) })
	var more *widget.Button
	more = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), func() { showMenuBelow(h.menu(), more) })
	title := container.NewHBox(h.name, container.New(dotBox{10}, h.dot), h.status)
	actions := container.NewHBox(h.stop, h.connect, edit, more)
	// The buttons keep their own height, centred beside the two lines of
	// name and address, instead of stretching to them.
	top := container.NewBorder(nil, nil, nil, container.NewCenter(actions), container.New(tightVBox{}, title, h.url))
	h.view = container.NewPadded(container.NewVBox(top, h.problem))
	return h
}

func (h *viewHeader) show(p model.Profile) {
	h.name.SetText(p.Options.Name)
	h.url.SetText(p.Options.URL() + "  ·  MQTT " + p.Options.Version)
}

// showState draws what the connection is doing and its last error.
func (h *viewHeader) showState(st app.ConnState) {
	h.last = st
	waiting := st.State == "disconnected" && !st.RetryAt.IsZero()
	if state := st.State + fmt.Sprint(waiting); h.state != state {
		h.state = state
		h.showButtons(st.State, waiting)
	}
	h.tick(time.Now())
	h.dot.FillColor = stateColor(st.State, st.Err != "")
	h.dot.Refresh()
	if text := cmp.Or(st.Err, " "); h.problem.Text != text {
		h.problem.SetText(text)
	}
}

// showButtons offers Connect while disconnected (Connect now while
// waiting to retry, with Stop beside it) and Disconnect otherwise.
func (h *viewHeader) showButtons(state string, waiting bool) {
	switch {
	case waiting:
		h.connect.SetText("Connect now")
		h.connect.SetIcon(theme.MediaPlayIcon())
		h.connect.Importance = widget.HighImportance
	case state == "disconnected":
		h.connect.SetText("Connect")
		h.connect.SetIcon(theme.MediaPlayIcon())
		h.connect.Importance = widget.HighImportance
	default:
		h.connect.SetText("Disconnect")
		h.connect.SetIcon(theme.MediaStopIcon())
		h.connect.Importance = widget.MediumImportance
	}
	h.stop.Hidden = !waiting
	h.stop.Refresh()
	h.connect.Refresh()
}

// tick redraws the status word, counting down to the next attempt.
func (h *viewHeader) tick(now time.Time) {
	if text := statusText(h.last, now); h.status.Text != text {
		h.status.SetText(text)
	}
}

// statusText says what a connection is doing: "Connected", "Connecting
// (attempt 3)", "Retrying in 4 s (attempt 3 failed)", "Disconnected".
func statusText(st app.ConnState, now time.Time) string {
	switch {
	case st.State == "connected":
		return "Connected"
	case st.State == "connecting" && st.Attempt > 1:
		return fmt.Sprintf("Connecting (attempt %d)", st.Attempt)
	case st.State == "connecting":
		return "Connecting"
	case !st.RetryAt.IsZero():
		secs := max(int(math.Ceil(st.RetryAt.Sub(now).Seconds())), 0)
		return fmt.Sprintf("Retrying in %d s (attempt %d failed)", secs, st.Attempt)
	case st.GaveUp:
		return "Disconnected: not retrying"
	}
	return "Disconnected"
}

// toggleConnection connects while disconnected or waiting to retry (the
// attempt starts now), and disconnects otherwise.
func (h *viewHeader) toggleConnection() {
	v := h.v
	st := h.last.State
	if st == "" || st == "disconnected" {
		v.w.connect(v.profile)
		return
	}
	v.w.disconnect(v.profile.ID)
}

func (h *viewHeader) menu() *fyne.Menu {
	v := h.v
	return fyne.NewMenu("",
		fyne.NewMenuItem("Protocol log", func() { v.w.logs.show(h.core, v.profile) }),
		fyne.NewMenuItem("Export connection and history…", func() { exportConnection(v.w, h.core, v.profile) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Clear history…", h.clearHistory),
	)
}

func (h *viewHeader) clearHistory() {
	v := h.v
	v.w.confirm("Clear the history of "+v.profile.Options.Name+"?",
		"Every message received and published on this connection will be deleted from this computer.",
		"Clear", func() {
			v.messages.clearOlder()
			v.w.do(func(ctx context.Context) error { return h.core.ClearHistory(ctx, v.profile.ID) })
		})
}

// exportConnection saves p with its subscriptions and history as JSON,
// showing how much is written.
func exportConnection(w *Window, core historyKeeper, p model.Profile) {
	save := dialog.NewFileSave(func(out fyne.URIWriteCloser, err error) {
		if err != nil || out == nil {
			return
		}
		w.runTransfer("Exporting "+p.Options.Name, 0, func(ctx context.Context, t *transfer) error {
			err := errors.Join(core.ExportProfile(ctx, t.writing(out), p.ID, true), out.Close())
			if err != nil || ctx.Err() != nil {
				_ = storage.Delete(out.URI()) // half an export would import as a broken file
			}
			return err
		}, w.afterCommand)
	}, w.Window)
	save.SetFileName(fileName(p.Options.Name) + ".mqttdesk.json")
	w.showFile(save)
}

// fileName makes s safe as a file name.
func fileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < 0x20 {
			return '_'
		}
		return r
	}, s)
	if s == "" {
		return "mqttdesk"
	}
	return s
}
