package mqttcore

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
	"github.com/mqttdesk/mqttdesk/internal/testkit/testpki"
	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// Queueing a request on a connection that is ending; it gives up
		// after 30 s (see v311Driver.call).
		goleak.IgnoreTopFunction("github.com/eclipse/paho%2emqtt%2egolang.(*client).SubscribeMultiple"))
}

// recorder is a Handler that keeps what it is told.
type recorder struct {
	mu       sync.Mutex
	messages []mqtt.Message
	events   []Event
	notify   chan struct{}
}

func newRecorder() *recorder { return &recorder{notify: make(chan struct{}, 1)} }

func (r *recorder) HandleMessage(m mqtt.Message) {
	r.mu.Lock()
	r.messages = append(r.messages, m)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) HandleEvent(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) poke() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// waitMessages waits until n messages have arrived and returns them.
func (r *recorder) waitMessages(t *testing.T, n int) []mqtt.Message {
	t.Helper()
	var out []mqtt.Message
	r.waitFor(t, fmt.Sprintf("%d messages", n), func() bool {
		out = append(out[:0], r.messages...)
		return len(out) >= n
	})
	return out
}

// waitEvent waits for an event of kind and returns the newest one.
func (r *recorder) waitEvent(t *testing.T, kind EventKind, count int) Event {
	t.Helper()
	var got Event
	r.waitFor(t, fmt.Sprintf("event %d x%d", kind, count), func() bool {
		n := 0
		for _, e := range r.events {
			if e.Kind == kind {
				n++
				got = e
			}
		}
		return n >= count
	})
	return got
}

func (r *recorder) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.notify:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// open connects a session for the test and disconnects it at cleanup.
func open(t *testing.T, o mqtt.Options) (*Session, *recorder) {
	t.Helper()
	rec := newRecorder()
	s, err := NewSession(o, rec)
	if err != nil {
		t.Fatalf("NewSession: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := s.Connect(ctx); err != nil {
		_ = s.Disconnect(context.Background())
		t.Fatalf("Connect %s (%s): %v", o.URL(), o.Version, err)
	}
	t.Cleanup(func() {
		if err := s.Disconnect(context.Background()); err != nil {
			t.Errorf("Disconnect: %v", err)
		}
	})
	return s, rec
}

func testOptions(scheme, host string, port int, version string) mqtt.Options {
	o := mqtt.NewOptions("test", scheme, host)
	o.Port, o.Version = port, version
	o.Reconnect.InitialDelay = 200 * time.Millisecond
	return o
}

// localBroker starts our broker on free loopback ports, with TLS listeners
// whose CA is written to a file.
type localBroker struct {
	*localbroker.Broker
	caFile string
}

func startLocal(t *testing.T, cfg localbroker.Config) *localBroker {
	t.Helper()
	if cfg.TCPAddr == "" {
		cfg.TCPAddr = "127.0.0.1:0"
	}
	cfg.WSAddr, cfg.TLS, cfg.TLSAddr, cfg.WSSAddr = "127.0.0.1:0", true, "127.0.0.1:0", "127.0.0.1:0"
	cfg.CADir = t.TempDir()
	if os.Getenv("BROKER_DEBUG") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	b := startPlain(t, cfg)
	b.caFile = testpki.CAFile(t, b)
	return b
}

func (b *localBroker) port(t *testing.T, scheme string) int {
	t.Helper()
	e, ok := b.Endpoint(scheme)
	if !ok {
		t.Fatalf("no %s listener", scheme)
	}
	return e.Port
}

// mosquitto is Debian's broker, started for one test.
type mosquitto struct {
	ports  map[string]int // mqtt, ws, mqtts, wss, mtls
	ca     *testpki.CA
	client *testpki.Leaf // a certificate the mtls listener accepts
}

// mosquittoConfig lets a test add lines to the configuration.
type mosquittoConfig struct {
	global     string // general options, after the defaults
	extra      string // appended to the first listener
	serverLeaf func(*testpki.CA) *testpki.Leaf
}

func startMosquitto(t *testing.T, mc mosquittoConfig) *mosquitto {
	t.Helper()
	testnet.NeedPeer(t, "mosquitto")
	ca := testpki.NewCA(t, "mosquitto test CA")
	leaf := ca.Issue(testpki.LeafOptions{Name: "localhost", DNS: []string{"localhost"}, IPs: []string{"127.0.0.1"}})
	if mc.serverLeaf != nil {
		leaf = mc.serverLeaf(ca)
	}
	m := &mosquitto{ports: map[string]int{}, ca: ca, client: ca.Issue(testpki.LeafOptions{Name: "mqttdesk-client", Client: true})}
	tls := fmt.Sprintf("cafile %s\ncertfile %s\nkeyfile %s\n", ca.CertPEM, leaf.CertFile, leaf.KeyFile)
	for range 3 { // a free port may be taken by another test before mosquitto binds it
		if m.run(t, mc, tls) {
			return m
		}
	}
	t.Fatal("mosquitto found its ports taken three times")
	return nil
}

// run writes a configuration on fresh free ports and starts mosquitto with
// it. It returns false when a port was taken meanwhile.
func (m *mosquitto) run(t *testing.T, mc mosquittoConfig, tls string) bool {
	t.Helper()
	var conf strings.Builder
	conf.WriteString("allow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\n")
	if os.Geteuid() == 0 {
		conf.WriteString("user root\n") // else it drops to "mosquitto", who cannot read the test's files
	}
	conf.WriteString(mc.global)
	for _, l := range []struct{ name, lines string }{
		{"mqtt", mc.extra},
		{"ws", "protocol websockets\nsocket_domain ipv4\n"},
		{"mqtts", tls},
		{"wss", "protocol websockets\nsocket_domain ipv4\n" + tls},
		{"mtls", tls + "require_certificate true\n"},
	} {
		m.ports[l.name] = testnet.FreePort(t)
		fmt.Fprintf(&conf, "listener %d 127.0.0.1\n%s", m.ports[l.name], l.lines)
	}
	path := filepath.Join(t.TempDir(), "mosquitto.conf")
	if err := os.WriteFile(path, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("mosquitto", "-c", path)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	for range 200 {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", m.ports["mtls"])); err == nil {
			_ = c.Close()
			return true
		}
		select {
		case <-exited:
			if strings.Contains(out.String(), "Address already in use") {
				return false
			}
			t.Fatalf("mosquitto exited: %s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("mosquitto did not start: %s", out.String())
	return false
}

// lockedBuffer collects a process's output while the test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startPlain starts our broker with cfg as given (TCP only unless set).
func startPlain(t *testing.T, cfg localbroker.Config) *localBroker {
	t.Helper()
	b, err := localbroker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Stop(context.Background()) })
	return &localBroker{Broker: b}
}

func (b *localBroker) mustPort(t *testing.T) int { return b.port(t, mqtt.SchemeMQTT) }
