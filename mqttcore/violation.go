package mqttcore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// MQTT 5 reason codes a client closes a connection with when the broker
// breaks the protocol.
const (
	reasonMalformed       = 0x81
	reasonProtocolError   = 0x82
	reasonTopicAliasWrong = 0x94
	reasonPacketTooLarge  = 0x95
)

// A violation is a packet from the broker that MQTT does not allow. The tap
// never hands such a packet to a library or to the history: it closes the
// connection, with an MQTT 5 DISCONNECT carrying reason where the version
// has one.
type violation struct {
	reason byte   // reasonMalformed, reasonProtocolError, ...
	what   string // what the broker sent: "a SUBACK with 2 return codes for 1 topic filter"
	size   int    // for reasonPacketTooLarge: the size the packet claimed
	limit  int    // and the largest this connection accepts
}

func malformed(format string, args ...any) *violation {
	return &violation{reason: reasonMalformed, what: fmt.Sprintf(format, args...)}
}

func protocolError(format string, args ...any) *violation {
	return &violation{reason: reasonProtocolError, what: fmt.Sprintf(format, args...)}
}

func (v *violation) Error() string {
	return "the broker sent " + v.what + " (" + mqtt.ReasonText(v.reason) + ")"
}

// errBrokerProtocol is what a violation's *Error wraps, for errors.Is.
var errBrokerProtocol = errors.New("the broker broke the MQTT protocol")

// userError turns v into the *Error the session reports.
func (v *violation) userError() *Error {
	if v.reason == reasonPacketTooLarge {
		return &Error{
			Kind: ErrPacketTooLarge,
			Sentence: fmt.Sprintf("The broker sent a packet of %s; this connection accepts at most %s, so mqttdesk closed it. "+
				"Raise Maximum packet size in the connection's settings if you expect messages this large.", byteSize(v.size), byteSize(v.limit)),
			Err: fmt.Errorf("%w: %v", errBrokerProtocol, v),
		}
	}
	return &Error{
		Kind: ErrProtocol,
		Sentence: fmt.Sprintf("The broker sent %s, which MQTT does not allow, so mqttdesk closed the connection (%s); "+
			"the broker needs fixing, not your settings.", v.what, mqtt.ReasonText(v.reason)),
		Err: fmt.Errorf("%w: %v", errBrokerProtocol, v),
	}
}

// byteSize formats n bytes for a sentence: "512 bytes", "64 MiB", "1.5 GiB".
func byteSize(n int) string {
	const kib, mib, gib = 1 << 10, 1 << 20, 1 << 30
	switch {
	case n >= gib:
		return trimUnit(float64(n)/gib, "GiB")
	case n >= mib:
		return trimUnit(float64(n)/mib, "MiB")
	case n >= 10*kib:
		return trimUnit(float64(n)/kib, "KiB")
	}
	return fmt.Sprintf("%d bytes", n)
}

func trimUnit(v float64, unit string) string {
	if v == float64(int(v)) {
		return fmt.Sprintf("%d %s", int(v), unit)
	}
	return fmt.Sprintf("%.1f %s", v, unit)
}

// disconnectPacket encodes the MQTT 5 DISCONNECT a client sends for v: its
// reason code and, as the reason string, what was wrong.
func disconnectPacket(v *violation) []byte {
	reason := v.Error()
	if len(reason) > 100 { // the packet's lengths stay one byte each
		reason = strings.ToValidUTF8(reason[:100], "")
	}
	props := append([]byte{0x1F, 0, byte(len(reason))}, reason...)
	body := append([]byte{v.reason, byte(len(props))}, props...)
	return append([]byte{pktDisconnect << 4, byte(len(body))}, body...)
}
