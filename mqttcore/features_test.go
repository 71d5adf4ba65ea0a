package mqttcore

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/testkit/testpki"
	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

func TestTLSOptions(t *testing.T) {
	b := startLocal(t, localbroker.Config{})
	port := b.port(t, mqtt.SchemeMQTTS)
	t.Run("insecure, chosen explicitly", func(t *testing.T) {
		o := testOptions(mqtt.SchemeMQTTS, "127.0.0.1", port, mqtt.MQTT5)
		o.TLS.Insecure = true // no CA file: only works because verification is off
		roundTrip(t, o)
	})
	t.Run("TLS 1.3 minimum and ALPN", func(t *testing.T) {
		o := testOptions(mqtt.SchemeMQTTS, "localhost", port, mqtt.MQTT311)
		o.TLS = mqtt.TLSOptions{CAFile: b.caFile, MinVersion: "1.3", ALPN: []string{"mqtt"}}
		roundTrip(t, o)
	})
	t.Run("server name", func(t *testing.T) {
		m := startMosquitto(t, mosquittoConfig{serverLeaf: func(ca *testpki.CA) *testpki.Leaf {
			return ca.Issue(testpki.LeafOptions{Name: "broker.test", DNS: []string{"broker.test"}})
		}})
		o := testOptions(mqtt.SchemeMQTTS, "127.0.0.1", m.ports["mqtts"], mqtt.MQTT5)
		o.TLS = mqtt.TLSOptions{CAFile: m.ca.CertPEM, ServerName: "broker.test"} // the address has no name; SNI supplies it
		roundTrip(t, o)
	})
}

func TestWebSocketHeaders(t *testing.T) {
	var mu sync.Mutex
	var got http.Header
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		http.Error(w, "no MQTT here", http.StatusForbidden)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	o := testOptions(mqtt.SchemeWS, "127.0.0.1", ln.Addr().(*net.TCPAddr).Port, mqtt.MQTT5)
	o.WSHeaders = map[string]string{"Authorization": "Bearer token-123", "X-Tenant": "lab"}
	e := connectErr(t, o)
	mu.Lock()
	defer mu.Unlock()
	if got.Get("Authorization") != "Bearer token-123" || got.Get("X-Tenant") != "lab" || got.Get("Sec-Websocket-Protocol") != "mqtt" {
		t.Fatalf("upgrade request headers: %v", got)
	}
	if !strings.Contains(e.Sentence, "answered 403 Forbidden") {
		t.Fatalf("sentence %q", e.Sentence)
	}
}

func TestSubscribeOptions(t *testing.T) {
	b := startLocal(t, localbroker.Config{})
	o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(t, mqtt.SchemeMQTT), mqtt.MQTT5)
	s, rec := open(t, o)
	ctx := context.Background()
	if _, err := s.Publish(ctx, mqtt.Message{Topic: "opt/retained", Payload: []byte("r"), QoS: 1, Retain: true}); err != nil {
		t.Fatal(err)
	}
	subs := []mqtt.Subscription{
		{Filter: "opt/local", QoS: 1, NoLocal: true},                                        // our own messages must not come back
		{Filter: "opt/retained", QoS: 1, RetainHandling: 2},                                 // no retained message on subscribing
		{Filter: "opt/rap", QoS: 1, RetainAsPublished: true},                                // live messages keep their retain flag
		{Filter: "opt/plain", QoS: 1, User: []mqtt.UserProperty{{Key: "who", Value: "me"}}}, // user properties on SUBSCRIBE
	}
	res, err := s.Subscribe(ctx, subs...)
	if err != nil || len(res) != 4 {
		t.Fatalf("subscribe: %v %+v", err, res)
	}
	for _, r := range res {
		if !r.Granted() || r.Text() != "granted QoS 1" {
			t.Fatalf("%s: %s", r.Filter, r.Text())
		}
	}
	for _, m := range []mqtt.Message{
		{Topic: "opt/local", Payload: []byte("mine"), QoS: 1},
		{Topic: "opt/rap", Payload: []byte("kept"), QoS: 1, Retain: true},
		{Topic: "opt/plain", Payload: []byte("last"), QoS: 1},
	} {
		if _, err := s.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	got := rec.waitMessages(t, 2)
	time.Sleep(200 * time.Millisecond)
	rec.mu.Lock()
	got = append(got[:0], rec.messages...)
	rec.mu.Unlock()
	if len(got) != 2 || got[0].Topic != "opt/rap" || !got[0].Retain || got[1].Topic != "opt/plain" {
		t.Fatalf("received %d messages: %+v", len(got), got)
	}
}

func TestQoSDowngradeAndReasonCodes(t *testing.T) {
	m := startMosquitto(t, mosquittoConfig{extra: "max_qos 1\n"})
	s, rec := open(t, testOptions(mqtt.SchemeMQTT, "127.0.0.1", m.ports["mqtt"], mqtt.MQTT5))
	ctx := context.Background()
	res, err := s.Subscribe(ctx, mqtt.Subscription{Filter: "down/#", QoS: 2})
	if err != nil || res[0].Text() != "QoS granted 1 instead of 2" {
		t.Fatalf("subscribe at QoS 2 to a max_qos 1 listener: %v %+v %q", err, res, res[0].Text())
	}
	r, err := s.Publish(ctx, mqtt.Message{Topic: "down/x", Payload: []byte("x"), QoS: 1})
	if err != nil || r.ReasonCode != 0 {
		t.Fatalf("publish: %+v %v", r, err)
	}
	if m := rec.waitMessages(t, 1)[0]; m.QoS != 1 {
		t.Fatalf("delivered at QoS %d", m.QoS)
	}
	r, err = s.Publish(ctx, mqtt.Message{Topic: "nobody/listens", Payload: []byte("x"), QoS: 1})
	if err != nil || r.ReasonCode != 0x10 || !r.Succeeded() || mqtt.ReasonText(r.ReasonCode) != "no matching subscribers" {
		t.Fatalf("publish with no subscribers: %+v %v", r, err)
	}
}

func TestQoS2(t *testing.T) {
	b := startLocal(t, localbroker.Config{})
	for _, version := range []string{mqtt.MQTT5, mqtt.MQTT311} {
		s, rec := open(t, testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(t, mqtt.SchemeMQTT), version))
		if _, err := s.Subscribe(context.Background(), mqtt.Subscription{Filter: "q2/" + version, QoS: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(context.Background(), mqtt.Message{Topic: "q2/" + version, Payload: []byte("once"), QoS: 2}); err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		if m := rec.waitMessages(t, 1)[0]; m.QoS != 2 || string(m.Payload) != "once" {
			t.Fatalf("%s: %+v", version, m)
		}
	}
}
