package localbroker

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
)

// TestQoS1StreamKeepsUpWithAcks streams QoS 1 messages to a subscriber
// that acknowledges each one, with up to a thousand unacknowledged at a
// time: the broker must read the acknowledgements as fast as messages
// come, so that none is dropped for a full in-flight store and every one
// arrives.
func TestQoS1StreamKeepsUpWithAcks(t *testing.T) {
	b := startBroker(t, testConfig())
	addr := b.mustEndpoint(t, "mqtt").Addr
	s := mqttload.Scenario{Subscribers: 1, QoS: 1, Messages: 30_000, PayloadSize: 64}
	if _, err := mqttload.Run(addr, s, time.Minute); err != nil {
		t.Fatalf("%v (dropped for a full in-flight store: %d)", err, atomic.LoadInt64(&b.srv.Info.InflightDropped))
	}
	if dropped := atomic.LoadInt64(&b.srv.Info.InflightDropped); dropped != 0 {
		t.Errorf("%d messages dropped for a full in-flight store", dropped)
	}
}
