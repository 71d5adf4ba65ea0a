package mqttcore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// publishAll publishes payloads at QoS 1 from a short-lived session.
func publishAll(t *testing.T, o mqtt.Options, topic string, from, to int) {
	t.Helper()
	o.ClientID, o.Clean = "", true
	s, _ := open(t, o)
	for i := from; i < to; i++ {
		if _, err := s.Publish(context.Background(), mqtt.Message{Topic: topic, Payload: []byte(strconv.Itoa(i)), QoS: 1}); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	_ = s.Disconnect(context.Background())
}

func TestReconnectAfterBrokerRestartLosesNothing(t *testing.T) {
	for _, version := range []string{mqtt.MQTT5, mqtt.MQTT311} {
		t.Run(version, func(t *testing.T) {
			cfg := localbroker.Config{TCPAddr: fmt.Sprintf("127.0.0.1:%d", testnet.FreePort(t)), PersistDir: t.TempDir()}
			b := startPlain(t, cfg)
			o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.mustPort(t), version)
			o.ClientID, o.Clean, o.SessionExpiry = "survivor-"+version, false, 300
			o.Reconnect = mqtt.Reconnect{Enabled: true, InitialDelay: 1500 * time.Millisecond, MaxDelay: 2 * time.Second}
			s, rec := open(t, o)
			if _, err := s.Subscribe(context.Background(), mqtt.Subscription{Filter: "stream/#", QoS: 1}); err != nil {
				t.Fatal(err)
			}
			publishAll(t, o, "stream/a", 0, 50)
			rec.waitMessages(t, 50)

			if err := b.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			rec.waitEvent(t, EventDisconnected, 1)
			b2 := startPlain(t, cfg)              // same port, same persistence file
			publishAll(t, o, "stream/a", 50, 100) // while the session is away
			ack := rec.waitEvent(t, EventConnected, 2).Connack
			if !ack.SessionPresent {
				t.Fatal("the broker lost the session across its restart")
			}
			// QoS 1 may deliver twice; every message must arrive at least once.
			rec.waitFor(t, "all 100 messages", func() bool { return distinctPayloads(rec.messages) >= 100 })
			publishAll(t, o, "stream/after", 100, 101) // the subscription works on the new connection
			rec.waitFor(t, "a message after reconnecting", func() bool { return distinctPayloads(rec.messages) == 101 })
			_ = b2
		})
	}
}

func distinctPayloads(msgs []mqtt.Message) int {
	seen := map[string]bool{}
	for _, m := range msgs {
		seen[string(m.Payload)] = true
	}
	return len(seen)
}

func TestResubscribesWhenTheBrokerKeptNoSession(t *testing.T) {
	cfg := localbroker.Config{TCPAddr: fmt.Sprintf("127.0.0.1:%d", testnet.FreePort(t))}
	b := startPlain(t, cfg)
	o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.mustPort(t), mqtt.MQTT5)
	s, rec := open(t, o)
	if _, err := s.Subscribe(context.Background(), mqtt.Subscription{Filter: "again/#", QoS: 1}); err != nil {
		t.Fatal(err)
	}
	_ = b.Stop(context.Background())
	startPlain(t, cfg) // no persistence: the subscription is gone from the broker
	if ack := rec.waitEvent(t, EventConnected, 2).Connack; ack.SessionPresent {
		t.Fatal("session present on a broker without persistence")
	}
	waitSubscribed(t, o, "again/x", rec)
}

// waitSubscribed publishes to topic until rec receives it, which proves a
// subscription is in place after a reconnect.
func waitSubscribed(t *testing.T, o mqtt.Options, topic string, rec *recorder) {
	t.Helper()
	o.ClientID = ""
	p, _ := open(t, o)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_, _ = p.Publish(context.Background(), mqtt.Message{Topic: topic, Payload: []byte("x"), QoS: 1})
		rec.mu.Lock()
		n := len(rec.messages)
		rec.mu.Unlock()
		if n > 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("not resubscribed after reconnecting")
}

func TestWillOnCutConnection(t *testing.T) {
	b := startLocal(t, localbroker.Config{})
	for _, version := range []string{mqtt.MQTT5, mqtt.MQTT311} {
		t.Run(version, func(t *testing.T) {
			base := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(t, mqtt.SchemeMQTT), version)
			watcher, rec := open(t, base)
			if _, err := watcher.Subscribe(context.Background(), mqtt.Subscription{Filter: "wills/#", QoS: 1}); err != nil {
				t.Fatal(err)
			}
			o := base
			o.Will = &mqtt.Will{Topic: "wills/" + version, Payload: []byte("lost"), QoS: 1}
			if version == mqtt.MQTT5 {
				o.Will.Properties = mqtt.Properties{ContentType: "text/plain", User: []mqtt.UserProperty{{Key: "why", Value: "cut"}}}
			}
			s, _ := open(t, o)
			s.cutConnection()
			m := rec.waitMessages(t, 1)[0]
			if m.Topic != "wills/"+version || string(m.Payload) != "lost" {
				t.Fatalf("will %+v", m)
			}
			if version == mqtt.MQTT5 && (m.Properties.ContentType != "text/plain" || len(m.Properties.User) != 1) {
				t.Fatalf("will properties %+v", m.Properties)
			}
		})
	}
}

func TestEveryPublishPropertyThroughMosquitto(t *testing.T) {
	m := startMosquitto(t, mosquittoConfig{})
	o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", m.ports["mqtt"], mqtt.MQTT5)
	sub, rec := open(t, o)
	ctx := context.Background()
	if _, err := sub.Subscribe(ctx, mqtt.Subscription{Filter: "props/#", QoS: 1, Identifier: 42}); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Subscribe(ctx, mqtt.Subscription{Filter: "props/+", QoS: 1, Identifier: 7}); err != nil {
		t.Fatal(err)
	}
	pub, _ := open(t, o)
	utf8, expiry := byte(1), uint32(3600)
	sent := mqtt.Properties{
		PayloadFormat: &utf8, MessageExpiry: &expiry, ContentType: "application/json", ResponseTopic: "reply/here",
		CorrelationData: []byte{1, 2, 3}, User: []mqtt.UserProperty{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}, {Key: "b", Value: "3"}}, TopicAlias: 3,
	}
	if _, err := pub.Publish(ctx, mqtt.Message{Topic: "props/x", Payload: []byte(`{"t":21}`), QoS: 1, Properties: sent}); err != nil {
		t.Fatal(err)
	}
	got := rec.waitMessages(t, 1)[0]
	p := got.Properties
	if got.Topic != "props/x" || p.PayloadFormat == nil || *p.PayloadFormat != 1 || p.MessageExpiry == nil || *p.MessageExpiry == 0 ||
		p.ContentType != sent.ContentType || p.ResponseTopic != sent.ResponseTopic || string(p.CorrelationData) != "\x01\x02\x03" ||
		!slices.Equal(p.User, sent.User) {
		t.Fatalf("properties after mosquitto:\n got %+v\nsent %+v", p, sent)
	}
	// mosquitto sends a copy per matching subscription, each with its own
	// identifier.
	copies := rec.waitMessages(t, 2)
	ids := slices.Sorted(slices.Values(append(copies[0].Properties.SubscriptionIDs, copies[1].Properties.SubscriptionIDs...)))
	if !slices.Equal(ids, []int{7, 42}) {
		t.Fatalf("subscription identifiers %v, want 7 and 42", ids)
	}
}

// TestAllSubscriptionIdentifiersKept checks the case paho cannot decode:
// one PUBLISH carrying several identifiers, as our broker sends it.
func TestAllSubscriptionIdentifiersKept(t *testing.T) {
	b := startLocal(t, localbroker.Config{})
	o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(t, mqtt.SchemeMQTT), mqtt.MQTT5)
	sub, rec := open(t, o)
	ctx := context.Background()
	for id, filter := range map[int]string{3: "ids/#", 900: "ids/+", 70000: "+/x"} {
		if _, err := sub.Subscribe(ctx, mqtt.Subscription{Filter: filter, QoS: 1, Identifier: id}); err != nil {
			t.Fatal(err)
		}
	}
	pub, _ := open(t, o)
	for range 3 {
		if _, err := pub.Publish(ctx, mqtt.Message{Topic: "ids/x", Payload: []byte("x"), QoS: 1}); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range rec.waitMessages(t, 3) {
		if ids := slices.Sorted(slices.Values(m.Properties.SubscriptionIDs)); !slices.Equal(ids, []int{3, 900, 70000}) {
			t.Fatalf("subscription identifiers %v, want 3, 900 and 70000", m.Properties.SubscriptionIDs)
		}
	}
}

func TestIncomingTopicAliasesResolved(t *testing.T) {
	b := startLocal(t, localbroker.Config{})
	o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(t, mqtt.SchemeMQTT), mqtt.MQTT5)
	o.TopicAliasMaximum = 10 // the local broker then sends aliases
	s, rec := open(t, o)
	if _, err := s.Subscribe(context.Background(), mqtt.Subscription{Filter: "aliased/#"}); err != nil {
		t.Fatal(err)
	}
	p, _ := open(t, testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(t, mqtt.SchemeMQTT), mqtt.MQTT5))
	for range 3 {
		if _, err := p.Publish(context.Background(), mqtt.Message{Topic: "aliased/long/topic/name", Payload: []byte("x"), QoS: 1}); err != nil {
			t.Fatal(err)
		}
	}
	for i, m := range rec.waitMessages(t, 3) {
		if m.Topic != "aliased/long/topic/name" {
			t.Fatalf("message %d arrived on %q (alias %d)", i, m.Topic, m.Properties.TopicAlias)
		}
	}
	aliasOnly := 0
	for _, e := range s.Log() {
		if !e.Sent && e.Type == "PUBLISH" && e.Topic == "" {
			aliasOnly++
		}
	}
	if aliasOnly == 0 {
		t.Fatal("the broker never sent an alias-only PUBLISH; the test proves nothing")
	}
}

// TestDisconnectIsClean checks that Disconnect sends DISCONNECT: the broker
// then discards the will, which an abrupt close would have published.
func TestDisconnectIsClean(t *testing.T) {
	b := startLocal(t, localbroker.Config{})
	for _, version := range []string{mqtt.MQTT5, mqtt.MQTT311} {
		base := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(t, mqtt.SchemeMQTT), version)
		watcher, rec := open(t, base)
		if _, err := watcher.Subscribe(context.Background(), mqtt.Subscription{Filter: "clean/#"}); err != nil {
			t.Fatal(err)
		}
		o := base
		o.Will = &mqtt.Will{Topic: "clean/" + version, Payload: []byte("should not appear")}
		s, _ := open(t, o)
		if err := s.Disconnect(context.Background()); err != nil {
			t.Fatal(err)
		}
		if st := s.State(); st != StateDisconnected {
			t.Fatalf("%s: state %v after Disconnect", version, st)
		}
		if _, err := s.Publish(context.Background(), mqtt.Message{Topic: "x"}); err != ErrClosed {
			t.Fatalf("%s: publish after Disconnect: %v", version, err)
		}
		found := false
		for _, e := range s.Log() {
			found = found || (e.Sent && e.Type == "DISCONNECT")
		}
		if !found {
			t.Fatalf("%s: no DISCONNECT in the protocol log", version)
		}
		time.Sleep(300 * time.Millisecond)
		rec.mu.Lock()
		n := len(rec.messages)
		rec.mu.Unlock()
		if n != 0 {
			t.Fatalf("%s: will published after a clean disconnect", version)
		}
	}
}
