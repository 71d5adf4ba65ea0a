package localbroker

import (
	"bytes"
	"encoding/binary"
	"io"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/mqttdesk/mqttdesk/internal/bench/procstat"
)

// varint encodes n as an MQTT Variable Byte Integer.
func varint(n int) []byte {
	var b []byte
	for {
		d := byte(n % 128)
		n /= 128
		if n > 0 {
			d |= 0x80
		}
		b = append(b, d)
		if n == 0 {
			return b
		}
	}
}

func TestMaxPacketSizeAnnounced(t *testing.T) {
	b := startBroker(t, testConfig())
	c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	ack := c.connect(connectPacket("mps"))
	if ack.Properties.MaximumPacketSize != DefaultMaxPacketSize {
		t.Fatalf("CONNACK Maximum Packet Size %d, want %d", ack.Properties.MaximumPacketSize, DefaultMaxPacketSize)
	}
}

// TestPacketOverTheMaximumRefused claims a 100 MB PUBLISH: MQTT 5 clients
// get DISCONNECT 0x95 at once, 3.1.1 clients are cut off, before the
// broker reads (or makes room for) the body.
func TestPacketOverTheMaximumRefused(t *testing.T) {
	head := append([]byte{0x30}, varint(100<<20)...)
	tooLarge := append([]byte{0xe0, 0x15, 0x95, 0x13}, reasonString("packet too large")...)
	b := startBroker(t, testConfig())
	for _, version := range []byte{5, 4} {
		c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, version)
		c.connect(connectPacket("big"))
		c.sendRaw(append(head, 0x00, 0x03, 'b', 'i', 'g'))
		got, err := c.readRaw(5 * time.Second)
		switch {
		case version == 5 && (err != nil || !bytes.Equal(got, tooLarge)):
			t.Errorf("MQTT 5: got % x (%v), want % x", got, err, tooLarge)
		case version == 4 && (err == nil || isTimeout(err)):
			t.Errorf("MQTT 3.1.1: connection not closed: % x (%v)", got, err)
		}
	}
}

// heapHeld returns the bytes the Go heap holds from the operating system.
func heapHeld() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapSys - m.HeapReleased
}

// TestLargeMessageMemoryGivenBack raises the maximum, sends a 100 MB
// PUBLISH through the broker and checks that the memory it took is given
// back to the system soon after. The test's own client streams the
// packet in and discards it as it reads, so the broker's copies are what
// the heap holds.
func TestLargeMessageMemoryGivenBack(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 100 MB")
	}
	cfg := testConfig()
	cfg.MaxPacketSize = 128 << 20
	b := startBroker(t, cfg)
	s := connected(t, b, "big-sub")
	s.subscribe(packets.Properties{}, sub("big", 0)) // QoS 0: no copy waits for a PUBACK
	p := connected(t, b, "big-pub")
	debug.FreeOSMemory()
	before, rssBefore := heapHeld(), rss(t)

	const size = 100 << 20
	go streamPublish(p, "big", size)
	if typ, n := s.discardPacket(); typ != packets.Publish || n < size {
		t.Fatalf("subscriber got packet type %d of %d bytes", typ, n)
	}
	p.expect(packets.Puback)
	var after uint64
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if after = heapHeld(); after < before+32<<20 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("heap held from the OS: %d MiB before, %d MiB after; RSS %d MiB before, %d MiB after",
		before>>20, after>>20, rssBefore>>20, rss(t)>>20)
	if after >= before+32<<20 {
		t.Errorf("heap held %d MiB five seconds after a 100 MB message, %d MiB before", after>>20, before>>20)
	}
}

func rss(t *testing.T) int64 {
	n, err := procstat.Memory(procstat.Self, "VmRSS")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// streamPublish writes a QoS 1 MQTT 5 PUBLISH with a payload of size zero
// bytes, in 1 MiB writes.
func streamPublish(c *rawClient, topic string, size int) {
	var head bytes.Buffer
	head.WriteByte(0x32)
	head.Write(varint(2 + len(topic) + 2 + 1 + size))
	_ = binary.Write(&head, binary.BigEndian, uint16(len(topic)))
	head.WriteString(topic)
	head.Write([]byte{0x00, 0x01, 0x00}) // packet id 1, no properties
	if _, err := c.conn.Write(head.Bytes()); err != nil {
		return
	}
	chunk := make([]byte, 1<<20)
	for sent := 0; sent < size; sent += len(chunk) {
		if _, err := c.conn.Write(chunk); err != nil {
			return
		}
	}
}

// discardPacket reads the next packet and throws its body away, returning
// its type and remaining length.
func (c *rawClient) discardPacket() (byte, int) {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	b, err := c.r.ReadByte()
	if err != nil {
		c.t.Fatal(err)
	}
	n, _, err := packets.DecodeLength(c.r)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := io.CopyN(io.Discard, c.r, int64(n)); err != nil {
		c.t.Fatal(err)
	}
	return b >> 4, n
}
