package mqttcore

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// propType is how an MQTT 5 property's value is encoded (MQTT 5.0 2.2.2.2).
type propType byte

const (
	propByte propType = iota + 1
	propTwo
	propFour
	propVarint
	propString
	propBinary
	propPair // a user property: two strings
)

// propSpec describes one MQTT 5 property: its value's encoding, the packets
// a broker may send it in, and whether it may appear more than once.
type propSpec struct {
	typ  propType
	in   uint16 // bit 1<<packet type
	many bool
	flag bool // a byte that must be 0 or 1
}

const (
	inConnack    = 1 << pktConnack
	inPublish    = 1 << pktPublish
	inAcks       = 1<<pktPuback | 1<<pktPubrec | 1<<pktPubrel | 1<<pktPubcomp
	inSuback     = 1 << pktSuback
	inUnsuback   = 1 << pktUnsuback
	inDisconnect = 1 << pktDisconnect
	inAuth       = 1 << pktAuth
	inAll        = inConnack | inPublish | inAcks | inSuback | inUnsuback | inDisconnect | inAuth
)

// brokerProps are the properties a broker may send, by identifier.
var brokerProps = map[byte]propSpec{
	0x01: {typ: propByte, in: inPublish, flag: true},      // payload format indicator
	0x02: {typ: propFour, in: inPublish},                  // message expiry interval
	0x03: {typ: propString, in: inPublish},                // content type
	0x08: {typ: propString, in: inPublish},                // response topic
	0x09: {typ: propBinary, in: inPublish},                // correlation data
	0x0B: {typ: propVarint, in: inPublish, many: true},    // subscription identifier
	0x11: {typ: propFour, in: inConnack | inDisconnect},   // session expiry interval
	0x12: {typ: propString, in: inConnack},                // assigned client identifier
	0x13: {typ: propTwo, in: inConnack},                   // server keep alive
	0x15: {typ: propString, in: inConnack | inAuth},       // authentication method
	0x16: {typ: propBinary, in: inConnack | inAuth},       // authentication data
	0x1A: {typ: propString, in: inConnack},                // response information
	0x1C: {typ: propString, in: inConnack | inDisconnect}, // server reference
	0x1F: {typ: propString, in: inAll &^ inPublish},       // reason string
	0x21: {typ: propTwo, in: inConnack},                   // receive maximum
	0x22: {typ: propTwo, in: inConnack},                   // topic alias maximum
	0x23: {typ: propTwo, in: inPublish},                   // topic alias
	0x24: {typ: propByte, in: inConnack, flag: true},      // maximum QoS (0 or 1 when sent)
	0x25: {typ: propByte, in: inConnack, flag: true},      // retain available
	0x26: {typ: propPair, in: inAll, many: true},          // user property
	0x27: {typ: propFour, in: inConnack},                  // maximum packet size
	0x28: {typ: propByte, in: inConnack, flag: true},      // wildcard subscription available
	0x29: {typ: propByte, in: inConnack, flag: true},      // subscription identifiers available
	0x2A: {typ: propByte, in: inConnack, flag: true},      // shared subscription available
}

// checkProperties checks the property block at the start of b, as a
// broker's packet of type typ carries it, and returns what follows it.
func checkProperties(typ byte, b []byte) ([]byte, *violation) {
	n, used, ok := uvarint(b)
	if !ok || len(b) < used+n {
		return nil, malformed("a %s whose properties run past its end", packetNames[typ])
	}
	props, rest := b[used:used+n], b[used+n:]
	var seen [256]bool
	for len(props) > 0 {
		id := props[0]
		spec, known := brokerProps[id]
		if !known || spec.in&(1<<typ) == 0 {
			return nil, protocolError("a %s with property 0x%02X, which it may not carry", packetNames[typ], id)
		}
		if seen[id] && !spec.many {
			return nil, protocolError("a %s with property 0x%02X twice", packetNames[typ], id)
		}
		seen[id] = true
		size, v := propertyValue(typ, id, spec, props[1:])
		if v != nil {
			return nil, v
		}
		props = props[1+size:]
	}
	return rest, nil
}

// propertyValue checks the value of property id at the start of b and
// returns its encoded size.
func propertyValue(typ, id byte, spec propSpec, b []byte) (int, *violation) {
	size, strs := 0, 0
	switch spec.typ {
	case propByte:
		size = 1
	case propTwo:
		size = 2
	case propFour:
		size = 4
	case propVarint:
		_, used, ok := uvarint(b)
		if !ok {
			return 0, malformed("a %s with a broken property 0x%02X", packetNames[typ], id)
		}
		size = used
	case propString, propBinary:
		size, strs = lengthPrefixed(b, 0), 1
	case propPair:
		size, strs = lengthPrefixed(b, 0), 2
		if size >= 0 {
			if second := lengthPrefixed(b, size); second >= 0 {
				size += second
			} else {
				size = -1
			}
		}
	}
	if size < 0 || size > len(b) {
		return 0, malformed("a %s whose property 0x%02X runs past its end", packetNames[typ], id)
	}
	if spec.typ != propBinary && strs > 0 && !textStrings(b[:size], strs) {
		return 0, malformed("a %s with property 0x%02X that is not UTF-8 text", packetNames[typ], id)
	}
	return size, propertyRange(typ, id, spec, b[:size])
}

// textStrings reports whether the n length-prefixed strings that make up
// b (already checked to fit) are UTF-8 text without U+0000, as MQTT
// requires of its strings (MQTT-1.5.4-1, -2). Their length prefixes are
// not text and are skipped.
func textStrings(b []byte, n int) bool {
	for range n {
		l := 2 + int(binary.BigEndian.Uint16(b))
		if s := b[2:l]; !utf8.Valid(s) || bytes.IndexByte(s, 0) >= 0 {
			return false
		}
		b = b[l:]
	}
	return true
}

// lengthPrefixed returns the size of the length-prefixed string at b[at:],
// or -1 when b is too short for it.
func lengthPrefixed(b []byte, at int) int {
	if len(b) < at+2 {
		return -1
	}
	n := 2 + int(binary.BigEndian.Uint16(b[at:]))
	if len(b) < at+n {
		return -1
	}
	return n
}

// propertyRange checks the values MQTT forbids for some properties.
func propertyRange(typ, id byte, spec propSpec, v []byte) *violation {
	zero := func() bool {
		for _, c := range v {
			if c != 0 {
				return false
			}
		}
		return true
	}
	switch {
	case spec.flag && v[0] > 1:
		return protocolError("a %s with property 0x%02X set to %d (only 0 or 1 are allowed)", packetNames[typ], id, v[0])
	case (id == 0x21 || id == 0x27 || id == 0x0B || id == 0x23) && zero():
		if id == 0x23 {
			return &violation{reason: reasonTopicAliasWrong, what: "a PUBLISH with topic alias 0"}
		}
		return protocolError("a %s with property 0x%02X set to 0", packetNames[typ], id)
	}
	return nil
}
