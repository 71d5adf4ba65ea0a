package localbroker

import (
	"net/http"
	"testing"

	"github.com/gorilla/websocket"
)

// TestWebSocketRefusesOtherSites: a web page of another site, open in a
// browser on the laptop, cannot use the broker over WebSocket (the
// browser reaches 127.0.0.1 too); pages of this machine and clients that
// are no browser can.
func TestWebSocketRefusesOtherSites(t *testing.T) {
	b := startBroker(t, testConfig())
	ws := b.mustEndpoint(t, "ws")
	for origin, allowed := range map[string]bool{
		"":                          true, // mosquitto's clients, MQTT.js under Node
		"http://localhost:3000":     true,
		"http://127.0.0.1:5173":     true,
		"http://[::1]:8080":         true,
		"http://" + ws.Addr:         true,
		"https://evil.example":      false,
		"http://localhost.evil.com": false,
		"null":                      false,
	} {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		d := websocket.Dialer{Subprotocols: []string{"mqtt"}}
		conn, resp, err := d.Dial(ws.URL, h)
		if conn != nil {
			_ = conn.Close()
		}
		if got := err == nil; got != allowed {
			status := 0
			if resp != nil {
				status = resp.StatusCode
			}
			t.Errorf("Origin %q: upgraded %v (HTTP %d), want %v", origin, got, status, allowed)
		}
	}
}
