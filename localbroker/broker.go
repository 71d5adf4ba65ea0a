package localbroker

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
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
	acl *ACL // from cfg.ACLFile; nil without one

	mu         sync.Mutex
	srv        *mqtt.Server
	listeners  []*listener
	ca         *localCA
	rates      *rateSampler
	drops      *dropHook
	aclHook    *aclHook
	auth       *authHook
	memory     *memoryHook
	refusals   atomic.Int64 // connections refused since the last Start
	started    time.Time
	sysCount   int64  // retained $SYS topics, counted once per start
	movedAside string // where Start moved a damaged persistence file
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
	b := &Broker{cfg: cfg, log: log}
	if cfg.ACLFile != "" {
		if b.acl, err = LoadACL(cfg.ACLFile); err != nil {
			return nil, err
		}
	}
	return b, nil
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
	b.movedAside = ""
	srv, lns, err := b.serve()
	if retry, rerr := b.recoverDamaged(err); retry {
		srv, lns, err = b.serve()
	} else {
		err = rerr
	}
	if err != nil {
		return err
	}
	b.srv, b.listeners, b.started, b.sysCount = srv, lns, time.Now(), 0
	b.refusals.Store(0)
	drops := b.drops
	b.rates = startRateSampler(srv.Info, func() { b.reportDrops(drops) })
	for _, w := range b.cfg.Warnings() {
		b.log.Warn(w)
	}
	return nil
}

// serve builds a server and starts it serving; on error nothing stays
// bound or open.
func (b *Broker) serve() (*mqtt.Server, []*listener, error) {
	b.drops = newDropHook()
	srv, lns, err := b.build()
	if err != nil {
		return nil, nil, err
	}
	if err := srv.Serve(); err != nil {
		_ = srv.Close()
		return nil, nil, b.serveError(err)
	}
	return srv, lns, nil
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
	caps.MaximumMessageExpiryInterval = maxMessageExpiry
	// Acks do not echo the properties of the packet they acknowledge.
	caps.Compatibilities.NoInheritedPropertiesOnAck = true
	caps.MaximumTopicLevels, caps.MaximumTopicLength = max(0, b.cfg.MaxTopicLevels), max(0, b.cfg.MaxTopicLength)
	caps.MaximumPacketSize = b.cfg.MaxPacketSize
	// Slow clients' queues are bounded by memory, not by a count.
	caps.MaximumClientWritesPending = math.MaxInt32
	caps.MaximumClientWritesPendingBytes = max(0, b.cfg.MaxQueueBytes)
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
	b.auth = newAuthHook(b.cfg.Users, b.log, &b.refusals)
	if err := srv.AddHook(b.auth, nil); err != nil {
		return fmt.Errorf("localbroker: auth: %w", err)
	}
	b.aclHook = newACLHook(b.acl, b.log)
	if err := srv.AddHook(b.aclHook, nil); err != nil {
		return fmt.Errorf("localbroker: access list hook: %w", err)
	}
	if err := srv.AddHook(&complianceHook{maxPacketSize: b.cfg.MaxPacketSize}, nil); err != nil {
		return fmt.Errorf("localbroker: compliance hook: %w", err)
	}
	if err := srv.AddHook(&keepAliveHook{max: b.cfg.MaxKeepAlive, log: b.log, refusals: &b.refusals}, nil); err != nil {
		return fmt.Errorf("localbroker: keep-alive hook: %w", err)
	}
	if err := srv.AddHook(b.drops, nil); err != nil {
		return fmt.Errorf("localbroker: drop hook: %w", err)
	}
	b.memory = newMemoryHook()
	if err := srv.AddHook(b.memory, nil); err != nil {
		return fmt.Errorf("localbroker: memory hook: %w", err)
	}
	if b.cfg.PersistDir == "" {
		return nil
	}
	return b.addPersistHook(srv)
}

func (b *Broker) newListeners() ([]*listener, error) {
	var lns []*listener
	add := func(scheme, addr string, tlsConf *tls.Config) {
		if addr != "" {
			l := newListener(scheme, addr, b.cfg.WSPath, tlsConf)
			l.ended = b.memory.connectionEnded
			lns = append(lns, l)
		}
	}
	add("mqtt", b.cfg.TCPAddr, nil)
	add("ws", b.cfg.WSAddr, nil)
	if !b.cfg.TLS {
		return lns, nil
	}
	tlsConf, err := b.serverTLS()
	if err != nil {
		return nil, err
	}
	add("mqtts", b.cfg.TLSAddr, tlsConf)
	add("wss", b.cfg.WSSAddr, tlsConf)
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
	srv, lns, rates, auth := b.srv, b.listeners, b.rates, b.auth
	b.srv, b.listeners, b.rates = nil, nil, nil
	b.mu.Unlock()
	if srv == nil {
		return nil
	}
	rates.stop()
	auth.close() // answer the logins waiting out a refusal slow-down now
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
