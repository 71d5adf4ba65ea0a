package mqttcore

import "encoding/binary"

// MQTT control packet types.
const (
	pktConnect     = 1
	pktConnack     = 2
	pktPublish     = 3
	pktPuback      = 4
	pktPubrec      = 5
	pktPubrel      = 6
	pktPubcomp     = 7
	pktSubscribe   = 8
	pktSuback      = 9
	pktUnsubscribe = 10
	pktUnsuback    = 11
	pktPingreq     = 12
	pktPingresp    = 13
	pktDisconnect  = 14
	pktAuth        = 15
)

var packetNames = [...]string{
	"RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
	"SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH",
}

// prefixCap bounds how much of a packet the parser keeps: enough for a
// PUBLISH's topic, packet ID and properties, never the whole payload.
const prefixCap = 64 << 10

// packetParser splits a byte stream into MQTT packets as it arrives, in
// any chunking, and reports each with the first bytes of its body, or the
// whole body for the packets whole says so of.
type packetParser struct {
	onPacket func(header byte, size int, prefix []byte)
	whole    func(header byte) bool

	header    byte
	lenBytes  int // length bytes read so far
	remaining int // body length being decoded, then bytes of body left
	mult      int
	inBody    bool
	size      int
	prefix    []byte
}

// feed consumes b.
func (p *packetParser) feed(b []byte) {
	for len(b) > 0 {
		if !p.inBody {
			b = p.feedHeader(b)
			continue
		}
		n := min(len(b), p.remaining)
		if keep := prefixCap - len(p.prefix); keep > 0 || (p.whole != nil && p.whole(p.header)) {
			if p.whole != nil && p.whole(p.header) {
				keep = n
			}
			p.prefix = append(p.prefix, b[:min(n, keep)]...)
		}
		p.remaining -= n
		b = b[n:]
		if p.remaining == 0 {
			p.finish()
		}
	}
}

func (p *packetParser) feedHeader(b []byte) []byte {
	c := b[0]
	b = b[1:]
	if p.lenBytes == 0 && p.mult == 0 {
		p.header, p.mult, p.remaining = c, 1, 0
		return b
	}
	p.remaining += int(c&0x7f) * p.mult
	p.mult *= 128
	p.lenBytes++
	if c&0x80 != 0 && p.lenBytes < 4 {
		return b
	}
	p.size = 1 + p.lenBytes + p.remaining
	p.inBody, p.prefix = true, p.prefix[:0]
	if p.remaining == 0 {
		p.finish()
	}
	return b
}

func (p *packetParser) finish() {
	p.onPacket(p.header, p.size, p.prefix)
	p.inBody, p.lenBytes, p.mult = false, 0, 0
}

// publishFields are what the log and the subscription identifiers need
// from a PUBLISH.
type publishFields struct {
	topic    string
	packetID uint16
	alias    uint16
	subIDs   []int
}

// parsePublish reads a PUBLISH body prefix. v5 says whether properties
// follow the variable header.
func parsePublish(header byte, body []byte, v5 bool) (publishFields, bool) {
	var f publishFields
	if len(body) < 2 {
		return f, false
	}
	n := int(binary.BigEndian.Uint16(body))
	if len(body) < 2+n {
		return f, false
	}
	f.topic, body = string(body[2:2+n]), body[2+n:]
	if header>>1&3 > 0 {
		if len(body) < 2 {
			return f, false
		}
		f.packetID, body = binary.BigEndian.Uint16(body), body[2:]
	}
	if v5 {
		parsePublishProperties(body, &f)
	}
	return f, true
}

// parsePublishProperties picks the topic alias and every subscription
// identifier out of a PUBLISH's properties.
func parsePublishProperties(b []byte, f *publishFields) {
	n, used, ok := uvarint(b)
	if !ok || len(b) < used+n {
		return
	}
	props := b[used : used+n]
	for len(props) > 0 {
		id := props[0]
		props = props[1:]
		size, ok := propertySize(id, props)
		if !ok || size > len(props) {
			return
		}
		switch id {
		case 0x0B: // subscription identifier
			if v, _, ok := uvarint(props); ok {
				f.subIDs = append(f.subIDs, v)
			}
		case 0x23: // topic alias
			f.alias = binary.BigEndian.Uint16(props)
		}
		props = props[size:]
	}
}

// propertySize returns the encoded size of a PUBLISH property's value.
func propertySize(id byte, b []byte) (int, bool) {
	switch id {
	case 0x01: // payload format indicator
		return 1, true
	case 0x02: // message expiry interval
		return 4, true
	case 0x23: // topic alias
		return 2, true
	case 0x0B: // subscription identifier
		_, used, ok := uvarint(b)
		return used, ok
	case 0x03, 0x08, 0x09: // content type, response topic, correlation data
		if len(b) < 2 {
			return 0, false
		}
		return 2 + int(binary.BigEndian.Uint16(b)), true
	case 0x26: // user property: two strings
		if len(b) < 2 {
			return 0, false
		}
		k := 2 + int(binary.BigEndian.Uint16(b))
		if len(b) < k+2 {
			return 0, false
		}
		return k + 2 + int(binary.BigEndian.Uint16(b[k:])), true
	}
	return 0, false
}

// uvarint decodes an MQTT variable byte integer.
func uvarint(b []byte) (value, used int, ok bool) {
	mult := 1
	for i := 0; i < 4 && i < len(b); i++ {
		value += int(b[i]&0x7f) * mult
		if b[i]&0x80 == 0 {
			return value, i + 1, true
		}
		mult *= 128
	}
	return 0, 0, false
}
