package localbroker

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
)

// Default listener addresses. All bind to loopback so that a broker started
// with one click is not reachable from the network.
const (
	DefaultTCPAddr = "127.0.0.1:1883"
	DefaultWSAddr  = "127.0.0.1:8083"
	DefaultTLSAddr = "127.0.0.1:8883"
	DefaultWSSAddr = "127.0.0.1:8084"
	DefaultWSPath  = "/mqtt"
)

// User is one username and password the broker accepts.
type User struct {
	Name     string
	Password string
}

// Config says where the broker listens and how it behaves. An empty address
// turns that listener off; DefaultConfig fills in the usual ones.
type Config struct {
	TCPAddr string // plain MQTT, e.g. 127.0.0.1:1883; port 0 picks a free port
	WSAddr  string // MQTT over WebSocket
	WSPath  string // HTTP path of the WebSocket listeners; DefaultWSPath when empty

	// TLS turns on the TLS and secure WebSocket listeners. Their certificate
	// is signed by a local CA that is created in CADir on first use.
	TLS     bool
	TLSAddr string // MQTT over TLS; DefaultTLSAddr when empty and TLS is on
	WSSAddr string // MQTT over secure WebSocket; DefaultWSSAddr when empty and TLS is on
	CADir   string // where the local CA is kept; required when TLS is on

	// Users, when not empty, are the only credentials accepted; anonymous
	// clients are refused. When empty, every client is accepted.
	Users []User

	// PersistDir, when set, keeps retained messages and persistent sessions
	// (with their queued QoS 1 and 2 messages) in a file in that directory,
	// so that they survive a restart.
	PersistDir string

	// Logger receives the broker's log; nothing is logged when nil.
	Logger *slog.Logger
}

// DefaultConfig returns the configuration of the one-click broker: TCP and
// WebSocket on loopback, anonymous access, no TLS, no persistence.
func DefaultConfig() Config {
	return Config{TCPAddr: DefaultTCPAddr, WSAddr: DefaultWSAddr, WSPath: DefaultWSPath}
}

// ErrNoListener is returned by New when every listener is turned off.
var ErrNoListener = errors.New("localbroker: no listener configured")

// withDefaults fills in what an empty field means and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.WSPath == "" {
		c.WSPath = DefaultWSPath
	}
	if !strings.HasPrefix(c.WSPath, "/") {
		c.WSPath = "/" + c.WSPath
	}
	if c.TLS {
		if c.TLSAddr == "" {
			c.TLSAddr = DefaultTLSAddr
		}
		if c.WSSAddr == "" {
			c.WSSAddr = DefaultWSSAddr
		}
		if c.CADir == "" {
			return c, errors.New("localbroker: TLS needs a directory for the local CA")
		}
	} else {
		c.TLSAddr, c.WSSAddr = "", ""
	}
	if c.TCPAddr == "" && c.WSAddr == "" && c.TLSAddr == "" && c.WSSAddr == "" {
		return c, ErrNoListener
	}
	for _, addr := range []string{c.TCPAddr, c.WSAddr, c.TLSAddr, c.WSSAddr} {
		if err := checkAddr(addr); err != nil {
			return c, err
		}
	}
	for _, u := range c.Users {
		if u.Name == "" {
			return c, errors.New("localbroker: a user needs a name")
		}
	}
	return c, nil
}

func checkAddr(addr string) error {
	if addr == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("localbroker: listen address %q: use host:port, for example 127.0.0.1:1883", addr)
	}
	return nil
}

// Warnings lists what a user should know about this configuration before
// relying on it, in plain sentences. Today that is one case: listeners on
// non-loopback addresses with no credentials, which let anyone on the
// network publish and subscribe.
func (c Config) Warnings() []string {
	if len(c.Users) > 0 {
		return nil
	}
	var open []string
	for _, addr := range []string{c.TCPAddr, c.WSAddr, c.TLSAddr, c.WSSAddr} {
		if addr != "" && !isLoopback(addr) {
			open = append(open, addr)
		}
	}
	switch len(open) {
	case 0:
		return nil
	case 1:
		return []string{fmt.Sprintf("listening on %s without credentials: anyone who can reach this address can publish and subscribe; add a user or bind to 127.0.0.1", open[0])}
	}
	list := strings.Join(open[:len(open)-1], ", ") + " and " + open[len(open)-1]
	return []string{fmt.Sprintf("listening on %s without credentials: anyone who can reach these addresses can publish and subscribe; add a user or bind to 127.0.0.1", list)}
}

// isLoopback reports whether addr binds to loopback only. An empty host
// (":1883") or 0.0.0.0 binds to every interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
