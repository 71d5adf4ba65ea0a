package mqttcore

import (
	"bytes"
	"testing"
)

// publishPacket builds a v5 PUBLISH with a topic alias, two subscription
// identifiers and a user property before them.
func publishPacket() []byte {
	props := []byte{0x26, 0, 1, 'k', 0, 1, 'v', 0x23, 0, 7, 0x0B, 3, 0x0B, 0xC8, 0x01}
	body := append([]byte{0, 3, 'a', '/', 'b', 0x12, 0x34}, byte(len(props)))
	body = append(append(body, props...), bytes.Repeat([]byte{'x'}, 300)...)
	pkt := []byte{0x32} // PUBLISH, QoS 1
	n := len(body)
	pkt = append(pkt, byte(n%128)|0x80, byte(n/128))
	return append(pkt, body...)
}

func TestPacketParserAnyChunking(t *testing.T) {
	stream := append(append(publishPacket(), 0xC0, 0x00), publishPacket()...) // PUBLISH, PINGREQ, PUBLISH
	for _, chunk := range []int{1, 2, 3, 7, 64, len(stream)} {
		var got []publishFields
		var types []byte
		p := packetParser{onPacket: func(h byte, size int, prefix []byte) {
			types = append(types, h>>4)
			if h>>4 == pktPublish {
				f, ok := parsePublish(h, prefix, true)
				if !ok {
					t.Fatalf("chunk %d: PUBLISH did not parse", chunk)
				}
				got = append(got, f)
			}
		}}
		for b := stream; len(b) > 0; {
			n := min(chunk, len(b))
			p.feed(b[:n])
			b = b[n:]
		}
		if !bytes.Equal(types, []byte{pktPublish, pktPingreq, pktPublish}) {
			t.Fatalf("chunk %d: packet types %v", chunk, types)
		}
		f := got[1]
		if f.topic != "a/b" || f.packetID != 0x1234 || f.alias != 7 || len(f.subIDs) != 2 || f.subIDs[0] != 3 || f.subIDs[1] != 200 {
			t.Fatalf("chunk %d: %+v", chunk, f)
		}
	}
}

func FuzzPacketParser(f *testing.F) {
	f.Add(publishPacket())
	f.Add([]byte{0xC0, 0x00, 0xD0, 0x00})
	f.Add([]byte{0x30, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, stream []byte) {
		p := packetParser{onPacket: func(h byte, _ int, prefix []byte) {
			if h>>4 == pktPublish {
				parsePublish(h, prefix, true) // must not panic
			}
		}}
		p.feed(stream)
	})
}
