package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mqttdesk/mqttdesk/mqttcore"
)

// Direction says whether a message was received or published.
type Direction byte

// Directions.
const (
	Received  Direction = 0
	Published Direction = 1
)

// Message is one stored message: the bytes that arrived (or were sent),
// and everything about them.
type Message struct {
	Seq        uint64 // position in the profile's history, from 1; set by the store
	Time       time.Time
	Direction  Direction
	Topic      string
	QoS        byte
	Retain     bool
	Properties *mqttcore.Properties // MQTT 5; nil when there were none
	Payload    []byte
}

// record layout: flags (1 byte: direction, retain, QoS, has properties),
// time in Unix milliseconds (uvarint), topic ID (uvarint), [properties
// length (uvarint), properties (JSON)], payload (the rest).
const (
	flagPublished = 1 << 0
	flagRetain    = 1 << 1
	flagProps     = 1 << 4
	qosShift      = 2
)

var (
	errCorruptRecord = errors.New("corrupt message record")
	errEncode        = errors.New("cannot encode the message")
)

// recordSize estimates the encoded size of m, properties aside.
func recordSize(m *Message) int { return 1 + 10 + 10 + len(m.Payload) }

// encodeRecord appends m's record to buf and returns the extended buffer.
func encodeRecord(m *Message, topicID uint64, buf []byte) ([]byte, error) {
	flags := m.QoS << qosShift
	if m.Direction == Published {
		flags |= flagPublished
	}
	if m.Retain {
		flags |= flagRetain
	}
	var props []byte
	if m.Properties != nil {
		var err error
		if props, err = json.Marshal(m.Properties); err != nil {
			return nil, fmt.Errorf("%w: properties: %v", errEncode, err)
		}
		flags |= flagProps
	}
	buf = append(buf, flags)
	buf = binary.AppendUvarint(buf, uint64(m.Time.UnixMilli()))
	buf = binary.AppendUvarint(buf, topicID)
	if props != nil {
		buf = binary.AppendUvarint(buf, uint64(len(props)))
		buf = append(buf, props...)
	}
	return append(buf, m.Payload...), nil
}

// decodeRecord decodes v into m, copying what it keeps (v belongs to the
// transaction). It returns the topic ID; the caller fills in Topic.
func decodeRecord(v []byte, m *Message) (uint64, error) {
	if len(v) < 1 {
		return 0, errCorruptRecord
	}
	flags := v[0]
	v = v[1:]
	ms, n := binary.Uvarint(v)
	if n <= 0 {
		return 0, errCorruptRecord
	}
	v = v[n:]
	topicID, n := binary.Uvarint(v)
	if n <= 0 {
		return 0, errCorruptRecord
	}
	v = v[n:]
	m.Time = time.UnixMilli(int64(ms))
	m.Direction = Direction(flags & flagPublished)
	m.Retain = flags&flagRetain != 0
	m.QoS = flags >> qosShift & 3
	if flags&flagProps != 0 {
		size, n := binary.Uvarint(v)
		if n <= 0 || uint64(len(v)-n) < size {
			return 0, errCorruptRecord
		}
		m.Properties = new(mqttcore.Properties)
		if err := json.Unmarshal(v[n:n+int(size)], m.Properties); err != nil {
			return 0, errCorruptRecord
		}
		v = v[n+int(size):]
	}
	m.Payload = append([]byte(nil), v...)
	return topicID, nil
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func keySeq(k []byte) uint64 { return binary.BigEndian.Uint64(k) }
