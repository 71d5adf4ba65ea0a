package mqttcore

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strconv"
	"time"
)

// The tap reads what arrives one whole packet at a time. A QoS 0 PUBLISH
// is decoded here (decodePublish) and handed straight to the session: the
// library never sees it, so the messages that make up most of any stream
// skip paho's decoder and its allocations, which took 87 % of a session's
// receive time (pprof of BenchmarkSessionReceive). Every other packet is
// queued whole for the library to read, and so is a QoS 0 PUBLISH that
// arrives while the library still holds an earlier QoS 1 or 2 PUBLISH it
// has not delivered: messages reach the handler in the order they came.

// maxPendingKeep is the largest queue buffer a connection keeps between
// packets; a bigger one (a large payload's) is let go once read.
const maxPendingKeep = 1 << 20

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

// readPacket reads one packet: it delivers a QoS 0 PUBLISH itself when it
// may, and queues anything else for the library.
func (t *tapConn) readPacket() error {
	header, err := t.r.ReadByte()
	if err != nil {
		return err
	}
	var lenBytes [4]byte
	n, used, err := readRemaining(t.r, &lenBytes)
	if err != nil {
		return err
	}
	if t.deliver != nil && header>>4 == pktPublish && header>>1&3 == 0 && t.ids.settled() {
		if body, err := t.r.Peek(n); err == nil {
			if !t.deliverPublish(header, body, 1+used+n) { // malformed: the library reads it and says what is wrong
				t.pendingBuf = append(append(append(t.pendingBuf[:0], header), lenBytes[:used]...), body...)
				t.queued(header, 1+used)
			}
			_, err = t.r.Discard(n)
			return err
		} else if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
	t.pendingBuf = append(append(t.pendingBuf[:0], header), lenBytes[:used]...)
	start := len(t.pendingBuf)
	t.pendingBuf = append(t.pendingBuf, make([]byte, n)...)
	if _, err := io.ReadFull(t.r, t.pendingBuf[start:]); err != nil {
		return err
	}
	t.queued(header, start)
	return nil
}

// queued hands the whole packet in pendingBuf, whose body starts at
// bodyAt, to the library, and logs it.
func (t *tapConn) queued(header byte, bodyAt int) {
	t.pending = t.pendingBuf
	body := t.pendingBuf[bodyAt:]
	t.packet(false, header, len(t.pendingBuf), body[:min(len(body), prefixCap)])
}

// deliverPublish decodes a QoS 0 PUBLISH body, logs it and hands it to the
// session. It reports false, doing nothing, when the body is malformed.
func (t *tapConn) deliverPublish(header byte, body []byte, size int) bool {
	m, ok := decodePublish(header, body, t.v5, &t.topics)
	if !ok {
		return false
	}
	m.Received = t.src.at
	e := LogEntry{Time: m.Received, Type: "PUBLISH", Size: size, Topic: m.Topic}
	if m.Topic == "" && m.Properties.TopicAlias != 0 {
		e.Note = "topic alias " + strconv.Itoa(int(m.Properties.TopicAlias))
	}
	t.log.add(e)
	t.deliver(m)
	return true
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
	return 0, 0, errors.New("mqttcore: malformed remaining length")
}
