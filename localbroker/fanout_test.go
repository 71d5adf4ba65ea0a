package localbroker

import (
	"runtime"
	"testing"

	"github.com/mochi-mqtt/server/v2/packets"
)

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestFanOutSharesPayloads: a message held for many subscribers is held
// once. mochi copied the payload for each: 20 subscribers that did not
// read turned 171 MB published into 3.4 GB held.
func TestFanOutSharesPayloads(t *testing.T) {
	const (
		subscribers = 10
		messages    = 8
		size        = 2 << 20 // 16 MiB published, 160 MiB if copied for each
	)
	b := startBroker(t, testConfig())
	for i := range subscribers {
		s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
		pk := connectPacket("slow" + string(rune('a'+i)))
		pk.Properties.ReceiveMaximum = 1 // holds all but the first, unacknowledged
		s.connect(pk)
		s.subscribe(packets.Properties{}, sub("big", 1))
	}
	before := heapInUse()
	p := connected(t, b, "pub")
	payload := make([]byte, size)
	for i := range messages {
		payload[0] = byte(i)
		p.publish("big", payload, 1, false, packets.Properties{}, uint16(i+1))
		p.expect(packets.Puback)
	}
	p.send(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Pingreq}})
	p.expect(packets.Pingresp) // every message has been handed to every subscriber
	grown := int64(heapInUse()) - int64(before)
	t.Logf("%d MiB held for %d subscribers: the heap grew by %d MiB", messages*size>>20, subscribers, grown>>20)
	if published := int64(messages * size); grown > 3*published {
		t.Errorf("holding %d MiB for %d subscribers grew the heap by %d MiB", published>>20, subscribers, grown>>20)
	}
	runtime.KeepAlive(payload)
}
