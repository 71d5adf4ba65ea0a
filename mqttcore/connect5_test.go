package mqttcore

import (
	"bytes"
	"testing"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// TestOwnConnectMatchesPaho checks our CONNECT encoder byte for byte
// against paho's, for everything paho encodes correctly. (The will
// properties paho leaves out are checked end to end by
// TestWillOnCutConnection.)
func TestOwnConnectMatchesPaho(t *testing.T) {
	o := mqtt.NewOptions("c", mqtt.SchemeMQTT, "h")
	o.Username, o.Password, o.KeepAlive, o.Clean = "user", "pass", 30, false
	o.SessionExpiry, o.ReceiveMaximum, o.MaximumPacketSize, o.TopicAliasMaximum = 60, 100, 1<<20, 5
	o.RequestResponseInfo, o.NoProblemInfo = true, true
	o.UserProperties = []mqtt.UserProperty{{Key: "k", Value: "v"}}
	o.Will = &mqtt.Will{Topic: "w", Payload: []byte("bye"), QoS: 1, Retain: true, Delay: 5, Properties: mqtt.Properties{User: []mqtt.UserProperty{{Key: "u", Value: "1"}}}}

	for _, name := range []string{"everything", "minimal"} {
		if name == "minimal" {
			o = mqtt.NewOptions("c", mqtt.SchemeMQTT, "h")
		}
		var want bytes.Buffer
		cp := connectPacket(o, "id-1").Packet()
		cp.ProtocolName, cp.ProtocolVersion = "MQTT", 5 // as paho.Client.Connect sets them
		if _, err := cp.WriteTo(&want); err != nil {
			t.Fatal(err)
		}
		if got := encodeConnectV5(o, "id-1"); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%s: our CONNECT\n%x\npaho's\n%x", name, got, want.Bytes())
		}
	}
}
