package mqttcore

import (
	"bytes"
	"encoding/binary"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// willNeedsOwnConnect reports whether the will has properties that
// paho.golang v0.23 leaves out of CONNECT: it encodes will properties with
// CONNECT's property filter, which keeps only the will delay and user
// properties.
func willNeedsOwnConnect(w *mqtt.Will) bool {
	if w == nil {
		return false
	}
	p := w.Properties
	return p.PayloadFormat != nil || p.MessageExpiry != nil || p.ContentType != "" || p.ResponseTopic != "" || len(p.CorrelationData) > 0
}

// encodeConnectV5 encodes the MQTT 5 CONNECT that connectPacket describes,
// will properties included (MQTT 5.0 section 3.1).
func encodeConnectV5(o mqtt.Options, clientID string) []byte {
	var vh bytes.Buffer
	writeString(&vh, "MQTT")
	vh.WriteByte(5)
	vh.WriteByte(connectFlags(o))
	_ = binary.Write(&vh, binary.BigEndian, uint16(o.KeepAlive))
	writeProperties(&vh, connectProperties(o))

	writeString(&vh, clientID)
	if w := o.Will; w != nil {
		writeProperties(&vh, willProperties(w))
		writeString(&vh, w.Topic)
		writeBinary(&vh, w.Payload)
	}
	if o.Username != "" {
		writeString(&vh, o.Username)
	}
	if o.Password != "" {
		writeBinary(&vh, []byte(o.Password))
	}
	var pkt bytes.Buffer
	pkt.WriteByte(pktConnect << 4)
	writeVarint(&pkt, vh.Len())
	pkt.Write(vh.Bytes())
	return pkt.Bytes()
}

func connectFlags(o mqtt.Options) byte {
	var f byte
	if o.Clean {
		f |= 0x02
	}
	if w := o.Will; w != nil {
		f |= 0x04 | w.QoS<<3
		if w.Retain {
			f |= 0x20
		}
	}
	if o.Password != "" {
		f |= 0x40
	}
	if o.Username != "" {
		f |= 0x80
	}
	return f
}

// connectProperties encodes the CONNECT properties in the order paho
// does, so that both encoders produce the same bytes.
func connectProperties(o mqtt.Options) []byte {
	var b bytes.Buffer
	if o.ReceiveMaximum > 0 {
		b.WriteByte(0x21)
		_ = binary.Write(&b, binary.BigEndian, o.ReceiveMaximum)
	}
	if o.TopicAliasMaximum > 0 {
		b.WriteByte(0x22)
		_ = binary.Write(&b, binary.BigEndian, o.TopicAliasMaximum)
	}
	b.WriteByte(0x27)
	_ = binary.Write(&b, binary.BigEndian, o.PacketSizeLimit())
	if o.NoProblemInfo {
		b.Write([]byte{0x17, 0})
	}
	if o.RequestResponseInfo {
		b.Write([]byte{0x19, 1})
	}
	if o.SessionExpiry > 0 {
		b.WriteByte(0x11)
		_ = binary.Write(&b, binary.BigEndian, o.SessionExpiry)
	}
	writeUser(&b, o.UserProperties)
	return b.Bytes()
}

func willProperties(w *mqtt.Will) []byte {
	var b bytes.Buffer
	p := w.Properties
	if w.Delay > 0 {
		b.WriteByte(0x18)
		_ = binary.Write(&b, binary.BigEndian, w.Delay)
	}
	if p.PayloadFormat != nil {
		b.Write([]byte{0x01, *p.PayloadFormat})
	}
	if p.MessageExpiry != nil {
		b.WriteByte(0x02)
		_ = binary.Write(&b, binary.BigEndian, *p.MessageExpiry)
	}
	if p.ContentType != "" {
		b.WriteByte(0x03)
		writeString(&b, p.ContentType)
	}
	if p.ResponseTopic != "" {
		b.WriteByte(0x08)
		writeString(&b, p.ResponseTopic)
	}
	if len(p.CorrelationData) > 0 {
		b.WriteByte(0x09)
		writeBinary(&b, p.CorrelationData)
	}
	writeUser(&b, p.User)
	return b.Bytes()
}

func writeUser(b *bytes.Buffer, user []mqtt.UserProperty) {
	for _, u := range user {
		b.WriteByte(0x26)
		writeString(b, u.Key)
		writeString(b, u.Value)
	}
}

func writeProperties(b *bytes.Buffer, props []byte) {
	writeVarint(b, len(props))
	b.Write(props)
}

func writeString(b *bytes.Buffer, s string) { writeBinary(b, []byte(s)) }

func writeBinary(b *bytes.Buffer, data []byte) {
	_ = binary.Write(b, binary.BigEndian, uint16(len(data)))
	b.Write(data)
}

func writeVarint(b *bytes.Buffer, n int) {
	for {
		c := byte(n % 128)
		n /= 128
		if n > 0 {
			c |= 0x80
		}
		b.WriteByte(c)
		if n == 0 {
			return
		}
	}
}
