package localbroker

import (
	"net/http"

	"github.com/gorilla/websocket"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/mqttdesk/mqttdesk/internal/wsconn"
)

// upgrader accepts the "mqtt" subprotocol that MQTT over WebSocket uses
// (MQTT 5.0 section 6). Origins are not checked: browsers are not the
// broker's clients, and it binds to loopback by default.
var upgrader = websocket.Upgrader{
	Subprotocols: []string{wsconn.Subprotocol},
	CheckOrigin:  func(*http.Request) bool { return true },
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
