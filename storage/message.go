package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// Message is one stored message: the bytes that arrived (or were sent),
// and everything about them.
type Message struct {
	Seq        uint64 // position in the profile's history, from 1; set by the store
	Time       time.Time
	Direction  model.Direction
	Topic      string
	QoS        byte
	Retain     bool
	Properties *mqtt.Properties // MQTT 5; nil when there were none
	Payload    []byte
	// Status is how a publish went: "" when it was sent (and for every
	// received message), StatusSending while its outcome is not known, or
	// why it was not sent, in a sentence.
	Status string
}

// StatusSending is the Status of a publish whose outcome is not known yet.
const StatusSending = "sending"

// maxStatus bounds the stored sentence of a failed publish.
const maxStatus = 1024

// record layout: flags (1 byte: direction, retain, QoS, has properties,
// a publish still sending or failed), time in Unix milliseconds (uvarint),
// topic ID (uvarint), [properties length (uvarint), properties (JSON)],
// [for a failed publish: its sentence's length (uvarint), the sentence],
// payload (the rest).
const (
	flagPublished = 1 << 0
	flagRetain    = 1 << 1
	flagProps     = 1 << 4
	flagSending   = 1 << 5 // schema 2
	flagFailed    = 1 << 6 // schema 2
	qosShift      = 2
)

// flagsKnown are the flag bits a record may have; qosMask its QoS bits.
const (
	flagsKnown = flagPublished | flagRetain | 3<<qosShift | flagProps | flagSending | flagFailed
	qosMask    = 3 << qosShift
)

var (
	errCorruptRecord = fmt.Errorf("%w: a message record is unreadable", ErrCorrupt)
	errCorruptKey    = fmt.Errorf("%w: a sequence key is not 8 bytes", ErrCorrupt)
	errUnknownTopic  = fmt.Errorf("%w: a message refers to a topic the file lacks", ErrCorrupt)
	errKeyOrder      = fmt.Errorf("%w: messages out of order", ErrCorrupt)
	errEncode        = errors.New("cannot encode the message")
)

// recordSize estimates the encoded size of m, properties aside.
func recordSize(m *Message) int { return 1 + 10 + 10 + len(m.Payload) }

// encodeRecord appends m's record to buf and returns the extended buffer.
func encodeRecord(m *Message, topicID uint64, buf []byte) ([]byte, error) {
	flags := m.QoS << qosShift
	if m.Direction == model.Published {
		flags |= flagPublished
	}
	if m.Retain {
		flags |= flagRetain
	}
	status := statusFlag(m)
	flags |= status
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
	if status == flagFailed {
		text := m.Status[:min(len(m.Status), maxStatus)]
		buf = binary.AppendUvarint(buf, uint64(len(text)))
		buf = append(buf, text...)
	}
	return append(buf, m.Payload...), nil
}

// statusFlag returns the flag of a publish's status.
func statusFlag(m *Message) byte {
	switch {
	case m.Direction != model.Published || m.Status == "":
		return 0
	case m.Status == StatusSending:
		return flagSending
	}
	return flagFailed
}

// decodeRecord decodes v into m, copying what it keeps (v belongs to the
// transaction). It returns the topic ID; the caller fills in Topic. A
// damaged record is errCorruptRecord; nothing in v can make it panic or
// allocate more than len(v) and the properties' JSON take.
func decodeRecord(v []byte, m *Message) (uint64, error) {
	flags, ms, topicID, rest, err := recordHead(v)
	if err != nil {
		return 0, err
	}
	m.Time = time.UnixMilli(int64(ms))
	m.Direction = model.Direction(flags & flagPublished)
	m.Retain = flags&flagRetain != 0
	m.QoS = flags >> qosShift & 3
	m.Properties = nil
	if flags&flagProps != 0 {
		props, payload, ok := splitProps(rest)
		if !ok {
			return 0, errCorruptRecord
		}
		m.Properties = new(mqtt.Properties)
		if err := json.Unmarshal(props, m.Properties); err != nil {
			return 0, errCorruptRecord
		}
		rest = payload
	}
	if rest, err = decodeStatus(flags, rest, m); err != nil {
		return 0, err
	}
	m.Payload = append([]byte(nil), rest...)
	return topicID, nil
}

// decodeStatus reads a publish's status from the record's rest and returns
// what follows it.
func decodeStatus(flags byte, rest []byte, m *Message) ([]byte, error) {
	m.Status = ""
	switch {
	case flags&(flagSending|flagFailed) == flagSending|flagFailed || flags&(flagSending|flagFailed) != 0 && flags&flagPublished == 0:
		return nil, errCorruptRecord
	case flags&flagSending != 0:
		m.Status = StatusSending
	case flags&flagFailed != 0:
		text, payload, ok := splitProps(rest)
		if !ok || len(text) == 0 || len(text) > maxStatus {
			return nil, errCorruptRecord
		}
		m.Status, rest = string(text), payload
	}
	return rest, nil
}

// recordHead decodes a record's flags, time and topic ID, and returns the
// rest: [properties length, properties], payload.
func recordHead(v []byte) (flags byte, ms, topicID uint64, rest []byte, err error) {
	if len(v) < 1 || v[0]&^flagsKnown != 0 || v[0]&qosMask == qosMask {
		return 0, 0, 0, nil, errCorruptRecord
	}
	flags = v[0]
	ms, n := binary.Uvarint(v[1:])
	if n <= 0 {
		return 0, 0, 0, nil, errCorruptRecord
	}
	rest = v[1+n:]
	topicID, n = binary.Uvarint(rest)
	if n <= 0 {
		return 0, 0, 0, nil, errCorruptRecord
	}
	return flags, ms, topicID, rest[n:], nil
}

// splitProps splits what follows a record's topic ID into its properties
// and its payload; ok is false when the length does not fit.
func splitProps(rest []byte) (props, payload []byte, ok bool) {
	size, n := binary.Uvarint(rest)
	if n <= 0 || uint64(len(rest)-n) < size {
		return nil, nil, false
	}
	end := n + int(size)
	return rest[n:end], rest[end:], true
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// keySeq decodes a sequence key.
func keySeq(k []byte) (uint64, error) {
	if len(k) != 8 {
		return 0, errCorruptKey
	}
	return binary.BigEndian.Uint64(k), nil
}
