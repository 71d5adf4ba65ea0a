package mqttcore

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
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

// Options describe one saved connection. It is a plain value: storage saves
// it and the UI edits it. Password is a secret; storage never writes it in
// plain text.
type Options struct {
	Name      string `json:"name"`
	Scheme    string `json:"scheme"`
	Host      string `json:"host"`
	Port      int    `json:"port"`
	WSPath    string `json:"wsPath,omitempty"`
	Version   string `json:"version"`
	ClientID  string `json:"clientId,omitempty"`
	Username  string `json:"username,omitempty"`
	Password  string `json:"-"`
	KeepAlive int    `json:"keepAlive"` // seconds
	Clean     bool   `json:"clean"`     // clean start (5.0) or clean session (3.1.1)
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
// port, speaking MQTT 5 with a clean start and a 60 s keep-alive.
func NewOptions(name, scheme, host string) Options {
	o := Options{Name: name, Scheme: scheme, Host: host, Port: DefaultPort(scheme), Version: MQTT5, KeepAlive: 60, Clean: true}
	if scheme == SchemeWS || scheme == SchemeWSS {
		o.WSPath = "/mqtt"
	}
	return o
}

// URL returns the address the options connect to, such as
// mqtt://127.0.0.1:1883 or ws://broker:8083/mqtt.
func (o Options) URL() string {
	u := o.Scheme + "://" + net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	if o.Scheme == SchemeWS || o.Scheme == SchemeWSS {
		path := o.WSPath
		if path == "" {
			path = "/mqtt"
		}
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		u += path
	}
	return u
}

// Validate reports the first problem that would stop a connection from
// being tried, as a sentence a user can act on.
func (o Options) Validate() error {
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
	if o.Version != MQTT5 && o.Version != MQTT311 {
		return fmt.Errorf("MQTT version %q is not 5.0 or 3.1.1", o.Version)
	}
	if o.KeepAlive < 0 || o.KeepAlive > 65535 {
		return fmt.Errorf("keep-alive %d s is out of range; use 0 to 65535", o.KeepAlive)
	}
	return nil
}
