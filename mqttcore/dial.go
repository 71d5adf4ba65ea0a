package mqttcore

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mqttdesk/mqttdesk/internal/wsconn"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

var timeZero time.Time

// dial opens the network connection o describes, through its proxy, TLS
// and WebSocket layers, within ctx. MQTT's CONNECT is not sent yet.
func dial(ctx context.Context, o mqtt.Options) (net.Conn, error) {
	var tlsCfg *tls.Config
	if o.IsTLS() {
		var err error
		if tlsCfg, err = tlsConfig(o); err != nil {
			return nil, &configError{msg: err.Error()}
		}
	}
	if o.IsWebSocket() {
		return dialWebSocket(ctx, o, tlsCfg)
	}
	conn, err := dialTCP(ctx, o, o.Addr())
	if err != nil || tlsCfg == nil {
		return conn, err
	}
	return handshakeTLS(ctx, conn, tlsCfg)
}

func handshakeTLS(ctx context.Context, conn net.Conn, cfg *tls.Config) (net.Conn, error) {
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return tc, nil
}

func dialWebSocket(ctx context.Context, o mqtt.Options, tlsCfg *tls.Config) (net.Conn, error) {
	d := websocket.Dialer{
		Subprotocols:     []string{wsconn.Subprotocol},
		HandshakeTimeout: o.Timeout(),
		NetDialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			return dialTCP(ctx, o, addr)
		},
		NetDialTLSContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			conn, err := dialTCP(ctx, o, addr)
			if err != nil {
				return nil, err
			}
			return handshakeTLS(ctx, conn, tlsCfg)
		},
	}
	header := http.Header{}
	for k, v := range o.WSHeaders {
		header.Set(k, v)
	}
	u := url.URL{Scheme: o.Scheme, Host: o.Addr(), Path: o.WebSocketPath()}
	ws, resp, err := d.DialContext(ctx, u.String(), header)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		if resp != nil {
			return nil, &wsUpgradeError{url: u.String(), status: resp.Status, err: err}
		}
		return nil, err
	}
	return wsconn.New(ws), nil
}

// wsUpgradeError is an HTTP answer other than 101 to the WebSocket upgrade.
type wsUpgradeError struct {
	url, status string
	err         error
}

func (e *wsUpgradeError) Error() string {
	return "WebSocket upgrade at " + e.url + " answered " + e.status
}

func (e *wsUpgradeError) Unwrap() error { return e.err }
