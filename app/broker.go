package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"

	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/mqttcore"
	"github.com/mqttdesk/mqttdesk/storage"
)

const (
	brokerSettingsKey = "localBroker"
	brokerPasswordKey = "localBroker/password"
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
}

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
	return nil
}

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
	st.Warnings = b.Config().Warnings()
	return st
}

// StartLocalBroker starts the broker with the saved settings and creates or
// updates the saved connection "Local broker" that points at it, which it
// returns. It blocks while the listeners bind, a few milliseconds.
func (a *App) StartLocalBroker(ctx context.Context) (Profile, error) {
	s := a.BrokerSettings()
	b, err := localbroker.New(s.BrokerConfig(a.dir))
	if err == nil {
		err = a.startBroker(ctx, b)
	}
	a.mu.Lock()
	a.brokerErr = err
	a.mu.Unlock()
	if err != nil {
		return Profile{}, err
	}
	return a.saveLocalBrokerProfile(b, s)
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
func (a *App) saveLocalBrokerProfile(b *localbroker.Broker, s BrokerSettings) (Profile, error) {
	p, err := a.localBrokerProfile()
	if err != nil {
		return p, err
	}
	opts := p.Options
	if opts.Name == "" {
		opts = mqttcore.NewOptions("Local broker", mqttcore.SchemeMQTT, "127.0.0.1")
	}
	e, ok := b.Endpoint(mqttcore.SchemeMQTT)
	if !ok {
		e, _ = b.Endpoint(mqttcore.SchemeWS)
		opts.WSPath = localbroker.DefaultWSPath
	}
	opts.Scheme, opts.Host, opts.Port = e.Scheme, e.Host, e.Port
	opts.Username, opts.Password = s.Username, s.Password
	p.Options, p.LocalBroker = opts, true
	return a.store.SaveProfile(p)
}

func (a *App) localBrokerProfile() (Profile, error) {
	list, err := a.store.Profiles()
	if err != nil {
		return Profile{}, err
	}
	for _, p := range list {
		if p.LocalBroker {
			return p, nil
		}
	}
	return Profile{}, nil
}
