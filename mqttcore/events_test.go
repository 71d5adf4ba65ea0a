package mqttcore

import (
	"testing"

	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

func TestEventsOfAConnection(t *testing.T) {
	b := startLocal(t, localbroker.Config{})
	s, rec := open(t, testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(t, mqtt.SchemeMQTT), mqtt.MQTT5))
	connected := rec.waitEvent(t, EventConnected, 1)
	ack := connected.Connack
	if ack == nil || ack.ClientID == "" || !ack.RetainAvailable || ack.MaximumQoS != 2 {
		t.Fatalf("CONNACK details %+v", ack)
	}
	if s.State() != StateConnected || s.Connack() == nil {
		t.Fatalf("state %v", s.State())
	}
	if got := rec.waitEvent(t, EventConnecting, 1); got.Attempt != 1 {
		t.Fatalf("first attempt numbered %d", got.Attempt)
	}
}
