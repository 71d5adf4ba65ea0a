package mqttcore

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	packets5 "github.com/eclipse/paho.golang/packets"
	packets3 "github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// streamConn is a connection whose broker side is a fixed byte stream.
type streamConn struct {
	net.Conn
	r io.Reader
}

func (c *streamConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *streamConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *streamConn) Close() error                     { return nil }
func (c *streamConn) SetWriteDeadline(time.Time) error { return nil }

// fuzzSubscribeID is the packet identifier of the one-filter SUBSCRIBE
// the fuzzed client has outstanding.
const fuzzSubscribeID = 1

// inboundSeeds are streams a broker might send, well formed and not.
func inboundSeeds() [][]byte {
	pub := func(header byte, body []byte) []byte { return mqttload.AppendPacket(nil, header, body) }
	connack5, connack3 := []byte{0x20, 3, 0, 0, 0}, []byte{0x20, 2, 0, 0}
	return [][]byte{
		append(append([]byte{}, connack5...), pub(0x30, publishBody("a/b", 0, []byte{}, "hello"))...),
		append(append([]byte{}, connack5...), pub(0x32, publishBody("a/b", 9, []byte{0x23, 0, 1}, "x"))...),
		append(append([]byte{}, connack5...), 0x90, 4, 0, fuzzSubscribeID, 0, 1),
		append(append([]byte{}, connack3...), 0x90, 3, 0, fuzzSubscribeID, 1),
		append(append([]byte{}, connack3...), 0x90, 4, 0, fuzzSubscribeID, 0, 0),
		append(append([]byte{}, connack3...), pub(0x34, publishBody("q2", 3, nil, "y"))...),
		append(append([]byte{}, connack5...), 0x40, 4, 0, 7, 0x10, 0, 0xe0, 2, 0x8e, 0),
		append(append([]byte{}, connack5...), 0x30, 0xff, 0xff, 0xff, 0x7f, 0),
		{0x20, 9, 0, 0, 6, 0x22, 0, 10, 0x27, 0, 0},
	}
}

// FuzzInboundPackets feeds broker streams through the tap as a session
// reads them. Whatever the bytes, nothing may panic, what the tap hands a
// library must be a packet that library decodes and handles, and memory
// must stay bounded by the stream (the fuzzed connections accept packets
// of at most 1 MiB).
func FuzzInboundPackets(f *testing.F) {
	for _, s := range inboundSeeds() {
		f.Add(true, s)
		f.Add(false, s)
	}
	f.Fuzz(func(t *testing.T, v5 bool, stream []byte) {
		o := mqtt.NewOptions("fuzz", mqtt.SchemeMQTT, "127.0.0.1")
		o.Version, o.MaximumPacketSize, o.TopicAliasMaximum = mqtt.MQTT311, 1<<20, 8
		if v5 {
			o.Version = mqtt.MQTT5
		}
		delivered := 0
		tap := newTapConn(&streamConn{r: bytes.NewReader(stream)}, newProtocolLog(), o, func(mqtt.Message) { delivered++ })
		sub := []byte{0, fuzzSubscribeID, 0, 1, 'a', 1}
		if v5 {
			sub = []byte{0, fuzzSubscribeID, 0, 0, 1, 'a', 1}
		}
		tap.check.sent(pktSubscribe, sub)
		for {
			err := libraryReads(t, tap, v5)
			if err != nil {
				var v *violation
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &v) {
					t.Fatalf("read: %v", err)
				}
				return
			}
		}
	})
}

// libraryReads reads one packet from tap as the session's library does
// and checks that the library can take it.
func libraryReads(t *testing.T, tap *tapConn, v5 bool) error {
	if v5 {
		cp, err := packets5.ReadPacket(tap)
		if err == nil {
			if sa, ok := cp.Content.(*packets5.Suback); ok && len(sa.Reasons) != 1 {
				t.Fatalf("SUBACK with %d reasons for one filter reached paho", len(sa.Reasons))
			}
		} else if tap.violation() == nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("paho.golang refused what the tap let through: %v", err)
		}
		return err
	}
	cp, err := packets3.ReadPacket(tap)
	if err == nil {
		if sa, ok := cp.(*packets3.SubackPacket); ok && len(sa.ReturnCodes) != 1 {
			t.Fatalf("SUBACK with %d return codes for one filter reached paho.mqtt.golang", len(sa.ReturnCodes))
		}
	}
	return err
}
