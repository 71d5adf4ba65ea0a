package localbroker

import (
	"fmt"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// TestTakeoverKeepsTheNewSession closes a connection and at once connects
// again with its client ID, as a client that reconnects before the broker
// saw its old connection go does: the broker takes the old session over
// while the old connection ends. Each new connection
// subscribes and must receive what is then published: the old
// connection's clean-up must never remove the new one from the broker.
func TestTakeoverKeepsTheNewSession(t *testing.T) {
	for _, version := range []byte{4, 5} {
		t.Run(fmt.Sprintf("MQTT v%d", version), func(t *testing.T) {
			b := startBroker(t, testConfig())
			addr := b.mustEndpoint(t, "mqtt").Addr
			pub := dialRaw(t, addr, version)
			pub.connect(connectPacket("takeover-pub"))
			var prev *rawClient
			for i := range 200 {
				if prev != nil {
					_ = prev.conn.Close()
				}
				c := dialRaw(t, addr, version)
				prev = c
				c.connect(connectPacket("takeover"))
				c.subscribe(packets.Properties{}, sub("takeover/t", 1))
				pub.publish("takeover/t", []byte("m"), 1, false, packets.Properties{}, uint16(i+1))
				pub.expect(packets.Puback)
				if pk, err := c.read(5 * time.Second); err != nil || pk.FixedHeader.Type != packets.Publish {
					t.Fatalf("connection %d of the same client ID received nothing (%v): the takeover lost its session", i+1, err)
				}
			}
		})
	}
}
