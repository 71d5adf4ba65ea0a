package ui

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
)

// brokerSettingsForm edits app.BrokerSettings.
type brokerSettingsForm struct {
	host, tcp, ws, tls, wss *entry
	user, pass              *entry
	acl, maxPacket          *entry
	useTLS, persist         *widget.Check
}

func newBrokerSettingsForm(s app.BrokerSettings) *brokerSettingsForm {
	f := &brokerSettingsForm{
		host: entryWith(s.Host), tcp: portEntry(s.TCPPort), ws: portEntry(s.WSPort),
		tls: portEntry(s.TLSPort), wss: portEntry(s.WSSPort), user: entryWith(s.Username),
		pass: newPasswordEntry(),
	}
	f.pass.SetText(s.Password)
	f.acl = entryWith(s.ACLFile)
	f.acl.SetPlaceHolder("none: every client may publish and subscribe to everything")
	f.maxPacket = entryWith(strconv.Itoa(cmp.Or(s.MaxPacketSizeMiB, app.DefaultBrokerMaxPacketSizeMiB)))
	f.maxPacket.Validator = func(s string) error {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > 255 { // as app.BrokerSettings.Validate
			return errors.New("from 1 to 255 MiB")
		}
		return nil
	}
	f.useTLS = widget.NewCheck("TLS and secure WebSocket, with a local CA", f.enableTLSPorts)
	f.useTLS.SetChecked(s.TLS)
	f.enableTLSPorts(s.TLS)
	f.persist = widget.NewCheck(app.PersistSettingLabel, nil)
	f.persist.SetChecked(s.Persist)
	return f
}

// enableTLSPorts lets the TLS ports be edited only while TLS is on.
func (f *brokerSettingsForm) enableTLSPorts(on bool) {
	for _, e := range []*entry{f.tls, f.wss} {
		if on {
			e.Enable()
		} else {
			e.Disable()
		}
	}
}

func entryWith(text string) *entry { return newEntryWith(text) }

func portEntry(port int) *entry {
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
		{Text: "Access list file", Widget: f.acl, HintText: "mosquitto's acl_file syntax: user, topic [read|write|readwrite|deny], pattern"},
		{Text: "Maximum packet size (MiB)", Widget: f.maxPacket, HintText: "larger packets are refused; clients are told in CONNACK"},
	}
}

func (f *brokerSettingsForm) settings() app.BrokerSettings {
	port := func(e *entry) int { n, _ := strconv.Atoi(e.Text); return n } // a port, or the MiB of maxPacket
	return app.BrokerSettings{
		Host: f.host.Text, TCPPort: port(f.tcp), WSPort: port(f.ws), TLS: f.useTLS.Checked,
		TLSPort: port(f.tls), WSSPort: port(f.wss), Persist: f.persist.Checked,
		Username: f.user.Text, Password: f.pass.Text,
		ACLFile: strings.TrimSpace(f.acl.Text), MaxPacketSizeMiB: orZero(port(f.maxPacket), app.DefaultBrokerMaxPacketSizeMiB),
	}
}

// orZero returns 0, meaning the default, when n is the default.
func orZero(n, def int) int {
	if n == def {
		return 0
	}
	return n
}

// brokerSettingsHeight bounds the settings' height: they scroll, so that
// Save and Cancel stay on screen in a 700-pixel-high window.
const brokerSettingsHeight = 460

// showBrokerSettings opens the local broker's settings dialog on dialogs.
// A field that is not valid keeps the dialog open and says why.
// When the broker is running, it offers to restart it with the new
// settings.
func showBrokerSettings(core brokerCore, win fyne.Window, dialogs *dialogStack, restart func()) {
	f := newBrokerSettingsForm(core.BrokerSettings())
	items := append(f.items(), &widget.FormItem{Text: "Local CA", Widget: widget.NewButton("Export CA certificate…", func() {
		exportCA(core, win, dialogs)
	})})
	form := container.NewVScroll(widget.NewForm(items...))
	form.SetMinSize(fyne.NewSize(680, brokerSettingsHeight)) // room for the fields' hints
	var d *dialog.ConfirmDialog
	d = dialog.NewCustomConfirm("Local broker settings", "Save", "Cancel", form, func(ok bool) {
		if !ok {
			return
		}
		if err := f.validate(items); err != nil {
			dialogs.show(d)
			dialogs.show(errorDialog(win, err))
			return
		}
		if err := core.SaveBrokerSettings(f.settings()); err != nil {
			dialogs.show(errorDialog(win, err))
			return
		}
		if core.LocalBroker().Running {
			ask := dialog.NewConfirm("Local broker settings", "Saved. Restart the broker now to use them? Its clients are disconnected and reconnect.", func(now bool) {
				if now {
					restart()
				}
			}, win)
			ask.SetConfirmText("Restart now")
			ask.SetDismissText("Later")
			dialogs.show(ask)
		}
	}, win)
	submitOnEnter(d.Confirm, formWidgets(items)...)
	dialogs.showSubmitting(d, d.Confirm)
	focusFirst(win.Canvas(), formWidgets(items)...)
}

// validate returns the first field of items that is not valid, in a
// sentence.
func (f *brokerSettingsForm) validate(items []*widget.FormItem) error {
	for _, it := range items {
		if e, ok := it.Widget.(*entry); ok && e.Validator != nil {
			if err := e.Validator(e.Text); err != nil {
				return fmt.Errorf("%s: %w", it.Text, err)
			}
		}
	}
	return nil
}

// exportCA saves the local CA certificate where the user chooses.
func exportCA(core brokerCore, win fyne.Window, dialogs *dialogStack) {
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
			dialogs.show(errorDialog(win, err))
		}
	}, win)
	save.SetFileName("mqttdesk-local-ca.pem")
	if home, err := os.UserHomeDir(); err == nil {
		if dir, err := storage.ListerForURI(storage.NewFileURI(home)); err == nil {
			save.SetLocation(dir)
		}
	}
	dialogs.show(save)
	sizeFileDialog(win, save) // only once shown: see Window.showFile
}
