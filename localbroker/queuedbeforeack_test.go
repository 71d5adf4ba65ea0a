package localbroker

import (
	"testing"

	"github.com/mochi-mqtt/server/v2/packets"
)

// TestQueuedBeforeAcknowledged: when a publisher has the PUBACK of a QoS 1
// message, the message is already queued for every subscriber, here an
// offline persistent session; a session that takes over at that moment
// finds it in its queue, in order, and nothing is lost between the two.
func TestQueuedBeforeAcknowledged(t *testing.T) {
	b := startBroker(t, testConfig())
	s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	s.connect(persistentConnect("queued", true))
	s.subscribe(packets.Properties{}, sub("acked/#", 1))
	s.disconnect()
	p := connected(t, b, "pub")
	for i := range 300 {
		p.publish("acked/x", []byte{byte(i)}, 1, false, packets.Properties{}, uint16(i+1))
		p.expect(packets.Puback)
		if n := b.inflight("queued"); n != i+1 {
			t.Fatalf("PUBACK of message %d while the subscriber's queue holds %d", i+1, n)
		}
	}
}
