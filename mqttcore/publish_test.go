package mqttcore

import (
	"bytes"
	"context"
	"encoding/binary"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho"

	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

func ptr[T any](v T) *T { return &v }

// publishCases are PUBLISH packets as paho encodes them: the tap's
// decoder must read each as paho's does.
var publishCases = []packets.Publish{
	{Topic: "a/b", Payload: []byte("hello")},
	{Topic: "empty/payload", Payload: []byte{}},
	{Topic: "binary", Payload: []byte{0, 0xff, 0x80, '\n'}, Retain: true},
	{Topic: "q1", QoS: 1, PacketID: 7, Duplicate: true, Payload: []byte("x")},
	{Topic: "q2", QoS: 2, PacketID: 65535, Payload: bytes.Repeat([]byte("z"), 70_000)},
	{Topic: "", Payload: []byte("by alias"), Properties: &packets.Properties{TopicAlias: ptr[uint16](3)}},
	{Topic: "props", Payload: []byte(`{"t":1}`), Properties: &packets.Properties{
		PayloadFormat: ptr[byte](1), MessageExpiry: ptr[uint32](3600), ContentType: "application/json",
		ResponseTopic: "reply/here", CorrelationData: []byte{1, 2, 3}, SubscriptionIdentifier: ptr(268435455),
		User: []packets.User{{Key: "k", Value: "v"}, {Key: "k", Value: "again"}, {Key: "", Value: ""}},
	}},
	{Topic: "ünïcode/☃", Payload: []byte("snow"), Properties: &packets.Properties{TopicAlias: ptr[uint16](1), SubscriptionIdentifier: ptr(1)}},
	// Lengths of 128 to 255, and others with a low byte over 0x7F, are no
	// UTF-8 on their own: the check must read the text, not its length.
	{Topic: "long/props", Payload: []byte("p"), Properties: &packets.Properties{
		ContentType: strings.Repeat("c", 200), ResponseTopic: strings.Repeat("r", 128),
		User: []packets.User{{Key: strings.Repeat("k", 255), Value: strings.Repeat("v", 400)}},
	}},
}

// pahoDecode reads a whole packet as paho does and converts it as the
// session does.
func pahoDecode(raw []byte) (mqtt.Message, bool) {
	cp, err := packets.ReadPacket(bytes.NewReader(raw))
	if err != nil {
		return mqtt.Message{}, false
	}
	pub, ok := cp.Content.(*packets.Publish)
	if !ok {
		return mqtt.Message{}, false
	}
	p := paho.PublishFromPacketPublish(pub)
	m := messageFromPaho(p)
	m.Duplicate = pub.Duplicate
	if p.Properties != nil && p.Properties.SubscriptionIdentifier != nil {
		m.Properties.SubscriptionIDs = []int{*p.Properties.SubscriptionIdentifier}
	}
	return m, true
}

// splitPacket returns a whole packet's first byte and its body.
func splitPacket(t testing.TB, raw []byte) (byte, []byte) {
	n, used, ok := uvarint(raw[1:])
	if !ok || len(raw) != 1+used+n {
		t.Fatalf("not one whole packet: % x", raw[:min(len(raw), 16)])
	}
	return raw[0], raw[1+used:]
}

// normalized makes empty and nil slices alike, for comparing.
func normalized(m mqtt.Message) mqtt.Message {
	if len(m.Payload) == 0 {
		m.Payload = nil
	}
	if len(m.Properties.CorrelationData) == 0 {
		m.Properties.CorrelationData = nil
	}
	if len(m.Properties.User) == 0 {
		m.Properties.User = nil
	}
	return m
}

func TestDecodePublishAgreesWithPaho(t *testing.T) {
	for _, c := range publishCases {
		var raw bytes.Buffer
		if _, err := c.WriteTo(&raw); err != nil {
			t.Fatal(err)
		}
		want, ok := pahoDecode(raw.Bytes())
		if !ok {
			t.Fatalf("paho cannot read its own %v", c.Topic)
		}
		header, body := splitPacket(t, raw.Bytes())
		var topics topicCache
		got, v := decodePublish(header, body, true, &topics)
		if v != nil || !reflect.DeepEqual(normalized(got), normalized(want)) {
			t.Errorf("%q: decoded\n%+v\nwant (as paho)\n%+v", c.Topic, got, want)
		}
	}
}

func TestDecodePublishV311(t *testing.T) {
	body := append(binary.BigEndian.AppendUint16(nil, 3), "a/b"...)
	body = append(body, 0, 9) // packet ID, QoS 1
	body = append(body, "payload"...)
	var topics topicCache
	m, v := decodePublish(0x33, body, false, &topics)
	want := mqtt.Message{Topic: "a/b", QoS: 1, Retain: true, PacketID: 9, Payload: []byte("payload")}
	if v != nil || !reflect.DeepEqual(m, want) {
		t.Errorf("decoded %+v, want %+v", m, want)
	}
	if again, _ := decodePublish(0x30, body[:5], false, &topics); again.Topic != "a/b" {
		t.Errorf("second decode: topic %q", again.Topic)
	}
}

func TestDecodePublishRefusesMalformed(t *testing.T) {
	cases := map[string]struct {
		header byte
		body   []byte
	}{
		"no topic length":        {0x30, []byte{0}},
		"topic past the end":     {0x30, []byte{0, 9, 'a'}},
		"no packet ID":           {0x32, []byte{0, 1, 'a', 0}},
		"QoS 3":                  {0x36, []byte{0, 1, 'a', 0, 1, 0}},
		"properties past end":    {0x30, []byte{0, 1, 'a', 5, 1}},
		"unknown property":       {0x30, []byte{0, 1, 'a', 2, 0x7f, 0}},
		"not a PUBLISH one":      {0x30, []byte{0, 1, 'a', 2, 0x11, 0}}, // session expiry
		"string past its end":    {0x30, []byte{0, 1, 'a', 3, 0x03, 0, 9}},
		"bad variable integer":   {0x30, []byte{0, 1, 'a', 0xff, 0xff, 0xff, 0xff}},
		"content type not UTF-8": {0x30, []byte{0, 1, 'a', 4, 0x03, 0, 1, 0xff}},
		"content type with NUL":  {0x30, []byte{0, 1, 'a', 4, 0x03, 0, 1, 0}},
		"user value not UTF-8":   {0x30, []byte{0, 1, 'a', 7, 0x26, 0, 1, 'k', 0, 1, 0xc3}},
	}
	for name, c := range cases {
		var topics topicCache
		if _, v := decodePublish(c.header, c.body, true, &topics); v == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func FuzzDecodePublish(f *testing.F) {
	for _, c := range publishCases {
		var raw bytes.Buffer
		_, _ = c.WriteTo(&raw)
		_, body := splitPacket(f, raw.Bytes())
		f.Add(raw.Bytes()[0], body)
	}
	f.Fuzz(func(t *testing.T, header byte, body []byte) {
		header = pktPublish<<4 | header&0x0f
		var topics topicCache
		got, v := decodePublish(header, body, true, &topics)
		if v != nil {
			return // the connection is closed
		}
		raw := mqttload.AppendPacket(nil, header, body)
		if want, ok := pahoDecode(raw); ok && !reflect.DeepEqual(normalized(got), normalized(want)) {
			if len(got.Properties.SubscriptionIDs) > 1 { // paho keeps only the last
				got.Properties.SubscriptionIDs = got.Properties.SubscriptionIDs[len(got.Properties.SubscriptionIDs)-1:]
			}
			if !reflect.DeepEqual(normalized(got), normalized(want)) {
				t.Errorf("decoded\n%+v\npaho\n%+v", got, want)
			}
		}
	})
}

// orderChecker records whether numbered messages arrive in order.
type orderChecker struct {
	mu       sync.Mutex
	next     uint64
	disorder []uint64
}

func (o *orderChecker) HandleMessage(m mqtt.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := binary.BigEndian.Uint64(m.Payload)
	if n != o.next {
		o.disorder = append(o.disorder, n)
	}
	o.next = n + 1
}
func (o *orderChecker) HandleEvent(Event) {}

// TestQoS0AndQoS1KeepTheirOrder sends a stream in which every third
// message is QoS 1: the tap delivers QoS 0 itself and paho the others, and
// the handler must still see them in the order they came.
func TestQoS0AndQoS1KeepTheirOrder(t *testing.T) {
	for _, version := range []string{mqtt.MQTT5, mqtt.MQTT311} {
		t.Run(version, func(t *testing.T) {
			srv, err := mqttload.NewStreamServer(mqttload.Stream{Messages: 30_000, PayloadSize: 16, QoS1Every: 3, Numbered: true})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			h := &orderChecker{}
			s := streamSession(t, srv, version, mqttload.Topic, h)
			defer s.Disconnect(context.Background())
			if _, err := srv.Rate(time.Minute); err != nil {
				t.Fatal(err)
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.next != 30_001 || len(h.disorder) > 0 {
				t.Errorf("received up to %d of 30,001; out of order: %v", h.next, h.disorder[:min(len(h.disorder), 10)])
			}
		})
	}
}
