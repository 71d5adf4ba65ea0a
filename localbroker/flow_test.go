package localbroker

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// receiveMax2 is a CONNECT with Receive Maximum 2.
func receiveMax2(id string, clean bool) packets.Packet {
	pk := persistentConnect(id, clean)
	pk.Properties.ReceiveMaximum = 2
	return pk
}

// takeWithin2 reads n QoS 1 PUBLISH packets, acknowledging one only when
// two are unacknowledged and nothing more has come for 50 ms: it fails
// if a third arrives before an acknowledgement.
func (c *rawClient) takeWithin2(n int) {
	c.t.Helper()
	var open []uint16
	for got := 0; got < n; {
		wait := 5 * time.Second
		if len(open) == 2 {
			wait = 50 * time.Millisecond
		}
		pk, err := c.read(wait)
		switch {
		case err == nil && pk.FixedHeader.Type == packets.Publish && len(open) == 2:
			c.t.Fatalf("a third unacknowledged PUBLISH (id %d) with Receive Maximum 2", pk.PacketID)
		case err == nil && pk.FixedHeader.Type == packets.Publish:
			open = append(open, pk.PacketID)
			got++
		case err == nil:
			c.t.Fatalf("unexpected packet type %d", pk.FixedHeader.Type)
		case len(open) == 2 && isTimeout(err):
			c.ack(packets.Puback, open[0])
			open = open[1:]
		default:
			c.t.Fatalf("%d of %d messages, then: %v", got, n, err)
		}
	}
	for _, id := range open {
		c.ack(packets.Puback, id)
	}
}

// TestReceiveMaximumNeverExceeded has three publishers send twelve QoS 1
// messages at once to a subscriber with Receive Maximum 2, which acks
// one only after checking that no third came.
func TestReceiveMaximumNeverExceeded(t *testing.T) {
	b := startBroker(t, testConfig())
	s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	s.connect(receiveMax2("flow-sub", true))
	s.subscribe(packets.Properties{}, sub("flow", 1))

	var wg sync.WaitGroup
	for i := range 3 {
		p := connected(t, b, "flow-pub-"+strconv.Itoa(i))
		wg.Go(func() {
			for id := uint16(1); id <= 4; id++ {
				p.publish("flow", []byte{byte(id)}, 1, false, packets.Properties{}, id)
			}
		})
	}
	wg.Wait()
	s.takeWithin2(12)
	s.expectNothing(200 * time.Millisecond)
}

// TestReceiveMaximumOnResume queues five QoS 1 messages for an offline
// session: on reconnecting with Receive Maximum 2, the broker must resend
// two, and the rest as they are acknowledged.
func TestReceiveMaximumOnResume(t *testing.T) {
	b := startBroker(t, testConfig())
	s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	s.connect(receiveMax2("resume", true))
	s.subscribe(packets.Properties{}, sub("resume", 1))
	s.disconnect()

	p := connected(t, b, "resume-pub")
	for id := uint16(1); id <= 5; id++ {
		p.publish("resume", []byte{byte(id)}, 1, false, packets.Properties{}, id)
		p.expect(packets.Puback)
	}
	// The PUBACK comes before the message is queued to subscribers: wait
	// until the session holds all five, or the reconnect races the last.
	waitFor(t, "five messages queued", func() bool { return b.inflight("resume") == 5 })
	s2 := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	if !s2.connect(receiveMax2("resume", false)).SessionPresent {
		t.Fatal("session not present")
	}
	s2.takeWithin2(5)
	s2.expectNothing(200 * time.Millisecond)
}

// TestServerKeepAlive sets a maximum keep-alive of 60 s: MQTT 5 clients
// asking for none or more are told 60 in CONNACK; 3.1.1 clients cannot
// be told, and are refused as mosquitto refuses them (0x02).
func TestServerKeepAlive(t *testing.T) {
	cases := []struct {
		version   byte
		keepalive uint16
		refused   byte   // CONNACK reason
		announced uint16 // Server Keep Alive; 0: none
	}{
		{5, 0, 0, 60},
		{5, 120, 0, 60},
		{5, 60, 0, 0},
		{5, 30, 0, 0},
		{4, 30, 0, 0},
		{4, 0, 0x02, 0},
		{4, 120, 0x02, 0},
	}
	cfg := testConfig()
	cfg.MaxKeepAlive = 60
	b := startBroker(t, cfg)
	for _, tc := range cases {
		c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, tc.version)
		pk := connectPacket("ka")
		pk.Connect.Keepalive = tc.keepalive
		c.send(pk)
		ack := c.expect(packets.Connack)
		announced := uint16(0)
		if ack.Properties.ServerKeepAliveFlag {
			announced = ack.Properties.ServerKeepAlive
		}
		if ack.ReasonCode != tc.refused || announced != tc.announced {
			t.Errorf("MQTT %d asking %d s: CONNACK 0x%02x, Server Keep Alive %d; want 0x%02x, %d",
				tc.version, tc.keepalive, ack.ReasonCode, announced, tc.refused, tc.announced)
		}
		c.disconnect()
	}
}

// TestServerKeepAliveEnforced: a client asking for no keep-alive from a
// broker whose maximum is 1 s is told 1 s and cut off when it stays idle.
func TestServerKeepAliveEnforced(t *testing.T) {
	cfg := testConfig()
	cfg.MaxKeepAlive = 1
	b := startBroker(t, cfg)
	c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	pk := connectPacket("idle")
	pk.Connect.Keepalive = 0
	if ack := c.connect(pk); ack.Properties.ServerKeepAlive != 1 {
		t.Fatalf("Server Keep Alive %d, want 1", ack.Properties.ServerKeepAlive)
	}
	start := time.Now()
	_, err := c.read(5 * time.Second)
	if err == nil || isTimeout(err) {
		t.Fatalf("idle client not cut off: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("cut off after %v", took)
	}
}
