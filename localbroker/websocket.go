package localbroker

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/websocket"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/mqttdesk/mqttdesk/internal/wsconn"
)

// upgrader accepts the "mqtt" subprotocol that MQTT over WebSocket uses
// (MQTT 5.0 section 6), from the origins sameMachineOrSite allows.
var upgrader = websocket.Upgrader{
	Subprotocols: []string{wsconn.Subprotocol},
	CheckOrigin:  sameMachineOrSite,
}

// sameMachineOrSite allows a WebSocket upgrade that a web page of this
// machine (localhost, a loopback address) or of the broker's own host
// asks for, and one that no browser asks for (no Origin: mosquitto's
// clients, MQTT.js under Node). A page of any other site is refused: a
// browser on the laptop reaches 127.0.0.1, so binding to loopback does
// not keep a hostile page off the broker.
func sameMachineOrSite(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	own := r.Host
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		own = h
	}
	return strings.EqualFold(host, strings.Trim(own, "[]"))
}

func (l *listener) serveWebSocket(establish listeners.EstablishFn) {
	mux := http.NewServeMux()
	mux.HandleFunc(l.path, func(w http.ResponseWriter, r *http.Request) {
		l.serveUpgrade(establish, w, r)
	})
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.http = &http.Server{Handler: mux, ReadHeaderTimeout: connectTimeout}
	l.mu.Unlock()
	_ = l.http.Serve(l.ln) // the listener is already wrapped in TLS for wss
}

func (l *listener) serveUpgrade(establish listeners.EstablishFn, w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	conn := wsconn.New(ws)
	if !l.track(conn) {
		return
	}
	l.establish(establish, conn)
}
