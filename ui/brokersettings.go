package ui

import (
	"errors"
	"os"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
)

// brokerSettingsForm edits app.BrokerSettings.
type brokerSettingsForm struct {
	host, tcp, ws, tls, wss *widget.Entry
	user, pass              *widget.Entry
	useTLS, persist         *widget.Check
}

func newBrokerSettingsForm(s app.BrokerSettings) *brokerSettingsForm {
	f := &brokerSettingsForm{
		host: entryWith(s.Host), tcp: portEntry(s.TCPPort), ws: portEntry(s.WSPort),
		tls: portEntry(s.TLSPort), wss: portEntry(s.WSSPort), user: entryWith(s.Username),
		pass: widget.NewPasswordEntry(),
	}
	f.pass.SetText(s.Password)
	f.useTLS = widget.NewCheck("TLS and secure WebSocket, with a local CA", f.enableTLSPorts)
	f.useTLS.SetChecked(s.TLS)
	f.enableTLSPorts(s.TLS)
	f.persist = widget.NewCheck("Keep retained messages and sessions across restarts", nil)
	f.persist.SetChecked(s.Persist)
	return f
}

// enableTLSPorts lets the TLS ports be edited only while TLS is on.
func (f *brokerSettingsForm) enableTLSPorts(on bool) {
	for _, e := range []*widget.Entry{f.tls, f.wss} {
		if on {
			e.Enable()
		} else {
			e.Disable()
		}
	}
}

func entryWith(text string) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(text)
	return e
}

func portEntry(port int) *widget.Entry {
	e := entryWith(strconv.Itoa(port))
	e.Validator = func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 65535 {
			return errors.New("a port from 1 to 65535, or 0 for off")
		}
		return nil
	}
	return e
}

func (f *brokerSettingsForm) items() []*widget.FormItem {
	return []*widget.FormItem{
		{Text: "Bind address", Widget: f.host, HintText: "127.0.0.1 keeps the broker private to this machine"},
		{Text: "TCP port", Widget: f.tcp},
		{Text: "WebSocket port", Widget: f.ws, HintText: "path /mqtt"},
		{Text: "Security", Widget: f.useTLS},
		{Text: "TLS port", Widget: f.tls},
		{Text: "Secure WebSocket port", Widget: f.wss},
		{Text: "Persistence", Widget: f.persist},
		{Text: "Username", Widget: f.user, HintText: "empty: every client is accepted"},
		{Text: "Password", Widget: f.pass},
	}
}

func (f *brokerSettingsForm) settings() app.BrokerSettings {
	port := func(e *widget.Entry) int { n, _ := strconv.Atoi(e.Text); return n }
	return app.BrokerSettings{
		Host: f.host.Text, TCPPort: port(f.tcp), WSPort: port(f.ws), TLS: f.useTLS.Checked,
		TLSPort: port(f.tls), WSSPort: port(f.wss), Persist: f.persist.Checked,
		Username: f.user.Text, Password: f.pass.Text,
	}
}

// showBrokerSettings opens the local broker's settings dialog.
func showBrokerSettings(core brokerCore, win fyne.Window) {
	f := newBrokerSettingsForm(core.BrokerSettings())
	items := append(f.items(), &widget.FormItem{Text: "Local CA", Widget: widget.NewButton("Export CA certificate…", func() {
		exportCA(core, win)
	})})
	d := dialog.NewForm("Local broker settings", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		if err := core.SaveBrokerSettings(f.settings()); err != nil {
			showError(win, err)
			return
		}
		if core.LocalBroker().Running {
			dialog.ShowInformation("Local broker settings", "Saved. Switch the broker off and on to use them.", win)
		}
	}, win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}

// exportCA saves the local CA certificate where the user chooses.
func exportCA(core brokerCore, win fyne.Window) {
	save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		pem, err := core.LocalBrokerCA()
		if err == nil {
			_, err = w.Write(pem)
		}
		if err != nil {
			showError(win, err)
		}
	}, win)
	save.SetFileName("mqttdesk-local-ca.pem")
	if home, err := os.UserHomeDir(); err == nil {
		if dir, err := storage.ListerForURI(storage.NewFileURI(home)); err == nil {
			save.SetLocation(dir)
		}
	}
	save.Show()
}
