package mqttcore

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// maxInternedTopics bounds the topic cache of one connection.
const maxInternedTopics = 4096

// topicCache interns the topics of incoming messages, which repeat, so
// that each is allocated once rather than once per message. Only valid
// topic names enter it, so a topic found in it needs no further check.
type topicCache map[string]string

// intern returns the topic b names, or what is wrong with it.
func (c *topicCache) intern(b []byte) (string, *violation) {
	if s, ok := (*c)[string(b)]; ok {
		return s, nil
	}
	if v := topicNameProblem(b); v != nil {
		return "", v
	}
	if *c == nil || len(*c) >= maxInternedTopics {
		*c = make(topicCache)
	}
	s := string(b)
	(*c)[s] = s
	return s, nil
}

// topicNameProblem says what MQTT forbids in a PUBLISH's topic name b:
// bytes that are not UTF-8 or U+0000 (MQTT-1.5.4-1, -2), or wildcards
// (MQTT-3.3.2-2). The empty name is checked by the caller.
func topicNameProblem(b []byte) *violation {
	if !utf8.Valid(b) {
		return malformed("a PUBLISH whose topic %q is not UTF-8", b)
	}
	if i := bytes.IndexAny(b, "\x00+#"); i >= 0 {
		if b[i] == 0 {
			return malformed("a PUBLISH whose topic %q holds the character U+0000", b)
		}
		return protocolError("a PUBLISH whose topic %q holds the wildcard %q", b, b[i])
	}
	return nil
}

// decodePublish decodes a PUBLISH packet's body as the message it carries,
// as paho would; v5 says whether properties follow the variable header.
// The payload is not copied: it shares body's memory. It returns what is
// wrong when the packet breaks MQTT; a topic alias is checked by the
// caller, which knows the connection's aliases.
func decodePublish(header byte, body []byte, v5 bool, topics *topicCache) (mqtt.Message, *violation) {
	m := mqtt.Message{QoS: header >> 1 & 3, Retain: header&1 != 0, Duplicate: header&8 != 0}
	if m.QoS > 2 {
		return m, malformed("a PUBLISH with QoS 3")
	}
	n := lengthPrefixed(body, 0)
	if n < 0 {
		return m, malformed("a PUBLISH whose topic runs past its end")
	}
	topic, v := topics.intern(body[2:n])
	if v != nil {
		return m, v
	}
	m.Topic, body = topic, body[n:]
	if m.QoS > 0 {
		if len(body) < 2 {
			return m, malformed("a QoS %d PUBLISH with no packet identifier", m.QoS)
		}
		if m.PacketID, body = binary.BigEndian.Uint16(body), body[2:]; m.PacketID == 0 {
			return m, protocolError("a QoS %d PUBLISH with packet identifier 0", m.QoS)
		}
	}
	if v5 {
		rest, v := checkProperties(pktPublish, body)
		if v != nil {
			return m, v
		}
		decodeProperties(body, &m.Properties)
		body = rest
	}
	if m.Topic == "" && m.Properties.TopicAlias == 0 {
		return m, protocolError("a PUBLISH with an empty topic and no topic alias")
	}
	m.Payload = body
	return m, nil
}

// decodeProperties decodes the property block at the start of b, already
// checked by checkProperties, into p.
func decodeProperties(b []byte, p *mqtt.Properties) {
	n, used, _ := uvarint(b)
	b = b[used : used+n]
	for len(b) > 0 {
		id := b[0]
		size, _ := propertySize(id, b[1:])
		v := b[1 : 1+size]
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
			p.User = append(p.User, mqtt.UserProperty{Key: string(v[2:k]), Value: string(v[k+2:])})
		}
		b = b[1+size:]
	}
}
