package mqttcore

import (
	"bytes"
	"encoding/binary"
)

// maxInternedTopics bounds the topic cache of one connection.
const maxInternedTopics = 4096

// topicCache interns the topics of incoming messages, which repeat, so
// that each is allocated once rather than once per message.
type topicCache map[string]string

func (c *topicCache) intern(b []byte) string {
	if s, ok := (*c)[string(b)]; ok {
		return s
	}
	if *c == nil || len(*c) >= maxInternedTopics {
		*c = make(topicCache)
	}
	s := string(b)
	(*c)[s] = s
	return s
}

// decodePublish decodes a PUBLISH packet's body as the message it carries,
// as paho would; v5 says whether properties follow the variable header.
// The payload is copied. It reports false when the body is malformed or
// carries a property a PUBLISH may not.
func decodePublish(header byte, body []byte, v5 bool, topics *topicCache) (Message, bool) {
	m := Message{QoS: header >> 1 & 3, Retain: header&1 != 0, Duplicate: header&8 != 0}
	if m.QoS > 2 || len(body) < 2 {
		return m, false
	}
	n := int(binary.BigEndian.Uint16(body))
	if len(body) < 2+n {
		return m, false
	}
	m.Topic, body = topics.intern(body[2:2+n]), body[2+n:]
	if m.QoS > 0 {
		if len(body) < 2 {
			return m, false
		}
		m.PacketID, body = binary.BigEndian.Uint16(body), body[2:]
	}
	if v5 {
		size, used, ok := uvarint(body)
		if !ok || len(body) < used+size || !decodeProperties(body[used:used+size], &m.Properties) {
			return m, false
		}
		body = body[used+size:]
	}
	m.Payload = bytes.Clone(body)
	if m.Payload == nil {
		m.Payload = []byte{}
	}
	return m, true
}

// decodeProperties decodes the properties of a PUBLISH into p.
func decodeProperties(b []byte, p *Properties) bool {
	for len(b) > 0 {
		id := b[0]
		b = b[1:]
		size, ok := propertySize(id, b)
		if !ok || size > len(b) {
			return false
		}
		v := b[:size]
		switch id {
		case 0x01:
			format := v[0]
			p.PayloadFormat = &format
		case 0x02:
			expiry := binary.BigEndian.Uint32(v)
			p.MessageExpiry = &expiry
		case 0x23:
			p.TopicAlias = binary.BigEndian.Uint16(v)
		case 0x0B:
			sub, _, _ := uvarint(v)
			p.SubscriptionIDs = append(p.SubscriptionIDs, sub)
		case 0x03:
			p.ContentType = string(v[2:])
		case 0x08:
			p.ResponseTopic = string(v[2:])
		case 0x09:
			p.CorrelationData = bytes.Clone(v[2:])
		case 0x26:
			k := 2 + int(binary.BigEndian.Uint16(v))
			p.User = append(p.User, UserProperty{Key: string(v[2:k]), Value: string(v[k+2:])})
		}
		b = b[size:]
	}
	return true
}
