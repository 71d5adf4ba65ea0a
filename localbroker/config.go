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

	// MoveAsideDamaged, when the persistence file is damaged, renames it
	// to broker.db.damaged-<time> (kept, not deleted), logs a warning
	// and starts with a fresh file (MovedAside says where it went).
	// Without it Start fails with a *DamagedFileError.
	MoveAsideDamaged bool

	// ACLFile, when set, names an access list in the syntax of mosquitto's
	// acl_file (see ACL): what each user, and anonymous clients, may
	// publish and subscribe to. New reads it, and fails with an *ACLError
	// naming the line that cannot be used.
	ACLFile string

	// MaxTopicLevels and MaxTopicLength bound topic names and filters: a
	// SUBSCRIBE beyond them is refused per filter (0x8F, 3.1.1: 0x80) and a
	// PUBLISH beyond them is refused (see README). Zero means the default,
	// DefaultMaxTopicLevels and DefaultMaxTopicLength; -1 means no bound.
	MaxTopicLevels int
	MaxTopicLength int

	// MaxPacketSize is the largest packet, in bytes, the broker accepts; it
	// is announced in CONNACK. A client that sends a larger one is
	// disconnected (MQTT 5: DISCONNECT 0x95) before its body is read.
	// Zero means DefaultMaxPacketSize.
	MaxPacketSize uint32

	// MaxQueueBytes bounds the memory of the messages held for one
	// client: waiting to be written to it while it reads slower than
	// they arrive, and QoS 1 and 2 ones sent and not yet acknowledged,
	// held back by its Receive Maximum, or queued while its persistent
	// session is offline. Each counts its topic, payload and 1 KiB of
	// bookkeeping. Beyond it messages to that client are dropped (the
	// newest; the ones held are kept), counted in Stats and logged; one
	// message alone always fits. Zero means DefaultMaxQueueBytes; -1
	// means no bound.
	MaxQueueBytes int64

	// MaxKeepAlive, when not zero, is the longest keep-alive in seconds the
	// broker allows. MQTT 5 clients asking for none or a longer one are
	// given this one, which CONNACK says (Server Keep Alive); 3.1.1
	// clients, who cannot be told, are refused (0x02, as mosquitto does).
	MaxKeepAlive uint16

	// Logger receives the broker's log; nothing is logged when nil.
	Logger *slog.Logger
}

// Default bounds on topics. mosquitto refuses more than 200 "/" (201
// levels); every level of a filter is a node of the topic index, so one
// SUBSCRIBE of a few KB of "/" cost megabytes and, before the index walked
// levels in one pass, seconds of CPU under its lock. 4 KiB is sixteen
// times AWS IoT's 256-byte limit and far longer than any topic scheme.
//
// The default queue holds a burst of over 100,000 small messages (or
// 128 of 1 MiB) for a client that is not reading, not acknowledging or
// offline; only such a client's messages take that memory.
//
// MaxPacketSizeLimit is the largest packet MQTT can describe.
//
// The default maximum packet size holds a 16 MiB payload, the largest
// the window shows whole, with room to spare; MQTT allows 256 MiB.
const (
	DefaultMaxPacketSize  = 32 << 20
	MaxPacketSizeLimit    = 268435455
	DefaultMaxQueueBytes  = 128 << 20
	DefaultMaxTopicLevels = 200
	DefaultMaxTopicLength = 4096
)

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
	c.MaxPacketSize = orDefault(c.MaxPacketSize, DefaultMaxPacketSize)
	if c.MaxPacketSize > MaxPacketSizeLimit {
		return c, fmt.Errorf("localbroker: maximum packet size %d bytes: MQTT packets are at most %d bytes (256 MiB)", c.MaxPacketSize, MaxPacketSizeLimit)
	}
	c.MaxQueueBytes = orDefault(c.MaxQueueBytes, DefaultMaxQueueBytes)
	c.MaxTopicLevels = orDefault(c.MaxTopicLevels, DefaultMaxTopicLevels)
	c.MaxTopicLength = orDefault(c.MaxTopicLength, DefaultMaxTopicLength)
	for _, u := range c.Users {
		if u.Name == "" {
			return c, errors.New("localbroker: a user needs a name")
		}
	}
	return c, nil
}

// orDefault returns def when v is 0, else v.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
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
