package localbroker

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mochi-mqtt/server/v2/packets"
	"go.uber.org/goleak"

	"github.com/mqttdesk/mqttdesk/internal/wsconn"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestStopDisconnectsMQTT5ClientsWithServerShuttingDown(t *testing.T) {
	b := startBroker(t, testConfig())
	c := connected(t, b, "v5")
	if err := b.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	got := c.expect(packets.Disconnect)
	if got.ReasonCode != 0x8B {
		t.Fatalf("DISCONNECT reason 0x%02x, want 0x8B (server shutting down)", got.ReasonCode)
	}
}

// TestStopWhileClientsConnect stops the broker while clients keep dialing:
// some finish CONNECT, some send half a packet, some send nothing. Stop must
// come back cleanly and leave no goroutine behind (TestMain checks).
func TestStopWhileClientsConnect(t *testing.T) {
	for round := range 5 {
		b, err := New(testConfig())
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		addr := b.mustEndpoint(t, "mqtt").Addr
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dialStorm(ctx, addr, i)
			}()
		}
		time.Sleep(time.Duration(20+round*30) * time.Millisecond)
		err = b.Stop(context.Background())
		cancel()
		wg.Wait()
		if err != nil {
			t.Fatalf("round %d: Stop: %v", round, err)
		}
	}
}

// dialStorm connects again and again until ctx ends; kind picks how far each
// connection gets.
func dialStorm(ctx context.Context, addr string, kind int) {
	connect := []byte{0x10, 0x10, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 30, 0, 4, 's', 't', 'r', 'm'}
	for ctx.Err() == nil {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		switch kind % 3 {
		case 0:
			connect[17] = byte('0' + kind)
			_, _ = conn.Write(connect)
		case 1:
			_, _ = conn.Write(connect[:5])
		}
		_ = conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		_, _ = conn.Read(make([]byte, 16))
		_ = conn.Close()
	}
}

func TestStartTwiceAndRestart(t *testing.T) {
	b := startBroker(t, testConfig())
	if err := b.Start(context.Background()); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Start: %v, want ErrRunning", err)
	}
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b.Running() || len(b.Endpoints()) != 0 || b.Stats().Running {
		t.Fatal("stopped broker still reports itself running")
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatalf("Start after Stop: %v", err)
	}
	connected(t, b, "again")
}

func TestPortInUseNamesThePort(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := strconv.Itoa(taken.Addr().(*net.TCPAddr).Port)

	b, err := New(Config{TCPAddr: "127.0.0.1:0", WSAddr: taken.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Start(context.Background())
	if !errors.Is(err, ErrPortInUse) {
		t.Fatalf("Start on a taken port: %v, want ErrPortInUse", err)
	}
	want := "port " + port + " is in use; stop the other broker or choose another port"
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not say %q", err, want)
	}
	if b.Running() {
		t.Fatal("broker running after a failed start")
	}
	// The first listener's port was released: the broker starts once the
	// port is free.
	_ = taken.Close()
	if err := b.Start(context.Background()); err != nil {
		t.Fatalf("Start after the port was freed: %v", err)
	}
	_ = b.Stop(context.Background())
}

func TestConfigErrorsAndWarnings(t *testing.T) {
	if _, err := New(Config{}); !errors.Is(err, ErrNoListener) {
		t.Errorf("no listeners: %v", err)
	}
	if _, err := New(Config{TCPAddr: "1883"}); err == nil || !strings.Contains(err.Error(), "host:port") {
		t.Errorf("bad address: %v", err)
	}
	if _, err := New(Config{TCPAddr: ":0", TLS: true}); err == nil {
		t.Error("TLS without a CA directory accepted")
	}
	open := Config{TCPAddr: "0.0.0.0:1883", WSAddr: "127.0.0.1:8083"}
	if w := open.Warnings(); len(w) != 1 || !strings.Contains(w[0], "0.0.0.0:1883 without credentials: anyone who can reach this address") {
		t.Errorf("warnings for an open non-loopback listener: %q", w)
	}
	both := Config{TCPAddr: ":1883", WSAddr: "192.0.2.1:8083"}
	if w := both.Warnings(); len(w) != 1 || !strings.Contains(w[0], ":1883 and 192.0.2.1:8083 without credentials") {
		t.Errorf("warnings for two open listeners: %q", w)
	}
	open.Users = []User{{Name: "a", Password: "b"}}
	if w := open.Warnings(); len(w) != 0 {
		t.Errorf("warnings with credentials: %q", w)
	}
	if w := DefaultConfig().Warnings(); len(w) != 0 {
		t.Errorf("default config warns: %q", w)
	}
}

func TestUsernamePassword(t *testing.T) {
	cfg := testConfig()
	cfg.Users = []User{{Name: "dev", Password: "s3cret"}}
	b := startBroker(t, cfg)
	try := func(user, pass string) byte {
		c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
		pk := connectPacket("auth")
		if user != "" {
			pk.Connect.UsernameFlag, pk.Connect.Username = true, []byte(user)
			pk.Connect.PasswordFlag, pk.Connect.Password = true, []byte(pass)
		}
		c.send(pk)
		return c.expect(packets.Connack).ReasonCode
	}
	if code := try("dev", "s3cret"); code != 0 {
		t.Errorf("right credentials: 0x%02x", code)
	}
	for _, bad := range [][2]string{{"", ""}, {"dev", "wrong"}, {"other", "s3cret"}} {
		if code := try(bad[0], bad[1]); code != packets.ErrBadUsernameOrPassword.Code {
			t.Errorf("credentials %q: 0x%02x, want 0x86", bad, code)
		}
	}
}

func TestTLSListenersTrustTheExportedCA(t *testing.T) {
	cfg := Config{TLS: true, TLSAddr: "127.0.0.1:0", WSSAddr: "127.0.0.1:0", CADir: t.TempDir()}
	b := startBroker(t, cfg)
	pem, err := b.CACertPEM()
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("exported CA is not PEM")
	}
	tlsConf := &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}

	conn, err := tls.Dial("tcp", b.mustEndpoint(t, "mqtts").Addr, tlsConf)
	if err != nil {
		t.Fatalf("mqtts with the exported CA: %v", err)
	}
	newRaw(t, conn, 5).connect(connectPacket("tls"))

	d := websocket.Dialer{TLSClientConfig: tlsConf, Subprotocols: []string{"mqtt"}}
	ws, _, err := d.Dial(b.mustEndpoint(t, "wss").URL, nil)
	if err != nil {
		t.Fatalf("wss with the exported CA: %v", err)
	}
	newRaw(t, wsconn.New(ws), 5).connect(connectPacket("wss"))

	// The CA is kept: a second broker on the same directory presents a
	// certificate the same PEM verifies.
	b2 := startBroker(t, cfg)
	pem2, _ := b2.CACertPEM()
	if string(pem2) != string(pem) {
		t.Fatal("local CA changed between brokers on the same directory")
	}
	if _, err := filepath.Glob(filepath.Join(cfg.CADir, "*")); err != nil {
		t.Fatal(err)
	}
}

func TestPersistenceSurvivesRestart(t *testing.T) {
	cfg := testConfig()
	cfg.PersistDir = t.TempDir()
	b := startBroker(t, cfg)

	s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	s.connect(persistentConnect("keeper", true))
	s.subscribe(packets.Properties{}, sub("persist/#", 1))
	s.disconnect()
	p := connected(t, b, "pub")
	p.publish("persist/retained", []byte("r"), 1, true, packets.Properties{}, 1)
	p.expect(packets.Puback)
	const queued = "abcdefghijkl" // packet ids past 9: key order differs from numeric order
	for i := range len(queued) {
		p.publish("persist/queued", []byte{queued[i]}, 1, false, packets.Properties{}, uint16(i+2))
		p.expect(packets.Puback)
	}
	p.disconnect()
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	if err := b.Start(context.Background()); err != nil {
		t.Fatalf("restart: %v", err)
	}
	s = dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	if !s.connect(persistentConnect("keeper", false)).SessionPresent {
		t.Fatal("persistent session lost across restart")
	}
	var got []byte
	for range 1 + len(queued) {
		pk := s.expect(packets.Publish)
		if pk.TopicName == "persist/queued" {
			got = append(got, pk.Payload...)
		}
		s.ack(packets.Puback, pk.PacketID)
	}
	if string(got) != queued {
		t.Errorf("queued QoS 1 messages after restart: %q, want %q", got, queued)
	}

	late := connected(t, b, "late")
	late.subscribe(packets.Properties{}, sub("persist/retained", 0))
	if pk := late.expect(packets.Publish); string(pk.Payload) != "r" || !pk.FixedHeader.Retain {
		t.Errorf("retained message lost across restart: %q", pk.Payload)
	}
}

func TestStatsCountTraffic(t *testing.T) {
	b := startBroker(t, testConfig())
	s := connected(t, b, "s")
	s.subscribe(packets.Properties{}, sub("st/#", 0))
	p := connected(t, b, "p")
	for range 10 {
		p.publish("st/x", []byte("12345678"), 0, true, packets.Properties{}, 0)
	}
	for range 10 {
		s.expect(packets.Publish)
	}
	// The sent counter moves after the write the subscriber has read.
	waitFor(t, "the sent counter", func() bool { return b.Stats().MessagesOut >= 10 })
	st := b.Stats()
	if !st.Running || st.ClientsConnected != 2 || st.Subscriptions != 1 || st.Retained != 1 {
		t.Fatalf("stats %+v", st)
	}
	if st.MessagesIn < 10 || st.MessagesOut < 10 || st.BytesIn == 0 || st.BytesOut == 0 {
		t.Fatalf("traffic counters %+v", st)
	}
}

// TestStopWithAClientThatStoppedReading: the DISCONNECT to a client whose
// socket is full cannot be written; Stop must still come back cleanly and
// at once rather than time out, over TCP and WebSocket.
func TestStopWithAClientThatStoppedReading(t *testing.T) {
	for _, scheme := range []string{"mqtt", "ws"} {
		b, err := New(testConfig())
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
		if scheme == "ws" {
			s = dialRawWS(t, b.mustEndpoint(t, "ws").URL, 5)
		}
		s.connect(connectPacket("stalled"))
		s.subscribe(packets.Properties{}, sub("fill", 0))
		p := connected(t, b, "filler")
		payload := make([]byte, 1000)
		for range 20000 { // 20 MB: more than the sockets hold
			p.publish("fill", payload, 0, false, packets.Properties{}, 0)
		}
		waitFor(t, "the broker to take the messages", func() bool { return b.Stats().MessagesIn >= 20000 })
		start := time.Now()
		if err := b.Stop(context.Background()); err != nil {
			t.Fatalf("%s: Stop: %v after %v", scheme, err, time.Since(start))
		}
		if took := time.Since(start); took > 1500*time.Millisecond { // WebSocket lingers up to 1 s for the close frame
			t.Errorf("%s: Stop took %v", scheme, took)
		}
	}
}
