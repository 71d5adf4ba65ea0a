package localbroker

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	mqtt "github.com/mochi-mqtt/server/v2"
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

// inflight returns how many messages the broker holds in flight for
// clientID, sent or waiting.
func (b *Broker) inflight(clientID string) int {
	return b.countOf(clientID, func(cl *mqtt.Client) int { return cl.State.Inflight.Len() })
}

// subscriptions returns how many subscriptions the client clientID holds.
func (b *Broker) subscriptions(clientID string) int {
	return b.countOf(clientID, func(cl *mqtt.Client) int { return cl.State.Subscriptions.Len() })
}

// countOf is count of the client clientID, or 0 when there is none.
func (b *Broker) countOf(clientID string, count func(*mqtt.Client) int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	cl, ok := b.srv.Clients.Get(clientID)
	if !ok {
		return 0
	}
	return count(cl)
}

// logBuffer collects a broker's log for a test; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// contains reports whether one line of the log holds every part.
func (l *logBuffer) contains(parts ...string) bool {
	for line := range strings.Lines(l.String()) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}

// logTo returns a logger that writes warnings and above to l as text.
func logTo(l *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
