package localbroker

import (
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// complianceHook corrects the places where mochi's packets break the spec.
//
// Acknowledgements: mochi answers a QoS 1 PUBLISH with reason 0x01 (the
// granted-QoS code of a SUBACK, no valid PUBACK reason; MQTT.js 5 refuses
// it) and echoes the user properties of PUBLISH, SUBSCRIBE and UNSUBSCRIBE
// in their acks. Acks carry 0x00 and only properties the broker means to
// send: a reason string with a refusal (the PUBREL and PUBCOMP echo is
// turned off with mochi's NoInheritedPropertiesOnAck).
//
// User properties on PUBLISH: mochi drops user properties from all packets
// to a client that sent Request Problem Information = 0 (autopaho does
// whenever session expiry is set), but MQTT-3.1.2-29 only allows that for
// packets other than PUBLISH, CONNACK and DISCONNECT: on PUBLISH they are
// application data.
//
// CONNACK to 3.1.1 clients: mochi answers an empty client ID without clean
// session with 0x80, which is not a 3.1.1 return code; MQTT-3.1.3-8 asks for
// 0x02 (identifier rejected). Any other 5.0-only refusal becomes 0x03
// (server unavailable), the closest 3.1.1 code.
//
// Message expiry: only when the publisher set one; see expiry.go.
//
// Maximum Packet Size: mochi enforces its maximum but does not announce
// it; MQTT 5 CONNACK carries it (3.2.2.3.6).
type complianceHook struct {
	mqtt.HookBase
	maxPacketSize uint32
}

func (h *complianceHook) ID() string { return "mqttdesk-compliance" }

var complianceEvents = eventsOf(mqtt.OnPacketEncode, mqtt.OnPublish, mqtt.OnWill)

func (h *complianceHook) Provides(b byte) bool { return complianceEvents.has(b) }

func (h *complianceHook) OnPacketEncode(cl *mqtt.Client, pk packets.Packet) packets.Packet {
	switch pk.FixedHeader.Type {
	case packets.Publish:
		pk.Mods.DisallowProblemInfo = false
		if !expirySet(&pk) {
			pk.Properties.MessageExpiryInterval = 0
		}
	case packets.Puback, packets.Pubrec:
		if pk.ReasonCode < packets.ErrUnspecifiedError.Code && pk.ReasonCode != packets.CodeNoMatchingSubscribers.Code {
			pk.ReasonCode = packets.CodeSuccess.Code
		}
	case packets.Suback, packets.Unsuback:
		pk.Properties.User = nil
	case packets.Connack:
		if pk.ProtocolVersion < 5 && pk.ReasonCode >= 0x80 {
			pk.ReasonCode = v3RefusalCode(cl)
		}
		pk.Properties.MaximumPacketSize = h.maxPacketSize
	}
	return pk
}

func v3RefusalCode(cl *mqtt.Client) byte {
	if cl.Properties.Props.AssignedClientID != "" && !cl.Properties.Clean {
		return packets.Err3ClientIdentifierNotValid.Code
	}
	return packets.Err3ServerUnavailable.Code
}
