package localbroker

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// levels returns a topic of n levels named "a".
func levels(n int) string {
	return strings.Repeat("a/", n-1) + "a"
}

// reasonString is the reason string property mochi sends with a refusal.
func reasonString(s string) []byte {
	return append([]byte{0x1f, 0x00, byte(len(s))}, s...)
}

func TestTopicBoundsOnSubscribe(t *testing.T) {
	cases := []struct {
		name    string
		version byte
		filter  string
		want    []byte // SUBACK for the filter and "ok/#"
	}{
		{"5.0, 200 levels", 5, levels(200), []byte{0x90, 0x05, 0x00, 0x01, 0x00, 0x01, 0x01}},
		{"5.0, 201 levels", 5, levels(201), []byte{0x90, 0x05, 0x00, 0x01, 0x00, 0x8f, 0x01}},
		{"5.0, 4096 bytes", 5, strings.Repeat("b", 4096), []byte{0x90, 0x05, 0x00, 0x01, 0x00, 0x01, 0x01}},
		{"5.0, 4097 bytes", 5, strings.Repeat("b", 4097), []byte{0x90, 0x05, 0x00, 0x01, 0x00, 0x8f, 0x01}},
		{"5.0, 32,001 empty levels", 5, strings.Repeat("/", 32000), []byte{0x90, 0x05, 0x00, 0x01, 0x00, 0x8f, 0x01}},
		{"3.1.1, 201 levels", 4, levels(201), []byte{0x90, 0x04, 0x00, 0x01, 0x80, 0x01}},
		{"3.1.1, 4097 bytes", 4, strings.Repeat("b", 4097), []byte{0x90, 0x04, 0x00, 0x01, 0x80, 0x01}},
	}
	b := startBroker(t, testConfig())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, tc.version)
			c.connect(connectPacket("bounds"))
			c.send(packets.Packet{
				FixedHeader: packets.FixedHeader{Type: packets.Subscribe, Qos: 1}, PacketID: 1,
				Filters: packets.Subscriptions{sub(tc.filter, 1), sub("ok/#", 1)},
			})
			got, err := c.readRaw(5 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("SUBACK % x, want % x", got, tc.want)
			}
			c.disconnect()
		})
	}
}

func TestTopicBoundsOnPublish(t *testing.T) {
	refused := reasonString("topic name invalid")
	cases := []struct {
		name    string
		version byte
		qos     byte
		want    []byte // nil: the connection closes
	}{
		{"5.0 QoS 1", 5, 1, append([]byte{0x40, 0x19, 0x00, 0x07, 0x90, 0x15}, refused...)},
		{"5.0 QoS 2", 5, 2, append([]byte{0x50, 0x19, 0x00, 0x07, 0x90, 0x15}, refused...)},
		{"5.0 QoS 0", 5, 0, append([]byte{0xe0, 0x17, 0x90, 0x15}, refused...)},
		{"3.1.1 QoS 1", 4, 1, nil},
	}
	b := startBroker(t, testConfig())
	s := connected(t, b, "deep-sub")
	s.subscribe(packets.Properties{}, sub("#", 1))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, tc.version)
			c.connect(connectPacket("deep-pub"))
			c.publish(levels(201), []byte("x"), tc.qos, true, packets.Properties{}, 7)
			got, err := c.readRaw(5 * time.Second)
			if tc.want == nil {
				if err == nil || isTimeout(err) {
					t.Fatalf("connection not closed: % x, %v", got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("got % x (%v), want % x", got, err, tc.want)
			}
		})
	}
	s.expectNothing(100 * time.Millisecond) // nothing was delivered or retained
}

// TestDeepFiltersStallNoOne sends three SUBSCRIBEs of one 32 KB filter of
// "/" each, then has another client subscribe: it must be answered at
// once. Each such filter cost seconds of CPU under the topic index's lock.
func TestDeepFiltersStallNoOne(t *testing.T) {
	b := startBroker(t, testConfig())
	h := connected(t, b, "hostile")
	for id := uint16(1); id <= 3; id++ {
		h.send(packets.Packet{
			FixedHeader: packets.FixedHeader{Type: packets.Subscribe, Qos: 1}, PacketID: id,
			Filters: packets.Subscriptions{sub(strings.Repeat("/", 32000), 0)},
		})
	}
	start := time.Now()
	probe := connected(t, b, "probe")
	probe.subscribe(packets.Properties{}, sub("probe/#", 0))
	if took := time.Since(start); took > time.Second {
		t.Errorf("another client's CONNECT and SUBSCRIBE took %v", took)
	}
	for range 3 {
		if ack := h.expect(packets.Suback); ack.ReasonCodes[0] != packets.ErrTopicFilterInvalid.Code {
			t.Errorf("deep filter granted: reason 0x%02x", ack.ReasonCodes[0])
		}
	}
}

// TestDeepTopicsWalkedInOnePass lifts the bounds and uses topics of 32,000
// levels: subscribing, publishing to them, unsubscribing and finding
// retained messages must take about as long as the topics are, not their
// square (the index rescanned the topic from its start for every level:
// over a minute here under the race detector).
func TestDeepTopicsWalkedInOnePass(t *testing.T) {
	cfg := testConfig()
	cfg.MaxTopicLevels, cfg.MaxTopicLength = -1, -1
	b := startBroker(t, cfg)
	deep, wild := levels(32000), strings.Repeat("+/", 31999)+"#"
	s := connected(t, b, "deep-sub")
	p := connected(t, b, "deep-pub")
	start := time.Now()
	s.subscribe(packets.Properties{}, sub(deep, 1))
	p.publish(deep, []byte("down there"), 1, true, packets.Properties{}, 1)
	p.expect(packets.Puback)
	got := s.expect(packets.Publish)
	s.send(packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Unsubscribe, Qos: 1}, PacketID: 2,
		Filters: packets.Subscriptions{{Filter: deep}},
	})
	s.expect(packets.Unsuback)
	late := connected(t, b, "late")
	late.subscribe(packets.Properties{}, sub(wild, 1))
	retained := late.expect(packets.Publish)
	took := time.Since(start)
	t.Logf("32,000-level topics: %v", took)
	if took > 5*time.Second {
		t.Errorf("32,000-level topics took %v", took)
	}
	if string(got.Payload) != "down there" || string(retained.Payload) != "down there" {
		t.Errorf("payloads %q and %q", got.Payload, retained.Payload)
	}
}
