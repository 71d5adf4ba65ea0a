package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"

	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/storage"
)

const (
	brokerSettingsKey = "localBroker"
	brokerPasswordKey = "localBroker/password"
	brokerOnKey       = "localBroker/on" // the user left it switched on
)

// BrokerSettings is how the user has set up the local broker. The zero
// value is not useful; DefaultBrokerSettings is the one-click broker.
type BrokerSettings struct {
	Host     string `json:"host"`    // bind address, 127.0.0.1 by default
	TCPPort  int    `json:"tcpPort"` // 0 turns the listener off
	WSPort   int    `json:"wsPort"`
	TLS      bool   `json:"tls"`
	TLSPort  int    `json:"tlsPort"`
	WSSPort  int    `json:"wssPort"`
	Persist  bool   `json:"persist"` // keep retained messages and sessions across restarts
	Username string `json:"username,omitempty"`
	Password string `json:"-"` // saved encrypted, apart from the settings

	ACLFile          string `json:"aclFile,omitempty"`          // access list in mosquitto's acl_file syntax; none when empty
	MaxPacketSizeMiB int    `json:"maxPacketSizeMiB,omitempty"` // largest packet accepted; 0: localbroker.DefaultMaxPacketSize
}

// URLs returns the addresses clients would connect to with s, as a
// running broker's state gives them: mqtt, ws and, with TLS, mqtts and wss.
func (s BrokerSettings) URLs() []string {
	host := s.Host
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	addr := func(port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }
	var urls []string
	add := func(on bool, port int, scheme, path string) {
		if on && port > 0 {
			urls = append(urls, scheme+"://"+addr(port)+path)
		}
	}
	add(true, s.TCPPort, "mqtt", "")
	add(true, s.WSPort, "ws", localbroker.DefaultWSPath)
	add(s.TLS, s.TLSPort, "mqtts", "")
	add(s.TLS, s.WSSPort, "wss", localbroker.DefaultWSPath)
	return urls
}

// PersistSettingLabel is the broker setting for BrokerSettings.Persist,
// as the settings show it and the damaged-file sentence names it.
const PersistSettingLabel = "Keep retained messages and sessions across restarts"

// DefaultBrokerSettings listens on 127.0.0.1, TCP 1883 and WebSocket 8083,
// with TLS ports ready at 8883 and 8084 when turned on.
func DefaultBrokerSettings() BrokerSettings {
	return BrokerSettings{Host: "127.0.0.1", TCPPort: 1883, WSPort: 8083, TLSPort: 8883, WSSPort: 8084}
}

// Validate reports the first setting that cannot work.
func (s BrokerSettings) Validate() error {
	for _, p := range []struct {
		name string
		port int
	}{{"TCP", s.TCPPort}, {"WebSocket", s.WSPort}, {"TLS", s.TLSPort}, {"secure WebSocket", s.WSSPort}} {
		if p.port < 0 || p.port > 65535 {
			return fmt.Errorf("the %s port %d is out of range; use 1 to 65535, or 0 to turn it off", p.name, p.port)
		}
	}
	if s.TCPPort == 0 && s.WSPort == 0 && !s.TLS {
		return errors.New("every listener is off; give the TCP or WebSocket listener a port")
	}
	if net.ParseIP(s.Host) == nil && s.Host != "localhost" {
		return fmt.Errorf("bind address %q is not an IP address; use 127.0.0.1, or 0.0.0.0 for every interface", s.Host)
	}
	if s.MaxPacketSizeMiB < 0 || s.MaxPacketSizeMiB > maxPacketSizeMiB {
		return fmt.Errorf("the maximum packet size %d MiB is out of range; use 1 to %d, or 0 for the default (%d MiB)", s.MaxPacketSizeMiB, maxPacketSizeMiB, localbroker.DefaultMaxPacketSize>>20)
	}
	if s.ACLFile != "" {
		if _, err := localbroker.LoadACL(s.ACLFile); err != nil {
			return err
		}
	}
	return nil
}

// maxPacketSizeMiB is the largest whole MiB under MQTT's largest packet.
const maxPacketSizeMiB = localbroker.MaxPacketSizeLimit >> 20

// DefaultBrokerMaxPacketSizeMiB is the maximum packet size that
// BrokerSettings.MaxPacketSizeMiB 0 stands for.
const DefaultBrokerMaxPacketSizeMiB = localbroker.DefaultMaxPacketSize >> 20

// BrokerConfig turns the settings into the broker's configuration, with
// the CA and persistence files under dataDir.
func (s BrokerSettings) BrokerConfig(dataDir string) localbroker.Config {
	addr := func(port int) string {
		if port == 0 {
			return ""
		}
		return net.JoinHostPort(s.Host, strconv.Itoa(port))
	}
	cfg := localbroker.Config{TCPAddr: addr(s.TCPPort), WSAddr: addr(s.WSPort), TLS: s.TLS, CADir: filepath.Join(dataDir, "broker")}
	if s.TLS {
		cfg.TLSAddr, cfg.WSSAddr = addr(s.TLSPort), addr(s.WSSPort)
	}
	if s.Persist {
		cfg.PersistDir = filepath.Join(dataDir, "broker")
	}
	if s.Username != "" {
		cfg.Users = []localbroker.User{{Name: s.Username, Password: s.Password}}
	}
	cfg.ACLFile, cfg.MaxPacketSize = s.ACLFile, uint32(s.MaxPacketSizeMiB)<<20
	return cfg
}

// BrokerSettings returns the saved local broker settings, or the defaults.
func (a *App) BrokerSettings() BrokerSettings {
	s := DefaultBrokerSettings()
	if err := a.store.GetSetting(brokerSettingsKey, &s); err != nil && !errors.Is(err, storage.ErrNotFound) {
		a.log.Warn("broker settings unreadable; using defaults", "error", err)
		s = DefaultBrokerSettings()
	}
	pass, err := a.store.Secret(brokerPasswordKey)
	if err != nil {
		a.log.Warn("broker password unreadable", "error", err)
	}
	s.Password = pass
	return s
}

// SaveBrokerSettings checks and saves s, its password encrypted. A running
// broker keeps its old settings until it is restarted.
func (a *App) SaveBrokerSettings(s BrokerSettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := a.store.PutSecret(brokerPasswordKey, s.Password); err != nil {
		return err
	}
	return a.store.PutSetting(brokerSettingsKey, s)
}

// BrokerState is what the local broker card shows.
type BrokerState struct {
	Running       bool
	URLs          []string // what clients connect to, e.g. mqtt://127.0.0.1:1883
	Clients       int64
	Subscriptions int64
	Retained      int64
	MessagesIn    int64   // received from clients since start
	MessagesOut   int64   // delivered to clients since start
	InRate        float64 // messages per second received, over the last second
	OutRate       float64 // messages per second delivered
	Dropped       int64   // messages dropped for clients that read too slowly, since start
	SlowestClient string  // the client that lost the most of them
	Refused       int64   // connections refused (credentials, keep-alive)
	Denied        int64   // publishes and subscriptions the access list denied
	Warnings      []string
	Err           error // why the last start failed; nil after a good start
}

// LocalBroker returns the local broker's state. It does not block.
func (a *App) LocalBroker() BrokerState {
	a.mu.Lock()
	b, err := a.broker, a.brokerErr
	a.mu.Unlock()
	st := BrokerState{Err: err}
	if b == nil || !b.Running() {
		return st
	}
	st.Running = true
	for _, e := range b.Endpoints() {
		st.URLs = append(st.URLs, e.URL)
	}
	s := b.Stats()
	st.Clients, st.Subscriptions, st.Retained = s.ClientsConnected, s.Subscriptions, s.Retained
	st.MessagesIn, st.MessagesOut = s.MessagesIn, s.MessagesOut
	st.InRate, st.OutRate = s.MessagesInRate, s.MessagesOutRate
	st.Dropped, st.SlowestClient = s.MessagesDropped, mostDropped(s.DroppedByClient)
	st.Refused, st.Denied = s.Refused, s.Denied
	st.Warnings = b.Config().Warnings()
	return st
}

// mostDropped returns the client with the most drops ("" for none); ties
// go to the first ID in order.
func mostDropped(byClient map[string]int64) string {
	best := ""
	for id, n := range byClient {
		if n > byClient[best] || (n == byClient[best] && n > 0 && id < best) {
			best = id
		}
	}
	return best
}

// StartLocalBroker starts the broker with the saved settings and creates or
// updates the saved connection "Local broker" that points at it, which it
// returns. It blocks while the listeners bind, a few milliseconds.
func (a *App) StartLocalBroker(ctx context.Context) (model.Profile, error) {
	s := a.BrokerSettings()
	cfg := s.BrokerConfig(a.dir)
	cfg.Logger, cfg.MoveAsideDamaged = a.log, a.recover
	b, err := localbroker.New(cfg)
	if err == nil {
		err = a.startBroker(ctx, b)
	}
	a.mu.Lock()
	a.brokerErr = err
	a.mu.Unlock()
	if err != nil {
		return model.Profile{}, err
	}
	a.rememberBrokerOn(true)
	return a.saveLocalBrokerProfile(b, s)
}

// rememberBrokerOn keeps whether the user left the broker on, so that it
// starts again with mqttdesk (see AutoConnect).
func (a *App) rememberBrokerOn(on bool) {
	if err := a.store.PutSetting(brokerOnKey, on); err != nil {
		a.log.Warn("could not remember the local broker's switch", "error", err)
	}
}

// brokerWasOn reports whether the broker was on when mqttdesk last ran.
func (a *App) brokerWasOn() bool {
	var on bool
	_ = a.store.GetSetting(brokerOnKey, &on)
	return on
}

// RestartLocalBroker stops the running broker and starts it with the
// saved settings, as switching it off and on does.
func (a *App) RestartLocalBroker(ctx context.Context) (model.Profile, error) {
	if err := a.stopBroker(ctx); err != nil {
		return model.Profile{}, err
	}
	return a.StartLocalBroker(ctx)
}

func (a *App) startBroker(ctx context.Context, b *localbroker.Broker) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.broker != nil && a.broker.Running() {
		return localbroker.ErrRunning
	}
	if err := b.Start(ctx); err != nil {
		return err
	}
	a.broker = b
	return nil
}

// StopLocalBroker stops the broker; see localbroker.Broker.Stop. It blocks
// for at most localbroker.StopTimeout.
func (a *App) StopLocalBroker(ctx context.Context) error {
	a.rememberBrokerOn(false)
	return a.stopBroker(ctx)
}

func (a *App) stopBroker(ctx context.Context) error {
	a.mu.Lock()
	b := a.broker
	a.brokerErr = nil
	a.mu.Unlock()
	if b == nil {
		return nil
	}
	return b.Stop(ctx)
}

// LocalBrokerCA returns the PEM of the local CA the TLS listeners use.
func (a *App) LocalBrokerCA() ([]byte, error) {
	b, err := localbroker.New(a.BrokerSettings().BrokerConfig(a.dir))
	if err != nil {
		return nil, err
	}
	return b.CACertPEM()
}

// saveLocalBrokerProfile points the saved "Local broker" connection at the
// running broker's TCP listener (or WebSocket when TCP is off), creating it
// the first time.
func (a *App) saveLocalBrokerProfile(b *localbroker.Broker, s BrokerSettings) (model.Profile, error) {
	p, err := a.localBrokerProfile()
	if err != nil {
		return p, err
	}
	opts := p.Options
	if opts.Name == "" {
		opts = mqtt.NewOptions("Local broker", mqtt.SchemeMQTT, "127.0.0.1")
	}
	e, ok := b.Endpoint(mqtt.SchemeMQTT)
	if !ok {
		e, _ = b.Endpoint(mqtt.SchemeWS)
		opts.WSPath = localbroker.DefaultWSPath
	}
	opts.Scheme, opts.Host, opts.Port = e.Scheme, e.Host, e.Port
	opts.Username, opts.Password = s.Username, s.Password
	p.Options, p.LocalBroker = opts, true
	saved, err := a.store.SaveProfile(p)
	if err == nil {
		a.restart(saved) // an open connection follows the broker's new port or credentials
	}
	return saved, err
}

func (a *App) localBrokerProfile() (model.Profile, error) {
	list, err := a.store.Profiles()
	if err != nil {
		return model.Profile{}, err
	}
	for _, p := range list {
		if p.LocalBroker {
			return p, nil
		}
	}
	return model.Profile{}, nil
}
