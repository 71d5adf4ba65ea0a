package mqttcore

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// inboundCheck checks every packet the broker sends before a library sees
// it: paho.mqtt.golang indexes SUBACK return codes by the request's filters
// without a bounds check, and both libraries deliver PUBLISH packets MQTT
// forbids (QoS 3, packet identifier 0, a topic that is not UTF-8, a topic
// alias never defined). The reading goroutine calls check; the writing
// side records the requests whose answers check verifies.
type inboundCheck struct {
	v5       bool
	aliasMax uint16 // the Topic Alias Maximum sent in CONNECT
	aliases  map[uint16]struct{}
	acked    bool // a CONNACK has arrived
	topics   topicCache

	mu       sync.Mutex
	requests map[uint16]request // SUBSCRIBE and UNSUBSCRIBE awaiting their answer
}

// request is a SUBSCRIBE or UNSUBSCRIBE the client sent.
type request struct {
	typ     byte
	filters int // -1 when the packet was too long to count them
}

func newInboundCheck(v5 bool, aliasMax uint16) *inboundCheck {
	return &inboundCheck{v5: v5, aliasMax: aliasMax, aliases: map[uint16]struct{}{}, requests: map[uint16]request{}}
}

// fixedFlags are the header flags MQTT requires of each packet type but
// PUBLISH (MQTT-2.1.3-1).
var fixedFlags = [16]byte{pktPubrel: 0x02, pktSubscribe: 0x02, pktUnsubscribe: 0x02}

// check returns what is wrong with a packet from the broker, or nil.
func (c *inboundCheck) check(header byte, body []byte) *violation {
	typ := header >> 4
	name := packetNames[typ]
	switch {
	case typ == 0 || (typ == pktAuth && !c.v5):
		return malformed("a packet of reserved type %d", typ)
	case typ != pktPublish && header&0x0f != fixedFlags[typ]:
		return malformed("a %s with reserved header flags 0x%X", name, header&0x0f)
	case typ == pktConnect || typ == pktSubscribe || typ == pktUnsubscribe || typ == pktPingreq:
		return protocolError("a %s, which only clients send", name)
	case typ == pktConnack:
		if c.acked {
			return protocolError("a second CONNACK")
		}
		c.acked = true
		return c.checkConnack(body)
	case typ == pktAuth:
		return protocolError("an AUTH, though this client asked for no authentication method")
	case !c.acked:
		return protocolError("a %s before its CONNACK", name) // MQTT-3.14.0-1 for DISCONNECT
	}
	switch typ {
	case pktPublish:
		_, v := c.publish(header, body)
		return v
	case pktPuback, pktPubrec, pktPubrel, pktPubcomp:
		return c.checkAck(typ, body)
	case pktSuback, pktUnsuback:
		return c.checkSuback(typ, body)
	case pktPingresp:
		if len(body) != 0 {
			return malformed("a PINGRESP of %d bytes (it has none)", len(body))
		}
	case pktDisconnect:
		return c.checkReasonAndProperties(typ, body)
	}
	return nil
}

// publish decodes a PUBLISH body and checks it, its topic alias included.
// The message's payload shares body's memory.
func (c *inboundCheck) publish(header byte, body []byte) (mqtt.Message, *violation) {
	m, v := decodePublish(header, body, c.v5, &c.topics)
	if v != nil {
		return m, v
	}
	alias := m.Properties.TopicAlias
	switch {
	case alias == 0:
	case alias > c.aliasMax:
		return m, &violation{reason: reasonTopicAliasWrong, what: fmt.Sprintf("a PUBLISH with topic alias %d, above the Topic Alias Maximum of %d this client sent", alias, c.aliasMax)}
	case m.Topic != "":
		c.aliases[alias] = struct{}{}
	default:
		if _, ok := c.aliases[alias]; !ok {
			return m, protocolError("a PUBLISH with topic alias %d, which it never defined", alias)
		}
	}
	return m, nil
}

// checkConnack checks a CONNACK. A 3.1.1 CONNACK refusing an MQTT 5
// CONNECT is let through: the session reads its code to say why.
func (c *inboundCheck) checkConnack(body []byte) *violation {
	if len(body) < 2 {
		return malformed("a CONNACK of %d bytes", len(body))
	}
	if body[0]&^1 != 0 {
		return malformed("a CONNACK with reserved flags set")
	}
	if !c.v5 {
		if len(body) != 2 {
			return malformed("a CONNACK of %d bytes (MQTT 3.1.1 has 2)", len(body))
		}
		if body[1] > 5 {
			return protocolError("a CONNACK with return code %d, which MQTT 3.1.1 does not define", body[1])
		}
		return nil
	}
	if len(body) == 2 {
		if body[1] >= 1 && body[1] <= 5 {
			return nil // a 3.1.1 broker's refusal; see connectV5
		}
		return malformed("a CONNACK without properties")
	}
	rest, v := checkProperties(pktConnack, body[2:])
	if v == nil && len(rest) > 0 {
		v = malformed("a CONNACK with %d bytes after its properties", len(rest))
	}
	return v
}

// checkAck checks a PUBACK, PUBREC, PUBREL or PUBCOMP.
func (c *inboundCheck) checkAck(typ byte, body []byte) *violation {
	name := packetNames[typ]
	if len(body) < 2 || (!c.v5 && len(body) != 2) {
		return malformed("a %s of %d bytes", name, len(body))
	}
	if binary.BigEndian.Uint16(body) == 0 {
		return protocolError("a %s for packet identifier 0", name)
	}
	if !c.v5 || len(body) == 2 {
		return nil
	}
	if !validAckReason(typ, body[2]) {
		return protocolError("a %s with reason code 0x%02X, which a %s cannot carry", name, body[2], name)
	}
	return c.checkReasonAndProperties(typ, body[2:])
}

// ackReasons are the reason codes MQTT 5 allows in each acknowledgement.
var ackReasons = map[byte][]byte{
	pktPuback:   {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99},
	pktPubrec:   {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99},
	pktPubrel:   {0x00, 0x92},
	pktPubcomp:  {0x00, 0x92},
	pktSuback:   {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2},
	pktUnsuback: {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91},
}

var subackCodesV311 = []byte{0x00, 0x01, 0x02, 0x80}

func validAckReason(typ, code byte) bool {
	for _, c := range ackReasons[typ] {
		if c == code {
			return true
		}
	}
	return false
}

// checkReasonAndProperties checks a body made of an optional reason code
// and optional properties (the end of MQTT 5 acknowledgements,
// DISCONNECT and AUTH).
func (c *inboundCheck) checkReasonAndProperties(typ byte, body []byte) *violation {
	if len(body) <= 1 {
		return nil
	}
	if !c.v5 {
		return malformed("a %s of %d bytes", packetNames[typ], len(body))
	}
	rest, v := checkProperties(typ, body[1:])
	if v == nil && len(rest) > 0 {
		v = malformed("a %s with %d bytes after its properties", packetNames[typ], len(rest))
	}
	return v
}

// checkSuback checks a SUBACK or UNSUBACK against the request it answers:
// one valid code for each filter that request carried (MQTT-3.9.3-1).
func (c *inboundCheck) checkSuback(typ byte, body []byte) *violation {
	name := packetNames[typ]
	if len(body) < 2 {
		return malformed("a %s of %d bytes", name, len(body))
	}
	id := binary.BigEndian.Uint16(body)
	req, ok := c.answered(id)
	want := byte(pktSubscribe)
	if typ == pktUnsuback {
		want = pktUnsubscribe
	}
	if !ok || req.typ != want {
		return protocolError("a %s for packet identifier %d, which no %s of this client had", name, id, packetNames[want])
	}
	codes := body[2:]
	if c.v5 {
		var v *violation
		if codes, v = checkProperties(typ, codes); v != nil {
			return v
		}
	} else if typ == pktUnsuback {
		if len(codes) != 0 {
			return malformed("an UNSUBACK of %d bytes (MQTT 3.1.1 has 2)", len(body))
		}
		return nil
	}
	if req.filters < 0 {
		// Only a SUBACK of the right length is safe for paho.mqtt.golang.
		return protocolError("a %s this client cannot match to the filters of its %s", name, packetNames[want])
	}
	if len(codes) != req.filters {
		return protocolError("a %s with %d return codes for %d topic filters", name, len(codes), req.filters)
	}
	return checkCodes(typ, codes, c.v5)
}

func checkCodes(typ byte, codes []byte, v5 bool) *violation {
	valid := subackCodesV311
	if v5 {
		valid = ackReasons[typ]
	}
	for _, code := range codes {
		ok := false
		for _, v := range valid {
			ok = ok || v == code
		}
		if !ok {
			return protocolError("a %s with return code 0x%02X", packetNames[typ], code)
		}
	}
	return nil
}

// answered removes and returns the request with packet identifier id.
func (c *inboundCheck) answered(id uint16) (request, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.requests[id]
	delete(c.requests, id)
	return r, ok
}

// sent records a SUBSCRIBE or UNSUBSCRIBE the client is about to write,
// from its whole body.
func (c *inboundCheck) sent(typ byte, body []byte) {
	if len(body) < 2 {
		return
	}
	id := binary.BigEndian.Uint16(body)
	filters := countFilters(typ, body[2:], c.v5)
	c.mu.Lock()
	c.requests[id] = request{typ: typ, filters: filters}
	c.mu.Unlock()
}

// countFilters counts the topic filters of a SUBSCRIBE or UNSUBSCRIBE
// after its packet identifier.
func countFilters(typ byte, b []byte, v5 bool) int {
	if v5 {
		n, used, ok := uvarint(b)
		if !ok || len(b) < used+n {
			return -1
		}
		b = b[used+n:]
	}
	count := 0
	for len(b) > 0 {
		size := lengthPrefixed(b, 0)
		if typ == pktSubscribe {
			size++ // the subscription options
		}
		if size <= 0 || size > len(b) {
			return -1
		}
		b = b[size:]
		count++
	}
	return count
}
