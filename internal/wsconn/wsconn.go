// Package wsconn carries MQTT's byte stream over WebSocket binary messages
// as a net.Conn, for the broker's WebSocket listeners and the client's ws
// and wss connections alike. It imports nothing of mqttdesk's.
package wsconn

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Subprotocol is the WebSocket subprotocol MQTT uses (MQTT 5.0 section 6).
const Subprotocol = "mqtt"

// closeLinger bounds how long a closing connection waits for the peer to
// answer the close frame.
const closeLinger = time.Second

// ErrTextFrame is returned by Read when the peer sends a text message.
var ErrTextFrame = errors.New("websocket: MQTT needs binary messages, got text")

// Conn is a WebSocket connection seen as a byte stream. Reads may run on
// one goroutine while writes run on another; Close is safe from any.
type Conn struct {
	net.Conn
	ws        *websocket.Conn
	r         io.Reader // the message being read, nil between messages
	writeMu   sync.Mutex
	closeOnce sync.Once
}

// New wraps an established WebSocket connection.
func New(ws *websocket.Conn) *Conn {
	return &Conn{Conn: ws.NetConn(), ws: ws}
}

// Read reads the stream across message boundaries.
func (c *Conn) Read(p []byte) (int, error) {
	for {
		if c.r == nil {
			kind, r, err := c.ws.NextReader()
			if err != nil {
				return 0, err
			}
			if kind != websocket.BinaryMessage {
				return 0, ErrTextFrame
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

// Write sends p as one binary message. Concurrent writes are serialised.
func (c *Conn) Write(p []byte) (int, error) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// SetDeadline sets the read deadline only, which is what keep-alive and
// connect timeouts need. gorilla/websocket's write deadline may not be set
// while another goroutine writes.
func (c *Conn) SetDeadline(t time.Time) error {
	return c.ws.SetReadDeadline(t)
}

// SetReadDeadline sets the read deadline.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.ws.SetReadDeadline(t) }

// SetWriteDeadline bounds writes: the one under way, which it interrupts
// when t has passed (a peer that stopped reading cannot hold a writer
// forever), and every later one. It waits for the write under way to end.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	_ = c.Conn.SetWriteDeadline(t)
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.ws.SetWriteDeadline(t)
}

// Close performs the WebSocket closing handshake: it sends a close frame
// (normal closure), stops sending, and lets the peer answer before the
// socket closes, so that the peer sees a clean close rather than an
// abnormal one (1006) or a reset. It does not wait for the peer.
func (c *Conn) Close() error {
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

// lingerThenClose drains what the peer still sends (its close frame) until
// it closes or closeLinger passes, then closes the socket.
func (c *Conn) lingerThenClose() {
	_ = c.Conn.SetReadDeadline(time.Now().Add(closeLinger))
	_, _ = io.Copy(io.Discard, c.Conn)
	_ = c.Conn.Close()
}
