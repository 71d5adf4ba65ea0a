package localbroker

import (
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// upgrader accepts the "mqtt" subprotocol that MQTT over WebSocket uses
// (MQTT 5.0 section 6). Origins are not checked: browsers are not the
// broker's clients, and it binds to loopback by default.
var upgrader = websocket.Upgrader{
	Subprotocols: []string{"mqtt"},
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
	conn := &wsConn{Conn: ws.NetConn(), ws: ws}
	if !l.track(conn) {
		return
	}
	l.establish(establish, conn)
}

// wsConn carries MQTT's byte stream over WebSocket binary messages.
type wsConn struct {
	net.Conn
	ws        *websocket.Conn
	r         io.Reader // the message being read, nil between messages
	closeOnce sync.Once
}

var errTextFrame = errors.New("websocket: MQTT needs binary messages, got text")

// Read reads the stream across message boundaries.
func (c *wsConn) Read(p []byte) (int, error) {
	for {
		if c.r == nil {
			kind, r, err := c.ws.NextReader()
			if err != nil {
				return 0, err
			}
			if kind != websocket.BinaryMessage {
				return 0, errTextFrame
			}
			c.r = r
		}
		n, err := c.r.Read(p)
		if errors.Is(err, io.EOF) {
			c.r = nil
			if n == 0 {
				continue
			}
			return n, nil
		}
		return n, err
	}
}

// Write sends p as one binary message.
func (c *wsConn) Write(p []byte) (int, error) {
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// closeLinger bounds how long a closing connection waits for the client
// to answer the close frame.
const closeLinger = time.Second

// Close performs the WebSocket closing handshake: it sends a close frame
// (normal closure), stops sending, and lets the client answer before the
// socket closes, so that clients see a clean close rather than an abnormal
// one (1006) or a reset. It does not wait for the client; it is safe to
// call from any goroutine, more than once.
func (c *wsConn) Close() error {
	c.closeOnce.Do(func() {
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeLinger))
		if hc, ok := c.Conn.(interface{ CloseWrite() error }); ok && hc.CloseWrite() == nil {
			go c.lingerThenClose()
			return
		}
		_ = c.Conn.Close()
	})
	return nil
}

// lingerThenClose drains what the client still sends (its close frame)
// until it closes or closeLinger passes, then closes the socket.
func (c *wsConn) lingerThenClose() {
	_ = c.Conn.SetReadDeadline(time.Now().Add(closeLinger))
	_, _ = io.Copy(io.Discard, c.Conn)
	_ = c.Conn.Close()
}

// SetDeadline sets the read deadline only, which is what keep-alive and the
// CONNECT timeout need. gorilla/websocket's write deadline may not be set
// while another goroutine writes, and mochi sets deadlines from its reader.
func (c *wsConn) SetDeadline(t time.Time) error {
	return c.ws.SetReadDeadline(t)
}
