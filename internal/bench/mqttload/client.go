// Package mqttload is a minimal MQTT 3.1.1 client for load tests: it writes
// and reads packets as bytes with buffered I/O and no per-message
// allocation, so that a benchmark measures the broker, not the client. It
// speaks just enough (CONNECT, SUBSCRIBE, PUBLISH at QoS 0 and 1, PUBACK)
// for that. It imports nothing of mqttdesk's.
package mqttload

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Packet types this client and StreamServer read.
const (
	typeConnect   = 1
	typeConnack   = 2
	typePublish   = 3
	typePuback    = 4
	typeSubscribe = 8
	typeSuback    = 9
	typePingreq   = 12
)

// Conn is one MQTT connection. Its write methods are not safe for
// concurrent use; Read may run on another goroutine than the writes.
type Conn struct {
	conn   net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	buf    []byte
	lenBuf []byte // the remaining length being written
}

// Dial connects to addr and completes CONNECT with a clean session, with
// buffers sized for streams of messages.
func Dial(addr, clientID string) (*Conn, error) { return DialBuffered(addr, clientID, 256<<10) }

// DialBuffered is Dial with read and write buffers of size bytes each: a
// small size suits many idle connections.
func DialBuffered(addr, clientID string, size int) (*Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c := &Conn{conn: nc, r: bufio.NewReaderSize(nc, size), w: bufio.NewWriterSize(nc, size)}
	body := appendString(nil, "MQTT")
	body = append(body, 4, 0x02, 0, 60) // 3.1.1, clean session, keep-alive 60 s
	body = appendString(body, clientID)
	c.writePacket(0x10, body)
	if err := c.Flush(); err != nil {
		return nil, err
	}
	h, b, err := c.Read()
	if err != nil {
		return nil, fmt.Errorf("read CONNACK: %w", err)
	}
	if typ := h >> 4; typ != typeConnack || len(b) < 2 || b[1] != 0 {
		return nil, fmt.Errorf("connection refused (packet %d, %x)", h>>4, b)
	}
	return c, nil
}

// Subscribe subscribes to filter at qos and waits for the SUBACK.
func (c *Conn) Subscribe(filter string, qos byte) error {
	body := []byte{0, 1}
	body = appendString(body, filter)
	body = append(body, qos)
	c.writePacket(0x82, body)
	if err := c.Flush(); err != nil {
		return err
	}
	h, b, err := c.Read()
	if err != nil {
		return err
	}
	if h>>4 != typeSuback || len(b) < 3 || b[2] > 2 {
		return fmt.Errorf("subscription refused (packet %d, %x)", h>>4, b)
	}
	return nil
}

// Publish buffers a PUBLISH; call Flush to send. id is used at QoS 1.
func (c *Conn) Publish(topic string, payload []byte, qos byte, id uint16) {
	n := 2 + len(topic) + len(payload)
	if qos > 0 {
		n += 2
	}
	c.buf = c.buf[:0]
	c.buf = appendString(c.buf, topic)
	if qos > 0 {
		c.buf = binary.BigEndian.AppendUint16(c.buf, id)
	}
	c.buf = append(c.buf, payload...)
	c.writePacket(0x30|qos<<1, c.buf[:n])
}

// Puback buffers a PUBACK for id.
func (c *Conn) Puback(id uint16) {
	c.w.Write([]byte{0x40, 2, byte(id >> 8), byte(id)})
}

// Flush sends what is buffered.
func (c *Conn) Flush() error { return c.w.Flush() }

// Buffered reports whether a read would return without waiting.
func (c *Conn) Buffered() bool { return c.r.Buffered() > 0 }

// Read returns the next packet's first byte (type and flags) and its body.
// The body is valid until the next Read.
func (c *Conn) Read() (byte, []byte, error) {
	h, err := c.r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	n, err := readLength(c.r)
	if err != nil {
		return 0, nil, err
	}
	body, err := c.r.Peek(n)
	if err == nil {
		_, err = c.r.Discard(n)
	} else if errors.Is(err, bufio.ErrBufferFull) {
		body = make([]byte, n)
		_, err = io.ReadFull(c.r, body)
	}
	return h, body, err
}

// PublishID returns the packet ID of a QoS 1 PUBLISH body.
func PublishID(body []byte) uint16 {
	topicLen := int(binary.BigEndian.Uint16(body))
	return binary.BigEndian.Uint16(body[2+topicLen:])
}

// PubackID returns the packet ID a PUBACK body acknowledges.
func PubackID(body []byte) uint16 { return binary.BigEndian.Uint16(body) }

// IsPublish reports whether header starts a PUBLISH.
func IsPublish(header byte) bool { return header>>4 == typePublish }

// IsPuback reports whether header starts a PUBACK.
func IsPuback(header byte) bool { return header>>4 == typePuback }

// QoS returns a PUBLISH header's QoS.
func QoS(header byte) byte { return header >> 1 & 3 }

// Close closes the connection without DISCONNECT.
func (c *Conn) Close() error { return c.conn.Close() }

func (c *Conn) writePacket(header byte, body []byte) {
	c.w.WriteByte(header)
	c.lenBuf = appendLength(c.lenBuf[:0], len(body))
	c.w.Write(c.lenBuf)
	c.w.Write(body)
}

// appendLength appends n as an MQTT variable byte integer.
func appendLength(dst []byte, n int) []byte {
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		dst = append(dst, b)
		if n == 0 {
			return dst
		}
	}
}

func readLength(r *bufio.Reader) (int, error) {
	n, mult := 0, 1
	for i := 0; i < 4; i++ {
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		n += int(b&0x7f) * mult
		if b&0x80 == 0 {
			return n, nil
		}
		mult *= 128
	}
	return 0, errors.New("malformed remaining length")
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}
