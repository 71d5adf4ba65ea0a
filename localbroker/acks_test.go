package localbroker

import (
	"bytes"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// userProps is a user property a client sends on a packet the broker
// acknowledges; the acknowledgement must not echo it.
var userProps = packets.Properties{User: []packets.UserProperty{{Key: "k", Val: "v"}}}

// TestAcksAreSuccessWithoutEchoedProperties checks, byte for byte, the
// acknowledgements of PUBLISH (QoS 1 and 2), PUBREL, SUBSCRIBE and
// UNSUBSCRIBE that carried user properties. mochi used to answer PUBLISH
// with reason 0x01 (the QoS) and the publisher's properties, which MQTT.js
// refuses as an invalid PUBACK.
func TestAcksAreSuccessWithoutEchoedProperties(t *testing.T) {
	cases := []struct {
		name    string
		version byte
		send    packets.Packet
		want    []byte
	}{
		{"5.0 QoS 1 PUBLISH with user properties", 5, publishPacket(1, 7, userProps), []byte{0x40, 0x02, 0x00, 0x07}},
		{"5.0 QoS 1 PUBLISH without", 5, publishPacket(1, 7, packets.Properties{}), []byte{0x40, 0x02, 0x00, 0x07}},
		{"5.0 QoS 2 PUBLISH with user properties", 5, publishPacket(2, 9, userProps), []byte{0x50, 0x02, 0x00, 0x09}},
		{"3.1.1 QoS 1 PUBLISH", 4, publishPacket(1, 7, packets.Properties{}), []byte{0x40, 0x02, 0x00, 0x07}},
		{"3.1.1 QoS 2 PUBLISH", 4, publishPacket(2, 9, packets.Properties{}), []byte{0x50, 0x02, 0x00, 0x09}},
		{"5.0 PUBREL with user properties", 5, packets.Packet{
			FixedHeader: packets.FixedHeader{Type: packets.Pubrel, Qos: 1}, PacketID: 9, Properties: userProps,
		}, []byte{0x70, 0x02, 0x00, 0x09}},
		{"5.0 SUBSCRIBE with user properties", 5, packets.Packet{
			FixedHeader: packets.FixedHeader{Type: packets.Subscribe, Qos: 1}, PacketID: 3,
			Filters: packets.Subscriptions{sub("acks/#", 1)}, Properties: userProps,
		}, []byte{0x90, 0x04, 0x00, 0x03, 0x00, 0x01}},
		{"5.0 UNSUBSCRIBE with user properties", 5, packets.Packet{
			FixedHeader: packets.FixedHeader{Type: packets.Unsubscribe, Qos: 1}, PacketID: 4,
			Filters: packets.Subscriptions{{Filter: "acks/none"}}, Properties: userProps,
		}, []byte{0xb0, 0x04, 0x00, 0x04, 0x00, 0x11}},
	}
	b := startBroker(t, testConfig())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, tc.version)
			c.connect(connectPacket("acks"))
			if tc.send.FixedHeader.Type == packets.Pubrel { // complete the PUBLISH half first
				c.send(publishPacket(2, 9, packets.Properties{}))
				c.expect(packets.Pubrec)
			}
			c.send(tc.send)
			got, err := c.readRaw(5 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("got % x, want % x", got, tc.want)
			}
			c.disconnect()
		})
	}
}

func publishPacket(qos byte, id uint16, props packets.Properties) packets.Packet {
	return packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: qos},
		TopicName:   "acks/t", Payload: []byte("x"), PacketID: id, Properties: props,
	}
}
