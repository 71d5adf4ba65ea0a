package localbroker

import (
	"bytes"
	"testing"

	"github.com/mochi-mqtt/server/v2/packets"
)

// publishBytes encodes a QoS 1 PUBLISH of id to topic "gather".
func publishBytes(t *testing.T, version byte, id uint16) []byte {
	t.Helper()
	pk := packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: 1},
		TopicName:   "gather", Payload: []byte("payload"), PacketID: id, ProtocolVersion: version,
	}
	var buf bytes.Buffer
	if err := encode(&pk, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAcksOfABurstAllArrive: a publisher that sends a burst of QoS 1
// messages in one write, so that the broker reads them from its buffer
// and gathers the PUBACKs, gets every PUBACK in order; a packet the
// broker refuses at the end of such a burst still gets its DISCONNECT,
// after the acks of what came before.
func TestAcksOfABurstAllArrive(t *testing.T) {
	b := startBroker(t, testConfig())
	c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	c.connect(connectPacket("burst"))
	var burst []byte
	for id := uint16(1); id <= 200; id++ {
		burst = append(burst, publishBytes(t, 5, id)...)
	}
	burst = append(burst, 0x32, 0x03, 0x00, 0x01, '#') // QoS 1 PUBLISH to "#": no packet ID, a malformed packet
	c.sendRaw(burst)
	for id := uint16(1); id <= 200; id++ {
		if ack := c.expect(packets.Puback); ack.PacketID != id {
			t.Fatalf("PUBACK for %d where %d was due", ack.PacketID, id)
		}
	}
	c.expect(packets.Disconnect)
}

// TestAckNotHeldForAPartPacket: the ack of a message is sent even while
// the packet after it has only partly arrived, and the broker waits for the
// rest: it never holds an answer back across a read that can block.
func TestAckNotHeldForAPartPacket(t *testing.T) {
	b := startBroker(t, testConfig())
	c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 4)
	c.connect(connectPacket("part"))
	third := publishBytes(t, 4, 3)
	c.sendRaw(append(append(publishBytes(t, 4, 1), publishBytes(t, 4, 2)...), third[:4]...))
	for id := uint16(1); id <= 2; id++ {
		if ack := c.expect(packets.Puback); ack.PacketID != id {
			t.Fatalf("PUBACK for %d, want %d", ack.PacketID, id)
		}
	}
	c.sendRaw(third[4:])
	if ack := c.expect(packets.Puback); ack.PacketID != 3 {
		t.Fatalf("PUBACK for %d, want 3", ack.PacketID)
	}
}
