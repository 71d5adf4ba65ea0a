package localbroker

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/storage/bolt"
)

// StopTimeout is the longest Stop takes, however clients behave.
const StopTimeout = 2 * time.Second

// PersistFile is the broker's own data file inside Config.PersistDir,
// apart from mqttdesk's message history.
const PersistFile = "broker.db"

// Sentinel errors callers may test with errors.Is.
var (
	ErrRunning     = errors.New("localbroker: already running")
	ErrStopTimeout = errors.New("localbroker: clients did not disconnect in time")
)

// Broker is an embedded MQTT 3.1, 3.1.1 and 5.0 broker. Its methods are
// safe for concurrent use. A Broker can be started again after Stop.
type Broker struct {
	cfg Config
	log *slog.Logger

	mu        sync.Mutex
	srv       *mqtt.Server
	listeners []*listener
	ca        *localCA
	rates     *rateSampler
	started   time.Time
	sysCount  int64 // retained $SYS topics, counted once per start
}

// Endpoint is one address the running broker listens on.
type Endpoint struct {
	Scheme string // mqtt, mqtts, ws or wss
	Addr   string // host:port as bound, with the real port when 0 was asked
	Host   string // the host clients use: 127.0.0.1 when bound to every interface
	Port   int
	URL    string // what a client connects to, e.g. ws://127.0.0.1:8083/mqtt
}

// New checks cfg and returns a stopped broker.
func New(cfg Config) (*Broker, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Broker{cfg: cfg, log: log}, nil
}

// Config returns the broker's configuration with defaults filled in.
func (b *Broker) Config() Config { return b.cfg }

// Start binds every configured listener and starts serving. It returns
// ErrPortInUse (wrapped, naming the port) when a port is taken, and
// ErrRunning when the broker is already running. It does not block.
func (b *Broker) Start(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.srv != nil {
		return ErrRunning
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	srv, lns, err := b.build()
	if err != nil {
		return err
	}
	if err := srv.Serve(); err != nil {
		_ = srv.Close()
		return fmt.Errorf("localbroker: start: %w", err)
	}
	b.srv, b.listeners, b.started, b.sysCount = srv, lns, time.Now(), 0
	b.rates = startRateSampler(srv.Info)
	for _, w := range b.cfg.Warnings() {
		b.log.Warn(w)
	}
	return nil
}

// build makes a mochi server with our hooks and bound listeners. On error
// nothing stays bound.
func (b *Broker) build() (*mqtt.Server, []*listener, error) {
	srv := mqtt.New(b.serverOptions())
	if err := b.addHooks(srv); err != nil {
		return nil, nil, err
	}
	lns, err := b.newListeners()
	if err != nil {
		return nil, nil, err
	}
	for i, l := range lns {
		if err := srv.AddListener(l); err != nil {
			for _, bound := range lns[:i] {
				bound.Close(func(string) {})
			}
			return nil, nil, fmt.Errorf("localbroker: %w", err)
		}
	}
	return srv, lns, nil
}

func (b *Broker) serverOptions() *mqtt.Options {
	caps := mqtt.NewDefaultServerCapabilities()
	// mochi expires messages after a day by default; a local test broker
	// keeps retained messages until they are replaced, like mosquitto.
	caps.MaximumMessageExpiryInterval = 10 * 365 * 24 * 3600
	// Writes gather up to 64 KiB while packets wait, in a buffer made
	// only then. The read buffer is made for every client on connect and
	// kept: 4 KiB holds about fifty small PUBLISH packets per read, and a
	// thousand idle clients do not hold 64 MiB.
	return &mqtt.Options{
		Capabilities:             caps,
		Logger:                   b.log,
		ClientNetWriteBufferSize: 64 * 1024,
		ClientNetReadBufferSize:  4 * 1024,
	}
}

func (b *Broker) addHooks(srv *mqtt.Server) error {
	if err := srv.AddHook(&authHook{users: b.cfg.Users}, nil); err != nil {
		return fmt.Errorf("localbroker: auth: %w", err)
	}
	if err := srv.AddHook(&complianceHook{}, nil); err != nil {
		return fmt.Errorf("localbroker: compliance hook: %w", err)
	}
	if b.cfg.PersistDir == "" {
		return nil
	}
	if err := os.MkdirAll(b.cfg.PersistDir, 0o700); err != nil {
		return fmt.Errorf("localbroker: persistence directory: %w", err)
	}
	path := filepath.Join(b.cfg.PersistDir, PersistFile)
	if err := srv.AddHook(newPersistHook(), &bolt.Options{Path: path}); err != nil {
		return fmt.Errorf("localbroker: open %s (is another broker using it?): %w", path, err)
	}
	return nil
}

func (b *Broker) newListeners() ([]*listener, error) {
	var lns []*listener
	add := func(scheme, addr string) {
		if addr != "" {
			lns = append(lns, newListener(scheme, addr, b.cfg.WSPath, nil))
		}
	}
	add("mqtt", b.cfg.TCPAddr)
	add("ws", b.cfg.WSAddr)
	if !b.cfg.TLS {
		return lns, nil
	}
	tlsConf, err := b.serverTLS()
	if err != nil {
		return nil, err
	}
	lns = append(lns, newListener("mqtts", b.cfg.TLSAddr, b.cfg.WSPath, tlsConf))
	lns = append(lns, newListener("wss", b.cfg.WSSAddr, b.cfg.WSPath, tlsConf))
	return lns, nil
}

func (b *Broker) serverTLS() (*tls.Config, error) {
	ca, err := loadOrCreateCA(b.cfg.CADir)
	if err != nil {
		return nil, err
	}
	b.ca = ca
	var hosts []string
	for _, addr := range []string{b.cfg.TLSAddr, b.cfg.WSSAddr} {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			hosts = append(hosts, host)
		}
	}
	return ca.serverTLS(hosts)
}

// Stop disconnects every client (MQTT 5 clients get DISCONNECT with reason
// 0x8B, server shutting down), closes the listeners and, with persistence,
// the data file. It returns within StopTimeout or when ctx ends, whichever
// is first; ErrStopTimeout then says clients were cut off rather than
// closed cleanly. Stopping a stopped broker does nothing.
func (b *Broker) Stop(ctx context.Context) error {
	b.mu.Lock()
	srv, lns, rates := b.srv, b.listeners, b.rates
	b.srv, b.listeners, b.rates = nil, nil, nil
	b.mu.Unlock()
	if srv == nil {
		return nil
	}
	rates.stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Close()
	}()
	ctx, cancel := context.WithTimeout(ctx, StopTimeout-100*time.Millisecond)
	defer cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, l := range lns {
			l.closeAll()
		}
		return ErrStopTimeout
	}
}

// Running reports whether the broker is serving.
func (b *Broker) Running() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.srv != nil
}

// Endpoints lists the addresses the running broker listens on; none when
// it is stopped.
func (b *Broker) Endpoints() []Endpoint {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Endpoint, 0, len(b.listeners))
	for _, l := range b.listeners {
		out = append(out, Endpoint{Scheme: l.scheme, Addr: l.Address(), Host: l.clientHost(), Port: l.Port(), URL: l.URL()})
	}
	return out
}

// Endpoint returns the running broker's endpoint for scheme (mqtt, mqtts,
// ws or wss), and false when that listener is not running.
func (b *Broker) Endpoint(scheme string) (Endpoint, bool) {
	for _, e := range b.Endpoints() {
		if e.Scheme == scheme {
			return e, true
		}
	}
	return Endpoint{}, false
}

// CACertPEM returns the local CA's certificate in PEM form, creating the CA
// if needed, so that clients can be told to trust the TLS listeners.
func (b *Broker) CACertPEM() ([]byte, error) {
	if b.cfg.CADir == "" {
		return nil, errors.New("localbroker: no CA directory configured")
	}
	ca, err := loadOrCreateCA(b.cfg.CADir)
	if err != nil {
		return nil, err
	}
	return ca.certPEM, nil
}
