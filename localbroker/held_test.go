package localbroker

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// TestHeldMessagesBounded: what the broker holds for a client, QoS 1
// messages held back by its Receive Maximum or queued while its session
// is offline, counts against the same memory bound as its queue; beyond
// it messages are dropped, counted to the client and logged, and the
// first ones are kept, in order. mochi held them all outside the bound:
// 400 messages of 1 MiB for a subscriber with Receive Maximum 1 that
// never acknowledged took 850 MB.
func TestHeldMessagesBounded(t *testing.T) {
	const (
		count = 40
		size  = 256 << 10 // 40 of them: 10 MiB, for a 4 MiB bound
	)
	for _, mode := range []string{"receive maximum 1", "offline"} {
		t.Run(mode, func(t *testing.T) {
			var log logBuffer
			cfg := testConfig()
			cfg.MaxQueueBytes, cfg.Logger = 4<<20, logTo(&log)
			b := startBroker(t, cfg)
			s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
			pk := persistentConnect("held", false)
			pk.Properties.ReceiveMaximum = 1
			s.connect(pk)
			s.subscribe(packets.Properties{}, sub("held", 1))
			if mode == "offline" {
				s.disconnect()
			}
			p := connected(t, b, "pub")
			payload := make([]byte, size)
			for i := range count {
				binary.BigEndian.PutUint32(payload, uint32(i))
				p.publish("held", payload, 1, false, packets.Properties{}, uint16(i+1))
				p.expect(packets.Puback)
			}
			p.send(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Pingreq}})
			p.expect(packets.Pingresp) // the last PUBLISH has been handed to the subscriber
			dropped := b.Stats().DroppedByClient["held"]
			if dropped < count/2 || dropped >= count {
				t.Fatalf("%d of %d messages of %d KiB dropped for a bound of 4 MiB; want most of them", dropped, count, size>>10)
			}
			if mode == "offline" {
				s = dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
				pk.Connect.Clean = false
				s.connect(pk)
			}
			for i := range count - int(dropped) { // the first ones, in order
				got := s.expect(packets.Publish)
				if n := binary.BigEndian.Uint32(got.Payload); n != uint32(i) {
					t.Fatalf("message %d came as number %d", n, i)
				}
				s.ack(packets.Puback, got.PacketID)
			}
			s.expectNothing(300 * time.Millisecond)
			waitFor(t, "the drops in the log", func() bool { return log.contains("level=WARN", "client=held", "dropped=") })
		})
	}
}
