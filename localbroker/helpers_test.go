package localbroker

import (
	"context"
	"errors"
	"testing"
)

// testConfig listens on free loopback ports only.
func testConfig() Config {
	return Config{TCPAddr: "127.0.0.1:0", WSAddr: "127.0.0.1:0"}
}

// startBroker starts a broker for the test and stops it at cleanup,
// failing the test if stopping is not clean.
func startBroker(t *testing.T, cfg Config) *Broker {
	t.Helper()
	b, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Stop(context.Background()); err != nil && !errors.Is(err, ErrStopTimeout) {
			t.Errorf("Stop: %v", err)
		}
	})
	return b
}

func (b *Broker) mustEndpoint(t *testing.T, scheme string) Endpoint {
	t.Helper()
	e, ok := b.Endpoint(scheme)
	if !ok {
		t.Fatalf("no %s endpoint", scheme)
	}
	return e
}

// hasSession reports whether the broker keeps a session for clientID.
func (b *Broker) hasSession(clientID string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.srv.Clients.Get(clientID)
	return ok
}

// subscriptions returns how many subscriptions the client clientID holds.
func (b *Broker) subscriptions(clientID string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	cl, ok := b.srv.Clients.Get(clientID)
	if !ok {
		return 0
	}
	return cl.State.Subscriptions.Len()
}
