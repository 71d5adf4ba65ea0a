package localbroker

import (
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// TestSubscribersFollowEveryChange: the subscribers of a topic that has
// been published to (and so are cached) follow every subscribe and
// unsubscribe, of a client's own filter and of a wildcard.
func TestSubscribersFollowEveryChange(t *testing.T) {
	b := startBroker(t, testConfig())
	addr := b.mustEndpoint(t, "mqtt").Addr
	pub := dialRaw(t, addr, 5)
	pub.connect(connectPacket("pub"))
	first, second := dialRaw(t, addr, 5), dialRaw(t, addr, 5)
	first.connect(connectPacket("first"))
	second.connect(connectPacket("second"))
	first.subscribe(packets.Properties{}, packets.Subscription{Filter: "cache/t"})
	send := func(payload string) {
		pub.publish("cache/t", []byte(payload), 0, false, packets.Properties{}, 0)
	}
	send("one") // the topic's subscribers are now cached: first
	if pk := first.expect(packets.Publish); string(pk.Payload) != "one" {
		t.Fatalf("first got %q", pk.Payload)
	}
	second.subscribe(packets.Properties{}, packets.Subscription{Filter: "cache/#"})
	send("two")
	for _, c := range []*rawClient{first, second} {
		if pk := c.expect(packets.Publish); string(pk.Payload) != "two" {
			t.Fatalf("got %q, want two", pk.Payload)
		}
	}
	first.send(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Unsubscribe, Qos: 1}, PacketID: 2, Filters: packets.Subscriptions{{Filter: "cache/t"}}})
	first.expect(packets.Unsuback)
	send("three")
	if pk := second.expect(packets.Publish); string(pk.Payload) != "three" {
		t.Fatalf("second got %q", pk.Payload)
	}
	first.expectNothing(300 * time.Millisecond)
}
