package localbroker

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/mochi-mqtt/server/v2/listeners"
)

// connectTimeout bounds how long an accepted connection may take to send its
// CONNECT packet; mochi replaces the deadline with the keep-alive after it.
const connectTimeout = 10 * time.Second

// closeWriteGrace is how long Close lets writes to clients take, the
// DISCONNECT among them: a client that stopped reading must not hold it up.
const closeWriteGrace = 250 * time.Millisecond

// ErrPortInUse is wrapped by Start when a listener's port is taken.
var ErrPortInUse = errors.New("port in use")

// listener serves one endpoint (mqtt, mqtts, ws or wss). It binds in Init so
// that a taken port is reported by Start, and it tracks every accepted
// connection so that Close can end them all, including the ones that have
// not finished their CONNECT (mochi's own listeners leave those open, which
// makes its Close hang).
type listener struct {
	id     string
	scheme string // mqtt, mqtts, ws, wss
	addr   string
	path   string // WebSocket path
	tls    *tls.Config

	ln    net.Listener
	http  *http.Server
	log   *slog.Logger
	ended func(error) // told why each connection ended; nil: nothing is

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
	// running counts connections handed to mochi. Close waits for it, so
	// that mochi's ClientsWg.Add never races its own Wait in Server.Close
	// (a data race, and a panic when a client connects at that moment).
	running sync.WaitGroup
}

var _ listeners.Listener = (*listener)(nil)

func newListener(scheme, addr, path string, tlsConf *tls.Config) *listener {
	return &listener{id: scheme, scheme: scheme, addr: addr, path: path, tls: tlsConf, conns: map[net.Conn]struct{}{}}
}

// ID returns the listener's id, which is its scheme.
func (l *listener) ID() string { return l.id }

// Protocol returns the listener's URL scheme.
func (l *listener) Protocol() string { return l.scheme }

// Address returns the bound address, with the real port when port 0 was asked.
func (l *listener) Address() string {
	if l.ln != nil {
		return l.ln.Addr().String()
	}
	return l.addr
}

// Init binds the address.
func (l *listener) Init(log *slog.Logger) error {
	l.log = log
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return bindError(l.addr, err)
	}
	if l.tls != nil {
		ln = tls.NewListener(ln, l.tls)
	}
	l.ln = ln
	return nil
}

func bindError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		_, port, _ := net.SplitHostPort(addr)
		return fmt.Errorf("port %s is in use; stop the other broker or choose another port: %w", port, ErrPortInUse)
	}
	if errors.Is(err, syscall.EADDRNOTAVAIL) {
		return fmt.Errorf("address %s is not on this machine; use 127.0.0.1 or one of this machine's addresses: %w", addr, err)
	}
	if errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("not allowed to listen on %s; choose a port above 1023: %w", addr, err)
	}
	return fmt.Errorf("listen on %s: %w", addr, err)
}

// Serve accepts connections until Close, handing each to establish.
func (l *listener) Serve(establish listeners.EstablishFn) {
	if l.scheme == "ws" || l.scheme == "wss" {
		l.serveWebSocket(establish)
		return
	}
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			return
		}
		if !l.track(conn) {
			continue
		}
		go l.establish(establish, &coarseDeadlineConn{Conn: conn})
	}
}

// establish hands conn to mochi; conn must have been tracked.
func (l *listener) establish(establish listeners.EstablishFn, conn net.Conn) {
	defer l.running.Done()
	if c, ok := conn.(*coarseDeadlineConn); ok {
		defer l.untrack(c.Conn)
	} else {
		defer l.untrack(conn)
	}
	_ = conn.SetDeadline(time.Now().Add(connectTimeout))
	err := establish(l.id, conn)
	if err != nil && l.log != nil {
		l.log.Debug("client connection ended", "listener", l.id, "remote", conn.RemoteAddr().String(), "error", err)
	}
	if l.ended != nil {
		l.ended(err)
	}
}

// track records conn before it is handed to establish, or closes it and
// returns false when the listener is closing.
func (l *listener) track(conn net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		_ = conn.Close()
		return false
	}
	l.conns[conn] = struct{}{}
	l.running.Add(1)
	return true
}

func (l *listener) untrack(conn net.Conn) {
	l.mu.Lock()
	delete(l.conns, conn)
	l.mu.Unlock()
	_ = conn.Close()
}

// Close stops accepting, asks mochi to disconnect this listener's clients
// (MQTT 5 clients get DISCONNECT 0x8B), closes every connection left (such
// as one that has not sent CONNECT yet) and waits until mochi has let go of
// them all.
func (l *listener) Close(closeClients listeners.CloseFn) {
	l.mu.Lock()
	already := l.closed
	l.closed = true
	l.mu.Unlock()
	if already {
		return
	}
	if l.http != nil {
		_ = l.http.Close()
	} else if l.ln != nil {
		_ = l.ln.Close()
	}
	l.limitWrites(time.Now().Add(closeWriteGrace))
	closeClients(l.id)
	l.closeAll()
	l.running.Wait()
}

// limitWrites sets a write deadline on every connection, so that a write
// to a client whose socket is full returns instead of blocking Close.
func (l *listener) limitWrites(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for conn := range l.conns {
		_ = conn.SetWriteDeadline(t)
	}
}

func (l *listener) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for conn := range l.conns {
		_ = conn.Close()
	}
}

// URL returns the address clients use, such as mqtt://127.0.0.1:1883 or
// ws://127.0.0.1:8083/mqtt.
func (l *listener) URL() string {
	_, port, _ := net.SplitHostPort(l.Address())
	u := l.scheme + "://" + net.JoinHostPort(l.clientHost(), port)
	if l.scheme == "ws" || l.scheme == "wss" {
		u += l.path
	}
	return u
}

// clientHost is the host a client on this machine connects to: the bound
// host, or 127.0.0.1 when bound to every interface.
func (l *listener) clientHost() string {
	host, _, _ := net.SplitHostPort(l.Address())
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return "127.0.0.1"
	}
	return host
}

// Port returns the bound port number.
func (l *listener) Port() int {
	_, port, _ := net.SplitHostPort(l.Address())
	n, _ := strconv.Atoi(port)
	return n
}
