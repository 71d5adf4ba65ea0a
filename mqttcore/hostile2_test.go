package mqttcore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// Cases a hostile tester found after the first round of checks.

// TestLargeSubscribeAnswersChecked: a SUBSCRIBE longer than the log keeps
// of a packet (64 KiB) must still have its SUBACK counted, or a 3.1.1
// broker's extra return code panics paho.mqtt.golang.
func TestLargeSubscribeAnswersChecked(t *testing.T) {
	many := make([]mqtt.Subscription, 8000)
	for i := range many {
		many[i] = mqtt.Subscription{Filter: fmt.Sprintf("site/%04d", i)}
	}
	for name, subs := range map[string][]mqtt.Subscription{
		"one filter of 65 KB": {{Filter: "a/" + strings.Repeat("x", 65530)}},
		"8000 filters":        many,
	} {
		t.Run(name, func(t *testing.T) {
			b := startHostile(t, false, answersSubscribe(func(id []byte) []byte {
				return append(id, make([]byte, len(subs)+1)...) // one code too many
			}))
			o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(), mqtt.MQTT311)
			o.Reconnect.Enabled = false
			s, rec := open(t, o)
			ctx, cancel := contextWithTimeout(10 * time.Second)
			defer cancel()
			_, _ = s.Subscribe(ctx, subs...)
			var perr *Error
			if err := rec.waitEvent(t, EventDisconnected, 1).Err; !errors.As(err, &perr) || perr.Kind != ErrProtocol {
				t.Fatalf("disconnected with %v, want a protocol error", err)
			}
		})
	}
}

// TestBrokerThatStopsReading: a broker that takes no more bytes but keeps
// answering keep-alive must not hold Publish past its context, nor
// Disconnect past its own.
func TestBrokerThatStopsReading(t *testing.T) {
	for _, version := range []string{mqtt.MQTT5, mqtt.MQTT311} {
		t.Run(version, func(t *testing.T) {
			stop := make(chan struct{})
			b := startHostile(t, version == mqtt.MQTT5, func(_ *hostileBroker, c net.Conn, _ *bufio.Reader) {
				_ = c.SetDeadline(time.Time{})
				for {
					select {
					case <-stop:
						return
					case <-time.After(300 * time.Millisecond):
						if _, err := c.Write([]byte{pktPingresp << 4, 0}); err != nil {
							return
						}
					}
				}
			})
			defer close(stop)
			o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(), version)
			o.Reconnect.Enabled, o.KeepAlive = false, 2
			rec := newRecorder()
			s, err := NewSession(o, rec)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := contextWithTimeout(5 * time.Second)
			defer cancel()
			if err := s.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			pctx, pcancel := contextWithTimeout(2 * time.Second)
			defer pcancel()
			published := make(chan error, 1)
			go func() {
				_, err := s.Publish(pctx, mqtt.Message{Topic: "t", Payload: make([]byte, 16<<20), QoS: 1})
				published <- err
			}()
			select {
			case <-published:
			case <-time.After(10 * time.Second):
				t.Fatal("Publish with a 2 s context still blocked after 10 s")
			}
			dctx, dcancel := contextWithTimeout(3 * time.Second)
			defer dcancel()
			disconnected := make(chan error, 1)
			go func() { disconnected <- s.Disconnect(dctx) }()
			select {
			case <-disconnected:
			case <-time.After(10 * time.Second):
				t.Fatal("Disconnect with a 3 s context still blocked after 10 s")
			}
		})
	}
}

// TestDuplicateQoS2KeepsSubscriptionIDs: a QoS 2 message sent again with
// DUP after the client's PUBREC is answered, not delivered twice, and the
// subscription identifiers of later messages stay theirs.
func TestDuplicateQoS2KeepsSubscriptionIDs(t *testing.T) {
	b := startHostile(t, true, func(_ *hostileBroker, c net.Conn, _ *bufio.Reader) {
		send := func(p []byte) { _, _ = c.Write(p); time.Sleep(200 * time.Millisecond) }
		send(mqttload.AppendPacket(nil, 0x34, publishBody("a", 7, []byte{0x0B, 1}, "first")))
		send(mqttload.AppendPacket(nil, 0x3C, publishBody("a", 7, []byte{0x0B, 1}, "first again")))
		send(mqttload.AppendPacket(nil, 0x30, publishBody("b", 0, []byte{0x0B, 1, 0x0B, 2}, "two ids")))
		send(mqttload.AppendPacket(nil, 0x30, publishBody("c", 0, []byte{0x0B, 3}, "one id")))
	})
	o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(), mqtt.MQTT5)
	o.Reconnect.Enabled = false
	_, rec := open(t, o)
	msgs := rec.waitMessages(t, 3)
	want := map[string]string{"a": "[1]", "b": "[1 2]", "c": "[3]"}
	for _, m := range msgs {
		if got := fmt.Sprint(m.Properties.SubscriptionIDs); got != want[m.Topic] {
			t.Errorf("%s: subscription identifiers %s, want %s", m.Topic, got, want[m.Topic])
		}
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(rec.waitMessagesNow()); n != 3 {
		t.Errorf("%d messages delivered, want 3 (the copy is not delivered again)", n)
	}
}

// TestBadConnackRefused: what a broker sends instead of a valid CONNACK
// fails the connection with one sentence.
func TestBadConnackRefused(t *testing.T) {
	for _, c := range []struct {
		name  string
		v5    bool
		reply []byte
		words string
	}{
		{"3.1.1 CONNACK code 6", false, []byte{0x20, 2, 0, 6}, "return code 6"},
		{"AUTH unasked", true, []byte{0xF0, 2, 0x18, 0}, "no authentication method"},
		{"DISCONNECT before CONNACK", true, []byte{0xE0, 2, 0x87, 0}, "DISCONNECT before its CONNACK"},
		{"5.0 CONNACK of 2 bytes accepting", true, []byte{0x20, 2, 0, 0}, "CONNACK without properties"},
		{"3.1.1 PUBLISH before CONNACK", false, []byte{0x30, 4, 0, 1, 't', 'x'}, "PUBLISH before its CONNACK"},
	} {
		t.Run(c.name, func(t *testing.T) {
			port := fakeBroker(t, c.reply)
			version := mqtt.MQTT311
			if c.v5 {
				version = mqtt.MQTT5
			}
			o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", port, version)
			o.Reconnect.Enabled, o.ConnectTimeout = false, 3
			s, err := NewSession(o, newRecorder())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Disconnect(context.Background())
			ctx, cancel := contextWithTimeout(6 * time.Second)
			defer cancel()
			err = s.Connect(ctx)
			var perr *Error
			if !errors.As(err, &perr) || !strings.Contains(perr.Sentence, c.words) {
				t.Fatalf("Connect: %v, want a sentence saying %q", err, c.words)
			}
		})
	}
}
