package storage

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

var recordCases = []Message{
	{Time: time.UnixMilli(1700000000123), Direction: model.Received, QoS: 0, Payload: []byte("hello")},
	{Time: time.UnixMilli(1), Direction: model.Published, QoS: 2, Retain: true, Payload: []byte{0, 0xff, 0x80}},
	{Time: time.UnixMilli(1700000000000), QoS: 1, Payload: nil, Properties: &mqtt.Properties{ContentType: "text/plain", User: []mqtt.UserProperty{{Key: "k", Value: "v"}}}},
	{Time: time.UnixMilli(5), Direction: model.Published, QoS: 1, Payload: []byte("waiting"), Status: StatusSending},
	{
		Time: time.UnixMilli(6), Direction: model.Published, QoS: 1, Payload: []byte("refused"), Status: "The broker refused the message: not authorized.",
		Properties: &mqtt.Properties{ResponseTopic: "r"},
	},
}

func TestRecordRoundTrip(t *testing.T) {
	for i, in := range recordCases {
		v, err := encodeRecord(&in, uint64(i*300), nil)
		if err != nil {
			t.Fatal(err)
		}
		var out Message
		id, err := decodeRecord(v, &out)
		if err != nil || id != uint64(i*300) {
			t.Fatalf("case %d: id %d, %v", i, id, err)
		}
		out.Topic, out.Seq = in.Topic, in.Seq
		if !out.Time.Equal(in.Time) || out.QoS != in.QoS || out.Retain != in.Retain || out.Direction != in.Direction ||
			!bytes.Equal(out.Payload, in.Payload) || !reflect.DeepEqual(out.Properties, in.Properties) || out.Status != in.Status {
			t.Fatalf("case %d: got %+v, want %+v", i, out, in)
		}
	}
}

// damagedRecords are records no mqttdesk writes. All but the one naming
// an unknown topic fail to decode; that one fails to find its topic.
var damagedRecords = []struct {
	name   string
	record []byte
}{
	{"record empty", nil},
	{"record endless varint", bytes.Repeat([]byte{0xff}, 12)},
	{"record without topic", []byte{0, 1}},
	{"record of unknown flags", []byte{0x80, 1, 1, 'x'}},
	{"record of QoS 3", []byte{3 << qosShift, 1, 1, 'x'}},
	{"record of unknown topic", []byte{0, 1, 99, 'x'}},
	{"properties of 2^60 bytes", []byte{flagProps, 1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, '{'}},
	{"properties past the end", []byte{flagProps, 1, 1, 5, '{', '}'}},
	{"properties not JSON", []byte{flagProps, 1, 1, 2, '{', '{'}},
	{"properties of the wrong shape", []byte{flagProps, 1, 1, 2, '[', ']'}},
}

func TestDamagedRecords(t *testing.T) {
	cache := &topicCache{names: []string{"", "a/b"}, loaded: true}
	for _, tc := range damagedRecords {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeMessage(seqKey(7), tc.record, cache)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decoded to %v, want ErrCorrupt", err)
			}
		})
	}
}

// FuzzDecodeRecord: no record makes the decoder panic or allocate more
// than the record holds, and what decodes encodes back to a record that
// decodes the same. Run briefly with
// go test -run x -fuzz FuzzDecodeRecord -fuzztime 10s ./storage/
func FuzzDecodeRecord(f *testing.F) {
	for i, m := range recordCases {
		v, _ := encodeRecord(&m, uint64(i), nil)
		f.Add(v)
	}
	for _, r := range damagedRecords {
		f.Add(r.record)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		var m Message
		id, err := decodeRecord(v, &m)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		if len(m.Payload) > len(v) || m.QoS > 2 {
			t.Fatalf("decoded %d payload bytes from %d, QoS %d", len(m.Payload), len(v), m.QoS)
		}
		again, err := encodeRecord(&m, id, nil)
		if err != nil {
			t.Fatal(err)
		}
		var m2 Message
		id2, err := decodeRecord(again, &m2)
		if err != nil || id2 != id || !bytes.Equal(m2.Payload, m.Payload) || !m2.Time.Equal(m.Time) || m2.QoS != m.QoS ||
			m2.Retain != m.Retain || m2.Direction != m.Direction || !reflect.DeepEqual(m2.Properties, m.Properties) {
			t.Fatalf("re-encoded record decodes to %+v (%v), want %+v", m2, err, m)
		}
	})
}
