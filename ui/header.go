package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
)

// viewHeader is the top of a connection's view: name, address, status
// with the last error, and the connection's actions.
type viewHeader struct {
	v       *connView
	view    fyne.CanvasObject
	name    *widget.Label
	url     *widget.Label
	dot     *canvas.Circle
	status  *widget.Label
	problem *widget.Label
	connect *widget.Button
	state   string
}

func newViewHeader(v *connView) *viewHeader {
	h := &viewHeader{v: v}
	h.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.name.SizeName = theme.SizeNameSubHeadingText
	h.url = widget.NewLabel("")
	h.url.TextStyle.Monospace = true
	h.url.Selectable = true
	h.dot = newDot(stateColor("", false), 10)
	h.status = widget.NewLabel("Disconnected")
	h.problem = widget.NewLabel("")
	h.problem.Importance = widget.DangerImportance
	h.problem.Wrapping = fyne.TextWrapWord
	h.problem.Hide()
	h.connect = widget.NewButtonWithIcon("Connect", theme.MediaPlayIcon(), h.toggleConnection)
	h.connect.Importance = widget.HighImportance
	edit := widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() { v.w.editConnection(v.profile) })
	var more *widget.Button
	more = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), func() { showMenuBelow(h.menu(), more) })
	title := container.NewHBox(h.name, container.New(dotBox{10}, h.dot), h.status)
	actions := container.NewHBox(h.connect, edit, more)
	top := container.NewBorder(nil, nil, nil, actions, container.New(tightVBox{}, title, h.url))
	h.view = container.NewPadded(container.NewVBox(top, h.problem))
	return h
}

func (h *viewHeader) show(p app.Profile) {
	h.name.SetText(p.Options.Name)
	h.url.SetText(p.Options.URL() + "  ·  MQTT " + p.Options.Version)
}

// showState draws the connection's status and last error.
func (h *viewHeader) showState(st app.ConnState) {
	if h.state != st.State {
		h.state = st.State
		h.status.SetText(strings.ToUpper(st.State[:1]) + st.State[1:])
		if st.State == "disconnected" {
			h.connect.SetText("Connect")
			h.connect.SetIcon(theme.MediaPlayIcon())
			h.connect.Importance = widget.HighImportance
		} else {
			h.connect.SetText("Disconnect")
			h.connect.SetIcon(theme.MediaStopIcon())
			h.connect.Importance = widget.MediumImportance
		}
		h.connect.Refresh()
	}
	h.dot.FillColor = stateColor(st.State, st.Err != "")
	h.dot.Refresh()
	if h.problem.Text != st.Err {
		h.problem.SetText(st.Err)
	}
	h.problem.Hidden = st.Err == ""
	h.problem.Refresh()
}

func (h *viewHeader) toggleConnection() {
	v := h.v
	if h.state == "" || h.state == "disconnected" {
		v.w.connect(v.profile)
		return
	}
	v.w.disconnect(v.profile.ID)
}

func (h *viewHeader) menu() *fyne.Menu {
	v := h.v
	return fyne.NewMenu("",
		fyne.NewMenuItem("Protocol log", func() { showLog(v.w, v.profile) }),
		fyne.NewMenuItem("Export connection and history…", func() { exportConnection(v.w, v.profile) }),
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
			v.w.do(func(ctx context.Context) error { return v.w.core.ClearHistory(ctx, v.profile.ID) })
		})
}

// exportConnection saves p with its subscriptions and history as JSON.
func exportConnection(w *Window, p app.Profile) {
	save := dialog.NewFileSave(func(out fyne.URIWriteCloser, err error) {
		if err != nil || out == nil {
			return
		}
		w.do(func(ctx context.Context) error {
			defer out.Close()
			return w.core.ExportProfile(ctx, out, p.ID, true)
		})
	}, w.Window)
	save.SetFileName(fileName(p.Options.Name) + ".mqttdesk.json")
	save.Resize(fyne.NewSize(700, 500))
	w.dialogs.show(save)
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
