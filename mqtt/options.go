package mqtt

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Protocol versions a connection can speak.
const (
	MQTT5   = "5.0"
	MQTT311 = "3.1.1"
)

// Schemes a connection can use.
const (
	SchemeMQTT  = "mqtt"  // TCP
	SchemeMQTTS = "mqtts" // TLS
	SchemeWS    = "ws"    // WebSocket
	SchemeWSS   = "wss"   // WebSocket over TLS
)

// Proxy kinds.
const (
	ProxyNone   = ""
	ProxySOCKS5 = "socks5"
	ProxyHTTP   = "http" // HTTP CONNECT
)

// Options describe one saved connection. It is a plain value: storage saves
// it as JSON and the UI edits it. Fields tagged json:"-" are secrets that
// storage keeps encrypted apart from the rest.
type Options struct {
	Name    string `json:"name"`
	Scheme  string `json:"scheme"`
	Host    string `json:"host"`
	Port    int    `json:"port"`
	WSPath  string `json:"wsPath,omitempty"` // "/mqtt" when empty
	Version string `json:"version"`          // MQTT5 or MQTT311

	// ClientID is sent as is; when empty, "mqttdesk_" and random characters
	// are used. ClientIDTimestamp appends "_" and the Unix time in
	// milliseconds at every connect.
	ClientID          string `json:"clientId,omitempty"`
	ClientIDTimestamp bool   `json:"clientIdTimestamp,omitempty"`
	Username          string `json:"username,omitempty"`
	Password          string `json:"-"`
	KeepAlive         int    `json:"keepAlive"`      // seconds; 0 turns keep-alive off
	ConnectTimeout    int    `json:"connectTimeout"` // seconds; 10 when 0
	Clean             bool   `json:"clean"`          // clean start (5.0) or clean session (3.1.1)

	Reconnect Reconnect `json:"reconnect"`

	// MaximumPacketSize is the largest packet, in bytes, the connection
	// accepts from the broker (DefaultMaximumPacketSize when 0), in both
	// versions; MQTT 5 sends it in CONNECT, so that the broker drops larger
	// messages for this client instead of sending them. A larger packet
	// closes the connection.
	MaximumPacketSize uint32 `json:"maximumPacketSize,omitempty"`

	// MQTT 5 CONNECT properties. Zero means "not sent".
	SessionExpiry       uint32         `json:"sessionExpiry,omitempty"` // seconds
	ReceiveMaximum      uint16         `json:"receiveMaximum,omitempty"`
	TopicAliasMaximum   uint16         `json:"topicAliasMaximum,omitempty"`
	RequestResponseInfo bool           `json:"requestResponseInfo,omitempty"`
	NoProblemInfo       bool           `json:"noProblemInfo,omitempty"` // sends Request Problem Information = 0
	UserProperties      []UserProperty `json:"userProperties,omitempty"`

	Will      *Will             `json:"will,omitempty"`
	TLS       TLSOptions        `json:"tls"`
	WSHeaders map[string]string `json:"wsHeaders,omitempty"` // extra HTTP headers of the WebSocket upgrade
	Proxy     ProxyOptions      `json:"proxy"`
}

// Reconnect says whether and how a lost connection is tried again. The
// delay starts at InitialDelay and doubles up to MaxDelay.
type Reconnect struct {
	Enabled      bool          `json:"enabled"`
	InitialDelay time.Duration `json:"initialDelay"` // 1 s when 0
	MaxDelay     time.Duration `json:"maxDelay"`     // 30 s when 0
	MaxAttempts  int           `json:"maxAttempts"`  // 0: forever
}

// Will is the message the broker publishes when the connection is lost
// without a DISCONNECT.
type Will struct {
	Topic      string     `json:"topic"`
	Payload    []byte     `json:"payload,omitempty"`
	QoS        byte       `json:"qos"`
	Retain     bool       `json:"retain,omitempty"`
	Delay      uint32     `json:"delay,omitempty"` // MQTT 5 will delay interval, seconds
	Properties Properties `json:"properties"`      // MQTT 5: payload format, expiry, content type, response topic, correlation data, user properties
}

// TLSOptions set up mqtts and wss connections.
type TLSOptions struct {
	// Insecure skips verifying the broker's certificate. It must be chosen
	// explicitly; verification is on by default.
	Insecure      bool     `json:"insecure,omitempty"`
	CAFile        string   `json:"caFile,omitempty"`   // PEM; the system's CAs when empty
	CertFile      string   `json:"certFile,omitempty"` // client certificate, PEM
	KeyFile       string   `json:"keyFile,omitempty"`  // its key: PEM, PKCS#1, SEC 1 or PKCS#8, encrypted or not
	KeyPassphrase string   `json:"-"`
	ServerName    string   `json:"serverName,omitempty"` // SNI and the name verified; the host when empty
	ALPN          []string `json:"alpn,omitempty"`
	MinVersion    string   `json:"minVersion,omitempty"` // "1.2" (default) or "1.3"
}

// ProxyOptions route the connection through a SOCKS5 or HTTP CONNECT proxy.
type ProxyOptions struct {
	Kind     string `json:"kind,omitempty"` // ProxyNone, ProxySOCKS5 or ProxyHTTP
	Host     string `json:"host,omitempty"`
	Port     int    `json:"port,omitempty"`
	Username string `json:"username,omitempty"`
	Password string `json:"-"`
}

// DefaultPort returns the usual port for scheme.
func DefaultPort(scheme string) int {
	switch scheme {
	case SchemeMQTTS:
		return 8883
	case SchemeWS:
		return 8083
	case SchemeWSS:
		return 8084
	}
	return 1883
}

// NewOptions returns options for a connection to host on the scheme's usual
// port: MQTT 5, clean start, 60 s keep-alive, 10 s connect timeout, and
// reconnecting from 1 s up to 30 s apart, forever.
func NewOptions(name, scheme, host string) Options {
	o := Options{
		Name: name, Scheme: scheme, Host: host, Port: DefaultPort(scheme), Version: MQTT5,
		KeepAlive: 60, ConnectTimeout: 10, Clean: true,
		Reconnect: Reconnect{Enabled: true, InitialDelay: time.Second, MaxDelay: 30 * time.Second},
	}
	if scheme == SchemeWS || scheme == SchemeWSS {
		o.WSPath = "/mqtt"
	}
	return o
}

// URL returns the address the options connect to, such as
// mqtt://127.0.0.1:1883 or ws://broker:8083/mqtt.
func (o Options) URL() string {
	u := o.Scheme + "://" + net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	if o.IsWebSocket() {
		u += o.WebSocketPath()
	}
	return u
}

// IsWebSocket reports whether the connection goes over WebSocket.
func (o Options) IsWebSocket() bool { return o.Scheme == SchemeWS || o.Scheme == SchemeWSS }

// IsTLS reports whether the connection is encrypted with TLS.
func (o Options) IsTLS() bool { return o.Scheme == SchemeMQTTS || o.Scheme == SchemeWSS }

// Addr returns the broker's host:port.
func (o Options) Addr() string { return net.JoinHostPort(o.Host, strconv.Itoa(o.Port)) }

// WebSocketPath returns the path of the WebSocket upgrade: WSPath with a
// leading slash, "/mqtt" when empty.
func (o Options) WebSocketPath() string {
	path := o.WSPath
	if path == "" {
		path = "/mqtt"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return path
}

// DefaultMaximumPacketSize is the largest packet a connection accepts from
// its broker unless its options say otherwise: 64 MiB, room for any
// message a device or a tester sends, while a broken or hostile broker
// cannot make mqttdesk reserve the 256 MiB a packet header can claim.
const DefaultMaximumPacketSize = 64 << 20

// PacketSizeLimit returns the largest packet the connection accepts:
// MaximumPacketSize, or DefaultMaximumPacketSize when it is 0.
func (o Options) PacketSizeLimit() uint32 {
	if o.MaximumPacketSize == 0 {
		return DefaultMaximumPacketSize
	}
	return o.MaximumPacketSize
}

// Timeout returns how long a connection attempt may take: ConnectTimeout
// seconds, 10 when 0.
func (o Options) Timeout() time.Duration {
	if o.ConnectTimeout <= 0 {
		return 10 * time.Second
	}
	return time.Duration(o.ConnectTimeout) * time.Second
}

// AttemptClientID returns the client ID for one connection attempt:
// ClientID, or a generated one, with the time appended when asked.
func (o Options) AttemptClientID() string {
	id := o.ClientID
	if id == "" {
		id = GenerateClientID()
	}
	if o.ClientIDTimestamp {
		id += "_" + strconv.FormatInt(time.Now().UnixMilli(), 10)
	}
	return id
}

// GenerateClientID returns "mqttdesk_" and 8 random hex characters.
func GenerateClientID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "mqttdesk_" + hex.EncodeToString(b)
}

// Validate reports the first problem that would stop a connection from
// being tried, as a sentence a user can act on.
func (o Options) Validate() error {
	checks := []func() error{o.validateAddress, o.validateSession, o.validateWill, o.validateProxy}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (o Options) validateAddress() error {
	switch o.Scheme {
	case SchemeMQTT, SchemeMQTTS, SchemeWS, SchemeWSS:
	default:
		return fmt.Errorf("scheme %q is not one of mqtt, mqtts, ws or wss", o.Scheme)
	}
	if strings.TrimSpace(o.Host) == "" {
		return errors.New("the host is empty; enter a broker's name or address")
	}
	if o.Port < 1 || o.Port > 65535 {
		return fmt.Errorf("port %d is out of range; use 1 to 65535", o.Port)
	}
	return nil
}

func (o Options) validateSession() error {
	if o.Version != MQTT5 && o.Version != MQTT311 {
		return fmt.Errorf("MQTT version %q is not 5.0 or 3.1.1", o.Version)
	}
	if o.KeepAlive < 0 || o.KeepAlive > 65535 {
		return fmt.Errorf("keep-alive %d s is out of range; use 0 to 65535", o.KeepAlive)
	}
	if len(o.ClientID) > 65535 || !utf8.ValidString(o.ClientID) {
		return errors.New("the client ID must be valid UTF-8 and at most 65535 bytes")
	}
	if o.Reconnect.MaxAttempts < 0 {
		return errors.New("maximum reconnect attempts cannot be negative; use 0 for forever")
	}
	return nil
}

func (o Options) validateWill() error {
	if o.Will == nil {
		return nil
	}
	if err := ValidateTopicName(o.Will.Topic); err != nil {
		return fmt.Errorf("will topic: %w", err)
	}
	if o.Will.QoS > 2 {
		return fmt.Errorf("will QoS %d is not 0, 1 or 2", o.Will.QoS)
	}
	return nil
}

func (o Options) validateProxy() error {
	switch o.Proxy.Kind {
	case ProxyNone:
		return nil
	case ProxySOCKS5, ProxyHTTP:
	default:
		return fmt.Errorf("proxy kind %q is not socks5 or http", o.Proxy.Kind)
	}
	if strings.TrimSpace(o.Proxy.Host) == "" || o.Proxy.Port < 1 || o.Proxy.Port > 65535 {
		return errors.New("the proxy needs a host and a port from 1 to 65535")
	}
	return nil
}
