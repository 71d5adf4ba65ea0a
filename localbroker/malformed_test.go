package localbroker

import (
	"bytes"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// connectWithProps is an MQTT 5 CONNECT of client "c" with the given properties.
func connectWithProps(props []byte) []byte {
	body := append([]byte{0, 4, 'M', 'Q', 'T', 'T', 5, 0x02, 0, 30}, varint(len(props))...)
	body = append(append(body, props...), 0, 1, 'c')
	return append(append([]byte{0x10}, varint(len(body))...), body...)
}

// TestConnectPropertiesRefused: CONNECT properties MQTT forbids are
// answered with CONNACK 0x82 (protocol error) or 0x81 (malformed). mochi
// took them: a Receive Maximum of 0 meant no maximum, and a user property
// cut short was read on from the client ID.
func TestConnectPropertiesRefused(t *testing.T) {
	b := startBroker(t, testConfig())
	for _, tc := range []struct {
		name  string
		props []byte
		code  byte
	}{
		{"none", nil, 0x00},
		{"Receive Maximum 0", []byte{0x21, 0, 0}, 0x82},
		{"Maximum Packet Size 0", []byte{0x27, 0, 0, 0, 0}, 0x82},
		{"Topic Alias Maximum twice", []byte{0x22, 0, 10, 0x22, 0, 10}, 0x82},
		{"Session Expiry twice", []byte{0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 1}, 0x82},
		{"two user properties", []byte{0x26, 0, 1, 'k', 0, 1, 'v', 0x26, 0, 1, 'k', 0, 1, 'w'}, 0x00},
		{"a user property cut short", []byte{0x26, 0, 1, 'k', 0, 5, 'v'}, 0x81},
	} {
		c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
		c.sendRaw(connectWithProps(tc.props))
		if ack := c.expect(packets.Connack); ack.ReasonCode != tc.code {
			t.Errorf("%s: CONNACK 0x%02x, want 0x%02x", tc.name, ack.ReasonCode, tc.code)
		}
		_ = c.conn.Close()
	}
}

// TestFiltersRefused: a SUBSCRIBE filter whose wildcard is not a whole
// level, or a shared one without a share name or a filter, is refused
// with 0x8F (3.1.1: 0x80), as other invalid filters are; mochi granted
// them.
func TestFiltersRefused(t *testing.T) {
	b := startBroker(t, testConfig())
	for _, version := range []byte{4, 5} {
		c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, version)
		c.connect(connectPacket("filters"))
		filters := []string{"a+", "a/b#", "+a/b", "$share//a", "$share/g/", "a/+/b", "$share/g/a/#"}
		var subs []packets.Subscription
		for _, f := range filters {
			subs = append(subs, sub(f, 0))
		}
		want := []byte{0x8F, 0x8F, 0x8F, 0x8F, 0x8F, 0, 0}
		if version == 4 {
			want = []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0, 0}
		}
		got := c.subscribe(packets.Properties{}, subs...).ReasonCodes
		for i, f := range filters {
			if i >= len(got) || got[i] != want[i] {
				t.Errorf("MQTT %d, filter %q: SUBACK %x, want 0x%02x", version, f, got, want[i])
			}
		}
	}
}

// TestPacketsRefusedWithDisconnect: a SUBSCRIBE with Subscription
// Identifier 0 and a PUBLISH on a topic alias never defined are protocol
// errors: DISCONNECT 0x82, as is a Payload Format Indicator other than 0
// or 1. mochi granted the first, published the second to the empty topic
// and retained the last.
func TestPacketsRefusedWithDisconnect(t *testing.T) {
	b := startBroker(t, testConfig())
	for _, tc := range []struct {
		name   string
		packet []byte
	}{
		{"Subscription Identifier 0", []byte{0x82, 9, 0, 1, 2, 0x0B, 0, 0, 1, 'a', 0}},
		{"undefined topic alias", []byte{0x30, 6, 0, 0, 3, 0x23, 0, 7}},
		{"Subscription Identifier twice", []byte{0x82, 11, 0, 1, 4, 0x0B, 1, 0x0B, 2, 0, 1, 'a', 0}},
		// Retained, it reached every subscriber again on each reconnect,
		// and those that check the property closed the connection on it.
		{"Payload Format Indicator 2", []byte{0x31, 7, 0, 1, 'p', 2, 0x01, 0x02, 'x'}},
	} {
		c := connected(t, b, "c")
		c.sendRaw(tc.packet)
		pk, err := c.read(5 * time.Second)
		if err != nil || pk.FixedHeader.Type != packets.Disconnect || pk.ReasonCode != 0x82 {
			t.Errorf("%s: packet type %d reason 0x%02x (%v), want DISCONNECT 0x82", tc.name, pk.FixedHeader.Type, pk.ReasonCode, err)
		}
		_ = c.conn.Close()
	}
	sub := connected(t, b, "later")
	sub.subscribe(packets.Properties{}, packets.Subscription{Filter: "p"})
	sub.expectNothing(500 * time.Millisecond)
}

// TestRefusedPacketLoggedBySize: a refused PUBLISH is logged by its kind
// and size. Logged whole, its payload took four bytes of log for each of
// its own, so that a few refused large packets filled the disk.
func TestRefusedPacketLoggedBySize(t *testing.T) {
	var log logBuffer
	cfg := testConfig()
	cfg.Logger = logTo(&log)
	b := startBroker(t, cfg)
	c := connected(t, b, "c")
	payload := bytes.Repeat([]byte{0xff}, 100_000)
	body := append([]byte{0, 0, 3, 0x23, 0, 7}, payload...) // an alias never defined
	c.sendRaw(append(append([]byte{0x30}, varint(len(body))...), body...))
	if pk, err := c.read(5 * time.Second); err != nil || pk.FixedHeader.Type != packets.Disconnect {
		t.Fatalf("packet type %d (%v), want DISCONNECT", pk.FixedHeader.Type, err)
	}
	waitFor(t, "the log line", func() bool { return log.contains("error processing packet") })
	if n := len(log.String()); n > 2000 || !log.contains("type=Publish", "bytes=100006") {
		t.Errorf("the log holds %d bytes for one refused packet:\n%.300s", n, log.String())
	}
}
