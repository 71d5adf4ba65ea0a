package storage

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/mqttcore"
)

var recordCases = []Message{
	{Time: time.UnixMilli(1700000000123), Direction: Received, QoS: 0, Payload: []byte("hello")},
	{Time: time.UnixMilli(1), Direction: Published, QoS: 2, Retain: true, Payload: []byte{0, 0xff, 0x80}},
	{Time: time.UnixMilli(1700000000000), QoS: 1, Payload: nil, Properties: &mqttcore.Properties{ContentType: "text/plain", User: []mqttcore.UserProperty{{Key: "k", Value: "v"}}}},
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
			!bytes.Equal(out.Payload, in.Payload) || !reflect.DeepEqual(out.Properties, in.Properties) {
			t.Fatalf("case %d: got %+v, want %+v", i, out, in)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	for i, m := range recordCases {
		v, _ := encodeRecord(&m, uint64(i), nil)
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		var m Message
		_, _ = decodeRecord(v, &m) // never panics
	})
}
