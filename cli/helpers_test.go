package cli

import (
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
)

func openApp(t *testing.T, dir string) *app.App {
	t.Helper()
	a, err := app.Open(app.Config{DataDir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// testSettings are the local broker's settings on free loopback ports.
func testSettings(t *testing.T) app.BrokerSettings {
	s := app.DefaultBrokerSettings()
	s.TCPPort, s.WSPort = testnet.FreePort(t), testnet.FreePort(t)
	return s
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
