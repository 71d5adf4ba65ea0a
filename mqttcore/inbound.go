package mqttcore

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// The tap reads what arrives one whole packet at a time and checks it
// (check.go) before anything else sees it: a packet MQTT forbids closes the
// connection. A QoS 0 PUBLISH is decoded here (decodePublish) and handed
// straight to the session: the library never sees it, so the messages that
// make up most of any stream skip paho's decoder and its allocations,
// which took 87 % of a session's receive time (pprof of
// BenchmarkSessionReceive). Every other packet is queued whole for the
// library to read, and so is a QoS 0 PUBLISH that arrives while the
// library still holds an earlier QoS 1 or 2 PUBLISH it has not delivered:
// messages reach the handler in the order they came.

// maxPendingKeep is the largest queue buffer a connection keeps between
// packets; a bigger one (a large payload's) is let go once read.
const maxPendingKeep = 1 << 20

// readChunk is how much of a packet's body is read at a time: memory grows
// with the bytes that arrive, never by what a header only claims.
const readChunk = 64 << 10

// stampedReader notes when data last came off the network: every message
// decoded from one read carries that time.
type stampedReader struct {
	net.Conn
	at time.Time
}

func (s *stampedReader) Read(p []byte) (int, error) {
	n, err := s.Conn.Read(p)
	s.at = time.Now()
	return n, err
}

func newInboundReader(c net.Conn) (*stampedReader, *bufio.Reader) {
	src := &stampedReader{Conn: c}
	return src, bufio.NewReaderSize(src, 64<<10)
}

// Read gives the library the next packets it is to see.
func (t *tapConn) Read(p []byte) (int, error) {
	for len(t.pending) == 0 {
		if err := t.readPacket(); err != nil {
			return 0, err
		}
	}
	n := copy(p, t.pending)
	t.pending = t.pending[n:]
	if len(t.pending) == 0 && cap(t.pendingBuf) > maxPendingKeep {
		t.pendingBuf = nil
	}
	return n, nil
}

// readPacket reads and checks one packet: it delivers a QoS 0 PUBLISH
// itself when it may, and queues anything else for the library.
func (t *tapConn) readPacket() error {
	if v := t.violated.Load(); v != nil {
		return v
	}
	header, err := t.r.ReadByte()
	if err != nil {
		return err
	}
	var lenBytes [4]byte
	n, used, err := readRemaining(t.r, &lenBytes)
	if err != nil {
		return t.refuse(header, 0, err)
	}
	if size := 1 + used + n; size > t.maxPacket {
		return t.refuse(header, size, &violation{
			reason: reasonPacketTooLarge, size: size, limit: t.maxPacket,
			what: "a " + packetNames[header>>4] + " of " + strconv.Itoa(size) + " bytes, over this client's Maximum Packet Size of " + strconv.Itoa(t.maxPacket),
		})
	}
	if t.deliver != nil && header>>4 == pktPublish && header>>1&3 == 0 && t.check.acked && t.ids.settled() {
		if body, err := t.r.Peek(n); err == nil {
			if err := t.deliverPublish(header, body, 1+used+n); err != nil {
				return err
			}
			_, err = t.r.Discard(n)
			return err
		} else if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
	t.pendingBuf = append(append(t.pendingBuf[:0], header), lenBytes[:used]...)
	start := len(t.pendingBuf)
	if t.pendingBuf, err = readBody(t.r, t.pendingBuf, n); err != nil {
		return err
	}
	if v := t.check.check(header, t.pendingBuf[start:]); v != nil {
		return t.refuse(header, len(t.pendingBuf), v)
	}
	if t.repeatedQoS2(header, t.pendingBuf[start:]) {
		return nil
	}
	t.queued(header, start)
	return nil
}

// repeatedQoS2 answers, and keeps from the library, a DUP copy of an MQTT
// 5 QoS 2 message already received and not yet released: paho.golang
// would acknowledge it again without delivering it, and the count of
// messages the library holds would be one too many for the rest of the
// connection (subscription identifiers given to the wrong messages, the
// fast path of QoS 0 off). It reports whether body was such a copy.
func (t *tapConn) repeatedQoS2(header byte, body []byte) bool {
	if !t.v5 || header>>4 != pktPublish || header>>1&3 != 2 || header&8 == 0 {
		return false
	}
	n := lengthPrefixed(body, 0)
	id := binary.BigEndian.Uint16(body[n:])
	if !t.ids.alreadyReceived(id) {
		return false
	}
	t.log.add(mqtt.LogEntry{Time: time.Now(), Type: "PUBLISH", QoS: 2, PacketID: id, Size: 1 + len(body), Note: "a copy of a message already received; answered with PUBREC"})
	t.writeAlone([]byte{pktPubrec << 4, 2, byte(id >> 8), byte(id)})
	return true
}

// readBody appends the n bytes of a packet's body read from r to buf,
// growing buf as they arrive.
func readBody(r io.Reader, buf []byte, n int) ([]byte, error) {
	for n > 0 {
		chunk := min(n, readChunk)
		buf = slices.Grow(buf, chunk)
		start := len(buf)
		buf = buf[:start+chunk]
		if _, err := io.ReadFull(r, buf[start:]); err != nil {
			return buf[:start], err
		}
		n -= chunk
	}
	return buf, nil
}

// queued hands the whole packet in pendingBuf, whose body starts at
// bodyAt, to the library, and logs it.
func (t *tapConn) queued(header byte, bodyAt int) {
	t.pending = t.pendingBuf
	body := t.pendingBuf[bodyAt:]
	t.packet(false, header, len(t.pendingBuf), body[:min(len(body), prefixCap)])
}

// deliverPublish checks and decodes a QoS 0 PUBLISH body, logs it and
// hands it to the session. It returns the error that ends the connection
// when the packet breaks MQTT.
func (t *tapConn) deliverPublish(header byte, body []byte, size int) error {
	m, v := t.check.publish(header, body)
	if v != nil {
		return t.refuse(header, size, v)
	}
	m.Payload = bytes.Clone(m.Payload)
	if m.Payload == nil {
		m.Payload = []byte{}
	}
	m.Received = t.src.at
	e := mqtt.LogEntry{Time: m.Received, Type: "PUBLISH", Size: size, Topic: m.Topic}
	if m.Topic == "" && m.Properties.TopicAlias != 0 {
		e.Note = "topic alias " + strconv.Itoa(int(m.Properties.TopicAlias))
	}
	t.log.add(e)
	t.deliver(m)
	return nil
}

// refuse ends the connection over a packet that breaks MQTT: it logs the
// packet and why, tells an MQTT 5 broker with a DISCONNECT carrying the
// reason code, and closes. Every later Read returns err.
func (t *tapConn) refuse(header byte, size int, err error) error {
	v, ok := err.(*violation)
	if !ok {
		return err
	}
	t.violated.Store(v)
	t.log.add(mqtt.LogEntry{Time: time.Now(), Type: packetNames[header>>4], Size: size, Note: "refused"})
	t.log.note("closing the connection: " + v.Error())
	if t.v5 {
		t.writeAlone(disconnectPacket(v))
	}
	_ = t.Conn.Close()
	return v
}

// writeAlone writes a packet of the tap's own between the library's
// packets, giving up after a second if the library holds the connection
// that long.
func (t *tapConn) writeAlone(pkt []byte) {
	deadline := time.Now().Add(time.Second)
	for !t.packetMu.TryLock() {
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(time.Millisecond)
	}
	defer t.packetMu.Unlock()
	t.wmu.Lock()
	defer t.wmu.Unlock()
	t.out.feed(pkt)
	_, _ = t.writeWithin(pkt, time.Second)
}

// readRemaining reads a packet's remaining length, keeping its encoded
// bytes in buf; it returns the length and how many bytes encoded it.
func readRemaining(r *bufio.Reader, buf *[4]byte) (n, used int, err error) {
	mult := 1
	for used < 4 {
		b, err := r.ReadByte()
		if err != nil {
			return 0, 0, err
		}
		buf[used] = b
		used++
		n += int(b&0x7f) * mult
		if b&0x80 == 0 {
			return n, used, nil
		}
		mult *= 128
	}
	return 0, 0, malformed("a packet whose remaining length takes more than 4 bytes")
}
