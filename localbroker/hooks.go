package localbroker

import (
	"bytes"
	"crypto/subtle"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// authHook accepts every client when no users are configured, otherwise
// only the configured username and password pairs. Every authenticated
// client may publish and subscribe to every topic. Without an auth hook
// mochi refuses everyone.
type authHook struct {
	mqtt.HookBase
	users []User
}

func (h *authHook) ID() string { return "mqttdesk-auth" }

func (h *authHook) Provides(b byte) bool {
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck
}

func (h *authHook) OnConnectAuthenticate(_ *mqtt.Client, pk packets.Packet) bool {
	if len(h.users) == 0 {
		return true
	}
	ok := false
	for _, u := range h.users { // compare every entry: no early exit to time
		name := subtle.ConstantTimeCompare([]byte(u.Name), pk.Connect.Username)
		pass := subtle.ConstantTimeCompare([]byte(u.Password), pk.Connect.Password)
		ok = ok || name&pass == 1
	}
	return ok
}

func (h *authHook) OnACLCheck(*mqtt.Client, string, bool) bool { return true }

// complianceHook corrects two places where mochi's packets break the spec.
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
type complianceHook struct {
	mqtt.HookBase
}

func (h *complianceHook) ID() string { return "mqttdesk-compliance" }

func (h *complianceHook) Provides(b byte) bool {
	return bytes.IndexByte([]byte{mqtt.OnPacketEncode}, b) >= 0
}

func (h *complianceHook) OnPacketEncode(cl *mqtt.Client, pk packets.Packet) packets.Packet {
	switch pk.FixedHeader.Type {
	case packets.Publish:
		pk.Mods.DisallowProblemInfo = false
	case packets.Connack:
		if pk.ProtocolVersion < 5 && pk.ReasonCode >= 0x80 {
			pk.ReasonCode = v3RefusalCode(cl)
		}
	}
	return pk
}

func v3RefusalCode(cl *mqtt.Client) byte {
	if cl.Properties.Props.AssignedClientID != "" && !cl.Properties.Clean {
		return packets.Err3ClientIdentifierNotValid.Code
	}
	return packets.Err3ServerUnavailable.Code
}
