package ui

import (
	"cmp"
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

func (f *editorForm) willTab(o mqtt.Options) fyne.CanvasObject {
	w := o.Will
	if w == nil {
		w = &mqtt.Will{}
	}
	f.willOn = widget.NewCheck("Send a last will", nil)
	f.willOn.SetChecked(o.Will != nil)
	f.willTopic = newEntryWith(w.Topic)
	f.willTopic.SetPlaceHolder("devices/laptop/status")
	f.willTopic.Validator = func(s string) error {
		if !f.willOn.Checked {
			return nil
		}
		return mqtt.ValidateTopicName(s)
	}
	f.willPayload = newMultiLineEntry()
	f.willPayload.SetText(string(w.Payload))
	f.willPayload.SetMinRowsVisible(3)
	f.willQoS = qosSelect(w.QoS)
	f.willRetain = widget.NewCheck("Retain", nil)
	f.willRetain.SetChecked(w.Retain)
	f.willDelay = optionalNumber(uint64(w.Delay), 1<<32-1, "seconds, up to 4294967295")
	f.willExpiry = optionalNumber(uint64(deref(w.Properties.MessageExpiry)), 1<<32-1, "seconds, up to 4294967295")
	f.willContentType = newEntryWith(w.Properties.ContentType)
	f.willResponseTopic = newEntryWith(w.Properties.ResponseTopic)
	f.willUTF8 = widget.NewCheck("Payload is UTF-8 text (payload format indicator)", nil)
	f.willUTF8.SetChecked(w.Properties.PayloadFormat != nil && *w.Properties.PayloadFormat == 1)
	return f.form(
		widget.NewFormItem("", f.willOn),
		widget.NewFormItem("Topic", f.willTopic),
		widget.NewFormItem("Payload", f.willPayload),
		widget.NewFormItem("QoS", container.NewHBox(f.willQoS, f.willRetain)),
		&widget.FormItem{Text: "Will delay (s)", Widget: f.willDelay, HintText: "MQTT 5"},
		&widget.FormItem{Text: "Message expiry (s)", Widget: f.willExpiry, HintText: "MQTT 5"},
		&widget.FormItem{Text: "Content type", Widget: f.willContentType, HintText: "MQTT 5"},
		&widget.FormItem{Text: "Response topic", Widget: f.willResponseTopic, HintText: "MQTT 5"},
		widget.NewFormItem("", f.willUTF8),
	)
}

func (f *editorForm) mqtt5Tab(o mqtt.Options) fyne.CanvasObject {
	f.sessionExpiry = optionalNumber(uint64(o.SessionExpiry), 1<<32-1, "seconds, up to 4294967295 (never expires)")
	f.receiveMax = optionalNumber(uint64(o.ReceiveMaximum), 65535, "1 to 65535")
	f.aliasMax = optionalNumber(uint64(o.TopicAliasMaximum), 65535, "0 to 65535")
	f.requestResponse = widget.NewCheck("Request response information", nil)
	f.requestResponse.SetChecked(o.RequestResponseInfo)
	f.requestProblem = widget.NewCheck("Request problem information (reason strings)", nil)
	f.requestProblem.SetChecked(!o.NoProblemInfo)
	f.userProps = newMultiLineEntry()
	f.userProps.SetText(formatUserProperties(o.UserProperties))
	f.userProps.SetPlaceHolder("key=value, one a line")
	f.userProps.SetMinRowsVisible(3)
	return f.form(
		&widget.FormItem{Text: "Session expiry (s)", Widget: f.sessionExpiry, HintText: "how long the broker keeps the session after a disconnect"},
		widget.NewFormItem("Receive maximum", f.receiveMax),
		widget.NewFormItem("Topic alias maximum", f.aliasMax),
		widget.NewFormItem("", f.requestResponse),
		widget.NewFormItem("", f.requestProblem),
		widget.NewFormItem("User properties", f.userProps),
	)
}

func (f *editorForm) proxyTab(o mqtt.Options) fyne.CanvasObject {
	kinds := map[string]string{mqtt.ProxyNone: "None", mqtt.ProxySOCKS5: "SOCKS5", mqtt.ProxyHTTP: "HTTP CONNECT"}
	f.proxyKind = newSelect([]string{"None", "SOCKS5", "HTTP CONNECT"}, nil)
	f.proxyKind.SetSelected(kinds[o.Proxy.Kind])
	f.proxyHost = newEntryWith(o.Proxy.Host)
	port := o.Proxy.Port
	if port == 0 {
		port = 1080
	}
	f.proxyPort = numberEntry(port, 1, 65535, "a port from 1 to 65535")
	f.proxyUser = newEntryWith(o.Proxy.Username)
	f.proxyPass = newPasswordEntry()
	f.proxyPass.SetText(o.Proxy.Password)
	return f.form(
		widget.NewFormItem("Proxy", f.proxyKind),
		widget.NewFormItem("Host", f.proxyHost),
		widget.NewFormItem("Port", f.proxyPort),
		widget.NewFormItem("Username", f.proxyUser),
		widget.NewFormItem("Password", f.proxyPass),
	)
}

func (f *editorForm) advancedTab(o mqtt.Options) fyne.CanvasObject {
	f.keepAlive = numberEntry(o.KeepAlive, 0, 65535, "seconds, 0 to 65535 (0: off)")
	f.timeout = numberEntry(cmp.Or(o.ConnectTimeout, 10), 1, 600, "seconds, 1 to 600")
	f.clean = widget.NewCheck("Clean start: begin without the broker's stored session", nil)
	f.clean.SetChecked(o.Clean)
	f.reconnect = widget.NewCheck("Reconnect when the connection is lost", nil)
	f.reconnect.SetChecked(o.Reconnect.Enabled)
	f.reconnectFrom = numberEntry(cmp.Or(seconds(o.Reconnect.InitialDelay), 1), 1, 3600, "seconds, 1 to 3600")
	f.reconnectTo = numberEntry(cmp.Or(seconds(o.Reconnect.MaxDelay), 30), 1, 3600, "seconds, 1 to 3600")
	f.tries = numberEntry(o.Reconnect.MaxAttempts, 0, 1_000_000, "0 for forever")
	f.maxPacket = optionalNumber(uint64(o.MaximumPacketSize), maxMQTTPacket, "bytes, 1 to 268435460")
	f.maxPacket.SetPlaceHolder(strconv.Itoa(mqtt.DefaultMaximumPacketSize) + " (64 MiB)")
	f.wsHeaders = newMultiLineEntry()
	f.wsHeaders.SetPlaceHolder("Header: value, one a line")
	f.wsHeaders.SetMinRowsVisible(2)
	var lines []string
	for k, v := range o.WSHeaders {
		lines = append(lines, k+": "+v)
	}
	f.wsHeaders.SetText(strings.Join(lines, "\n"))
	return f.form(
		&widget.FormItem{Text: "Keep-alive (s)", Widget: f.keepAlive, HintText: "0 turns it off"},
		widget.NewFormItem("Connect timeout (s)", f.timeout),
		widget.NewFormItem("Session", f.clean),
		widget.NewFormItem("Reconnect", f.reconnect),
		widget.NewFormItem("First retry after (s)", f.reconnectFrom),
		widget.NewFormItem("Longest wait (s)", f.reconnectTo),
		&widget.FormItem{Text: "Give up after", Widget: f.tries, HintText: "attempts; 0 for never"},
		&widget.FormItem{Text: "Maximum packet size", Widget: f.maxPacket, HintText: "bytes; a larger packet from the broker closes the connection (MQTT 5 tells the broker)"},
		widget.NewFormItem("WebSocket headers", f.wsHeaders),
	)
}

// maxMQTTPacket is the largest packet MQTT can encode: a 4-byte remaining
// length of 268,435,455 and its header.
const maxMQTTPacket = 268_435_460

// collect checks every field and returns the profile the form describes,
// or the first problem with the tab it is on.
func (f *editorForm) collect() (model.Profile, error) {
	if err := f.validateEntries(); err != nil {
		return f.original, err
	}
	p := f.original
	o := mqtt.NewOptions(strings.TrimSpace(f.name.Text), f.scheme.Selected, strings.TrimSpace(f.host.Text))
	o.Port, o.WSPath, o.Version = number(f.port), strings.TrimSpace(f.wsPath.Text), f.version.Selected
	o.ClientID, o.ClientIDTimestamp = f.clientID.Text, f.clientIDTime.Checked
	o.Username, o.Password = f.username.Text, f.password.Text
	o.TLS = f.tlsOptions()
	o.KeepAlive, o.ConnectTimeout, o.Clean = number(f.keepAlive), number(f.timeout), f.clean.Checked
	o.Reconnect = mqtt.Reconnect{
		Enabled: f.reconnect.Checked, InitialDelay: time.Duration(number(f.reconnectFrom)) * time.Second,
		MaxDelay: time.Duration(number(f.reconnectTo)) * time.Second, MaxAttempts: number(f.tries),
	}
	o.SessionExpiry, o.MaximumPacketSize = uint32(number(f.sessionExpiry)), uint32(number(f.maxPacket))
	o.ReceiveMaximum, o.TopicAliasMaximum = uint16(number(f.receiveMax)), uint16(number(f.aliasMax))
	o.RequestResponseInfo, o.NoProblemInfo = f.requestResponse.Checked, !f.requestProblem.Checked
	var err error
	if o.UserProperties, err = parseUserProperties(f.userProps.Text); err != nil {
		return p, &fieldError{tabMQTT5, err}
	}
	if o.Will, err = f.will(); err != nil {
		return p, &fieldError{tabWill, err}
	}
	if o.WSHeaders, err = parseHeaders(f.wsHeaders.Text); err != nil {
		return p, &fieldError{tabAdvanced, err}
	}
	o.Proxy = f.proxy()
	if o.Name == "" {
		return p, &fieldError{tabGeneral, errors.New("give the connection a name")}
	}
	if err := o.Validate(); err != nil {
		return p, &fieldError{tabGeneral, err}
	}
	if err := app.CheckTLS(o); err != nil {
		return p, &fieldError{tabTLS, err}
	}
	p.Options, p.AutoConnect = o, f.autoConnect.Checked
	return p, nil
}

// validateEntries runs every entry's inline check.
func (f *editorForm) validateEntries() error {
	tabs := map[int][]*entry{
		tabGeneral:  {f.name, f.host, f.port, f.clientID},
		tabTLS:      {f.caFile, f.certFile, f.keyFile},
		tabWill:     {f.willTopic, f.willDelay, f.willExpiry},
		tabMQTT5:    {f.sessionExpiry, f.receiveMax, f.maxPacket, f.aliasMax},
		tabProxy:    {f.proxyPort},
		tabAdvanced: {f.keepAlive, f.timeout, f.reconnectFrom, f.reconnectTo, f.tries},
	}
	for tab := tabGeneral; tab <= tabAdvanced; tab++ {
		for _, e := range tabs[tab] {
			if e.Disabled() {
				continue
			}
			if err := e.Validate(); err != nil && !(e == f.clientID && len(e.Text) <= 65535) {
				return &fieldError{tab, err}
			}
		}
	}
	return nil
}

func (f *editorForm) will() (*mqtt.Will, error) {
	if !f.willOn.Checked {
		return nil, nil
	}
	w := &mqtt.Will{Topic: f.willTopic.Text, Payload: []byte(f.willPayload.Text), QoS: qosOf(f.willQoS), Retain: f.willRetain.Checked}
	if f.version.Selected == mqtt.MQTT5 {
		w.Delay = uint32(number(f.willDelay))
		if n := number(f.willExpiry); n > 0 {
			e := uint32(n)
			w.Properties.MessageExpiry = &e
		}
		w.Properties.ContentType, w.Properties.ResponseTopic = f.willContentType.Text, f.willResponseTopic.Text
		if f.willUTF8.Checked {
			one := byte(1)
			w.Properties.PayloadFormat = &one
		}
	}
	return w, nil
}

func (f *editorForm) proxy() mqtt.ProxyOptions {
	kind := map[string]string{"None": mqtt.ProxyNone, "SOCKS5": mqtt.ProxySOCKS5, "HTTP CONNECT": mqtt.ProxyHTTP}[f.proxyKind.Selected]
	if kind == mqtt.ProxyNone {
		return mqtt.ProxyOptions{}
	}
	return mqtt.ProxyOptions{Kind: kind, Host: strings.TrimSpace(f.proxyHost.Text), Port: number(f.proxyPort), Username: f.proxyUser.Text, Password: f.proxyPass.Text}
}

func parseHeaders(text string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, errors.New("WebSocket header on line " + strconv.Itoa(i+1) + " is not Name: value")
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func qosSelect(q byte) *selectBox {
	s := newSelect([]string{"QoS 0", "QoS 1", "QoS 2"}, nil)
	s.SetSelectedIndex(int(min(q, 2)))
	return s
}

func qosOf(s *selectBox) byte { return byte(max(s.SelectedIndex(), 0)) }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
