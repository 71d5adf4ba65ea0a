package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// The editor's tabs, in order.
const (
	tabGeneral = iota
	tabAuth
	tabTLS
	tabWill
	tabMQTT5
	tabProxy
	tabAdvanced
)

// editorForm holds the connection editor's fields.
// editorCore is what the connection editor needs from the core. Both
// block: SaveProfile briefly, TestConnection for a connect timeout.
type editorCore interface {
	SaveProfile(p model.Profile) (model.Profile, error)
	TestConnection(ctx context.Context, o mqtt.Options) error
}

type editorForm struct {
	w           *Window
	fields      []fyne.CanvasObject // every tab's fields, in order
	core        editorCore
	original    model.Profile
	tabs        *container.AppTabs
	problem     *widget.Label
	testButton  *widget.Button
	save        *widget.Button
	saveConnect *widget.Button

	name, host, port, wsPath, clientID                      *entry
	scheme, version                                         *selectBox
	clientIDTime, autoConnect                               *widget.Check
	username, password                                      *entry
	insecure                                                *widget.Check
	caFile, certFile, keyFile, passphrase, serverName, alpn *entry
	minTLS                                                  *selectBox
	tlsStatus                                               *widget.Label
	willOn, willRetain, willUTF8                            *widget.Check
	willTopic, willPayload, willDelay, willExpiry           *entry
	willContentType, willResponseTopic                      *entry
	willQoS                                                 *selectBox
	sessionExpiry, receiveMax, maxPacket, aliasMax          *entry
	requestResponse, requestProblem                         *widget.Check
	userProps                                               *entry
	proxyKind                                               *selectBox
	proxyHost, proxyPort, proxyUser, proxyPass              *entry
	keepAlive, timeout, reconnectFrom, reconnectTo, tries   *entry
	clean, reconnect                                        *widget.Check
	wsHeaders                                               *entry
}

func newEditorForm(w *Window, core editorCore, p model.Profile) *editorForm {
	f := &editorForm{w: w, core: core, original: p}
	f.problem = widget.NewLabel("")
	f.problem.Wrapping = fyne.TextWrapWord
	f.problem.Hide()
	f.testButton = widget.NewButtonWithIcon("Test connection", theme.MediaPlayIcon(), f.test)
	f.tabs = container.NewAppTabs(
		container.NewTabItem("General", f.generalTab(p.Options)),
		container.NewTabItem("Authentication", f.authTab(p.Options)),
		container.NewTabItem("TLS", f.tlsTab(p.Options)),
		container.NewTabItem("Last will", f.willTab(p.Options)),
		container.NewTabItem("MQTT 5", f.mqtt5Tab(p.Options)),
		container.NewTabItem("Proxy", f.proxyTab(p.Options)),
		container.NewTabItem("Advanced", f.advancedTab(p.Options)),
	)
	f.schemeChanged(p.Options.Scheme)
	f.versionChanged(p.Options.Version)
	return f
}

// form lays out one tab's fields, and notes them for Enter and the focus
// (see showEditor).
func (f *editorForm) form(items ...*widget.FormItem) fyne.CanvasObject {
	f.fields = append(f.fields, formWidgets(items)...)
	return container.NewVScroll(widget.NewForm(items...))
}

func (f *editorForm) generalTab(o mqtt.Options) fyne.CanvasObject {
	f.name = newEntryWith(o.Name)
	f.name.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("give the connection a name")
		}
		return nil
	}
	f.scheme = newSelect([]string{mqtt.SchemeMQTT, mqtt.SchemeMQTTS, mqtt.SchemeWS, mqtt.SchemeWSS}, nil)
	f.scheme.SetSelected(o.Scheme)
	f.scheme.OnChanged = func(s string) {
		if n, _ := strconv.Atoi(f.port.Text); n == mqtt.DefaultPort(f.original.Options.Scheme) || n == 0 {
			f.port.SetText(strconv.Itoa(mqtt.DefaultPort(s)))
		}
		f.original.Options.Scheme = s
		f.schemeChanged(s)
	}
	f.host = newEntryWith(o.Host)
	f.host.SetPlaceHolder("broker.example.com or 192.168.1.10")
	f.host.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" || strings.ContainsAny(s, " /") {
			return errors.New("a host name or address, without scheme or path")
		}
		return nil
	}
	f.port = numberEntry(o.Port, 1, 65535, "a port from 1 to 65535")
	f.wsPath = newEntryWith(o.WSPath)
	f.wsPath.SetPlaceHolder("/mqtt")
	f.version = newSelect([]string{mqtt.MQTT5, mqtt.MQTT311}, f.versionChanged)
	f.version.SetSelected(o.Version)
	f.clientID = newEntryWith(o.ClientID)
	f.clientID.SetPlaceHolder("empty: a new random ID at every connect")
	f.clientID.Validator = func(s string) error {
		if len(s) > 65535 || !utf8.ValidString(s) {
			return errors.New("at most 65535 bytes of UTF-8")
		}
		if len(s) > 23 && f.version.Selected == mqtt.MQTT311 {
			return errors.New("3.1.1 brokers need only accept 23 characters; some refuse longer IDs")
		}
		return nil
	}
	generate := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), func() { f.clientID.SetText(mqtt.GenerateClientID()) })
	f.clientIDTime = widget.NewCheck("Add a timestamp at every connect", nil)
	f.clientIDTime.SetChecked(o.ClientIDTimestamp)
	f.autoConnect = widget.NewCheck("Connect when mqttdesk starts", nil)
	f.autoConnect.SetChecked(f.original.AutoConnect)
	return f.form(
		widget.NewFormItem("Name", f.name),
		widget.NewFormItem("Protocol", f.scheme),
		widget.NewFormItem("Host", f.host),
		widget.NewFormItem("Port", f.port),
		&widget.FormItem{Text: "WebSocket path", Widget: f.wsPath, HintText: "for ws and wss"},
		widget.NewFormItem("MQTT version", f.version),
		widget.NewFormItem("Client ID", container.NewBorder(nil, nil, nil, generate, f.clientID)),
		widget.NewFormItem("", f.clientIDTime),
		widget.NewFormItem("Start", f.autoConnect),
	)
}

func (f *editorForm) authTab(o mqtt.Options) fyne.CanvasObject {
	f.username = newEntryWith(o.Username)
	f.password = newPasswordEntry()
	f.password.SetText(o.Password)
	return f.form(
		widget.NewFormItem("Username", f.username),
		&widget.FormItem{Text: "Password", Widget: f.password, HintText: "kept encrypted, never in plain text on disk"},
	)
}

func (f *editorForm) tlsTab(o mqtt.Options) fyne.CanvasObject {
	f.insecure = widget.NewCheck("Do not verify the broker's certificate (insecure)", func(bool) { f.checkTLS() })
	f.insecure.SetChecked(o.TLS.Insecure)
	f.caFile = f.fileEntry(o.TLS.CAFile, "empty: the system's CAs")
	f.certFile = f.fileEntry(o.TLS.CertFile, "PEM, for client-certificate login")
	f.keyFile = f.fileEntry(o.TLS.KeyFile, "PEM: PKCS#1, SEC 1 or PKCS#8, encrypted or not")
	f.passphrase = newPasswordEntry()
	f.passphrase.SetText(o.TLS.KeyPassphrase)
	f.passphrase.OnChanged = func(string) { f.checkTLS() }
	f.serverName = newEntryWith(o.TLS.ServerName)
	f.serverName.SetPlaceHolder("empty: the host")
	f.alpn = newEntryWith(strings.Join(o.TLS.ALPN, ", "))
	f.alpn.SetPlaceHolder("for example: mqtt, x-amzn-mqtt-ca")
	f.minTLS = newSelect([]string{"1.2", "1.3"}, nil)
	f.minTLS.SetSelected(cmp.Or(o.TLS.MinVersion, "1.2"))
	f.tlsStatus = widget.NewLabel("")
	f.tlsStatus.Wrapping = fyne.TextWrapWord
	f.tlsStatus.Importance = widget.DangerImportance
	return container.NewBorder(nil, f.tlsStatus, nil, nil, f.form(
		widget.NewFormItem("Verification", f.insecure),
		widget.NewFormItem("CA file", f.browse(f.caFile)),
		widget.NewFormItem("Client certificate", f.browse(f.certFile)),
		widget.NewFormItem("Client key", f.browse(f.keyFile)),
		&widget.FormItem{Text: "Key passphrase", Widget: f.passphrase, HintText: "kept encrypted"},
		widget.NewFormItem("Server name (SNI)", f.serverName),
		widget.NewFormItem("ALPN", f.alpn),
		widget.NewFormItem("Minimum TLS version", f.minTLS),
	))
}

// fileEntry is a path entry that checks, as it is typed, that the file
// exists and that the TLS files parse together: it never shows a check
// mark for a file that Save would refuse. checkTLS then says what is wrong.
func (f *editorForm) fileEntry(path, placeholder string) *entry {
	e := newEntryWith(path)
	e.SetPlaceHolder(placeholder)
	e.Validator = func(s string) error {
		if s == "" {
			return nil
		}
		if _, err := os.Stat(s); err != nil {
			return errors.New("no such file")
		}
		return f.tlsProblemWith(strings.TrimSpace(s))
	}
	e.OnChanged = func(string) { f.checkTLS() }
	return e
}

// tlsProblemWith is what is wrong with the TLS files that involves path,
// nil when nothing is or the form is still being built.
func (f *editorForm) tlsProblemWith(path string) error {
	if f.minTLS == nil {
		return nil
	}
	err := app.CheckTLS(mqtt.Options{Scheme: mqtt.SchemeMQTTS, Host: "check", TLS: f.tlsOptions()})
	if err != nil && strings.Contains(err.Error(), path) {
		return errors.New(app.UserMessage(err))
	}
	return nil
}

// browse puts a "…" button beside e that picks a file.
func (f *editorForm) browse(e *entry) fyne.CanvasObject {
	b := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				e.SetText(r.URI().Path())
				_ = r.Close()
			}
		}, f.w.Window)
		f.w.showFile(d)
	})
	return container.NewBorder(nil, nil, nil, b, e)
}

// checkTLS says at once whether the certificate files parse and the
// passphrase opens the key.
func (f *editorForm) checkTLS() {
	if f.tlsStatus == nil || f.minTLS == nil {
		return
	}
	for _, e := range []*entry{f.caFile, f.certFile, f.keyFile} {
		if e.Text != "" {
			_ = e.Validate() // a change to one file can settle or break another
		}
	}
	o := mqtt.Options{Scheme: mqtt.SchemeMQTTS, Host: "check", TLS: f.tlsOptions()}
	if err := app.CheckTLS(o); err != nil {
		f.tlsStatus.SetText(app.UserMessage(err))
		f.tlsStatus.Show()
		return
	}
	f.tlsStatus.Hide()
}

func (f *editorForm) tlsOptions() mqtt.TLSOptions {
	var alpn []string
	for _, p := range strings.Split(f.alpn.Text, ",") {
		if p = strings.TrimSpace(p); p != "" {
			alpn = append(alpn, p)
		}
	}
	return mqtt.TLSOptions{
		Insecure: f.insecure.Checked, CAFile: strings.TrimSpace(f.caFile.Text), CertFile: strings.TrimSpace(f.certFile.Text),
		KeyFile: strings.TrimSpace(f.keyFile.Text), KeyPassphrase: f.passphrase.Text, ServerName: strings.TrimSpace(f.serverName.Text),
		ALPN: alpn, MinVersion: f.minTLS.Selected,
	}
}

// schemeChanged enables what the scheme uses.
func (f *editorForm) schemeChanged(scheme string) {
	enable(f.wsPath, scheme == mqtt.SchemeWS || scheme == mqtt.SchemeWSS)
	tls := scheme == mqtt.SchemeMQTTS || scheme == mqtt.SchemeWSS
	for _, e := range []*entry{f.caFile, f.certFile, f.keyFile, f.passphrase, f.serverName, f.alpn} {
		enable(e, tls)
	}
	if tls {
		f.insecure.Enable()
		f.minTLS.Enable()
		f.checkTLS()
	} else {
		f.insecure.Disable()
		f.minTLS.Disable()
		f.tlsStatus.SetText("TLS settings apply to the mqtts and wss protocols (General tab).")
		f.tlsStatus.Importance = widget.MediumImportance
		f.tlsStatus.Show()
		return
	}
	f.tlsStatus.Importance = widget.DangerImportance
}

// versionChanged enables the MQTT 5 settings only for MQTT 5.
func (f *editorForm) versionChanged(v string) {
	if f.sessionExpiry == nil {
		return
	}
	on := v == mqtt.MQTT5
	for _, e := range []*entry{f.sessionExpiry, f.receiveMax, f.maxPacket, f.aliasMax, f.userProps, f.willDelay, f.willExpiry, f.willContentType, f.willResponseTopic} {
		enable(e, on)
	}
	for _, c := range []*widget.Check{f.requestResponse, f.requestProblem, f.willUTF8} {
		if on {
			c.Enable()
		} else {
			c.Disable()
		}
	}
	f.clientID.Validate()
}

func enable(e *entry, on bool) {
	if on {
		e.Enable()
	} else {
		e.Disable()
	}
}

// numberEntry is an entry for a whole number from lo to hi.
func numberEntry(n, lo, hi int, problem string) *entry {
	e := newEntryWith(strconv.Itoa(n))
	e.Validator = func(s string) error {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < lo || v > hi {
			return errors.New(problem)
		}
		return nil
	}
	return e
}

// optionalNumber is a number entry where empty means "not sent".
func optionalNumber(n uint64, hi uint64, problem string) *entry {
	e := newEntry()
	if n > 0 {
		e.SetText(strconv.FormatUint(n, 10))
	}
	e.SetPlaceHolder("not sent")
	e.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil || v > hi {
			return errors.New(problem)
		}
		return nil
	}
	return e
}

func number(e *entry) int {
	n, _ := strconv.Atoi(strings.TrimSpace(e.Text))
	return n
}

func seconds(d time.Duration) int { return int(d / time.Second) }

// parseUserProperties reads "key=value" lines.
func parseUserProperties(text string) ([]mqtt.UserProperty, error) {
	var out []mqtt.UserProperty
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("user property on line %d is not key=value", i+1)
		}
		out = append(out, mqtt.UserProperty{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
	}
	return out, nil
}

func formatUserProperties(props []mqtt.UserProperty) string {
	lines := make([]string, len(props))
	for i, p := range props {
		lines[i] = p.Key + "=" + p.Value
	}
	return strings.Join(lines, "\n")
}
