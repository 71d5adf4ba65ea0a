package mqttload

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// StreamServer is a minimal MQTT server for measuring how fast a client
// takes messages in, with no broker's cost in the way: every client that
// connects (MQTT 3.1.1 or 5) and subscribes is sent the same encoded
// stream, and then one QoS 1 PUBLISH, whose PUBACK says the client has
// read them all. Clients must subscribe at QoS 1, which the server
// grants, so that messages may be sent so.
type StreamServer struct {
	ln      net.Listener
	spec    Stream
	streams map[byte][]byte // by protocol level: 4 (3.1.1) and 5
	results chan streamResult
	wg      sync.WaitGroup
}

// Stream says what a StreamServer sends, all on Topic.
type Stream struct {
	Messages    int // QoS 0 PUBLISH packets, unless QoS1Every says otherwise
	PayloadSize int // at least 8 when Numbered
	// QoS1Every, when set, sends every QoS1Every-th message at QoS 1, so
	// that a client's handling of both interleaves.
	QoS1Every int
	// Numbered puts each message's index, big-endian, in the first 8
	// bytes of its payload; the last message's index is Messages.
	Numbered bool
}

type streamResult struct {
	took time.Duration
	err  error
}

// NewStreamServer listens on a free loopback port and encodes the stream.
func NewStreamServer(s Stream) (*StreamServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mqttload: stream server: %w", err)
	}
	srv := &StreamServer{ln: ln, spec: s, results: make(chan streamResult, 16), streams: map[byte][]byte{}}
	for _, level := range []byte{4, 5} {
		srv.streams[level] = s.encode(level)
	}
	srv.wg.Go(srv.serve)
	return srv, nil
}

// Messages returns how many QoS 0 messages the stream has; one QoS 1
// message follows them.
func (s *StreamServer) Messages() int { return s.spec.Messages }

// Addr returns the host:port clients connect to.
func (s *StreamServer) Addr() string { return s.ln.Addr().String() }

// Port returns the port clients connect to.
func (s *StreamServer) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Rate waits up to timeout for the next client to have read the whole
// stream and returns the messages per second it took them at: from the
// first byte written to its PUBACK of the last message.
func (s *StreamServer) Rate(timeout time.Duration) (float64, error) {
	select {
	case r := <-s.results:
		if r.err != nil {
			return 0, r.err
		}
		return float64(s.spec.Messages+1) / r.took.Seconds(), nil
	case <-time.After(timeout):
		return 0, errors.New("mqttload: no client read the whole stream in time")
	}
}

// Close stops listening and waits for the connections to end; close the
// clients first.
func (s *StreamServer) Close() error {
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

func (s *StreamServer) serve() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Go(func() {
			defer nc.Close()
			took, err := s.stream(nc)
			if err != nil {
				err = fmt.Errorf("mqttload: stream to %s: %w", nc.RemoteAddr(), err)
			}
			s.results <- streamResult{took, err}
		})
	}
}

// stream answers CONNECT and SUBSCRIBE, sends the stream and waits for
// the PUBACK of its last message.
func (s *StreamServer) stream(nc net.Conn) (time.Duration, error) {
	c := &Conn{conn: nc, r: bufio.NewReaderSize(nc, 4096), w: bufio.NewWriterSize(nc, 4096)}
	level, err := c.acceptConnect()
	if err != nil {
		return 0, err
	}
	if err := c.acceptSubscribe(level); err != nil {
		return 0, err
	}
	acked := make(chan error, 1)
	go func() { acked <- c.awaitPuback(1) }()
	start := time.Now()
	if _, err := nc.Write(s.streams[level]); err != nil {
		return 0, err
	}
	if err := <-acked; err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// acceptConnect reads CONNECT and accepts it, returning the protocol
// level.
func (c *Conn) acceptConnect() (byte, error) {
	h, body, err := c.Read()
	if err != nil {
		return 0, err
	}
	if h>>4 != typeConnect || len(body) < 7 {
		return 0, fmt.Errorf("expected CONNECT, got packet type %d", h>>4)
	}
	level := body[6] // after the protocol name "MQTT"
	if level == 5 {
		c.writePacket(0x20, []byte{0, 0, 0}) // no session present, success, no properties
	} else {
		c.writePacket(0x20, []byte{0, 0})
	}
	return level, c.Flush()
}

// acceptSubscribe reads SUBSCRIBE, answering PINGREQ meanwhile, and grants
// QoS 1.
func (c *Conn) acceptSubscribe(level byte) error {
	for {
		h, body, err := c.Read()
		if err != nil {
			return err
		}
		switch h >> 4 {
		case typePingreq:
			c.writePacket(0xd0, nil)
		case typeSubscribe:
			ack := []byte{body[0], body[1]}
			if level == 5 {
				ack = append(ack, 0) // no properties
			}
			c.writePacket(0x90, append(ack, 1))
			return c.Flush()
		}
		if err := c.Flush(); err != nil {
			return err
		}
	}
}

// awaitPuback reads until the PUBACK of id, answering PINGREQ meanwhile.
func (c *Conn) awaitPuback(id uint16) error {
	for {
		h, body, err := c.Read()
		if err != nil {
			return err
		}
		switch {
		case h>>4 == typePuback && len(body) >= 2 && PubackID(body) == id:
			return nil
		case h>>4 == typePingreq:
			if _, err := c.conn.Write([]byte{0xd0, 0}); err != nil {
				return err
			}
		}
	}
}

// encode encodes the stream for protocol level, and its last message at
// QoS 1 with packet ID 1.
func (s Stream) encode(level byte) []byte {
	payload := make([]byte, s.PayloadSize)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	var out, body []byte
	for i := range s.Messages + 1 {
		qos, id := byte(0), uint16(0)
		if i == s.Messages {
			qos, id = 1, 1
		} else if s.QoS1Every > 0 && i%s.QoS1Every == s.QoS1Every-1 {
			qos, id = 1, uint16(2+i%60000)
		}
		if s.Numbered {
			binary.BigEndian.PutUint64(payload, uint64(i))
		}
		body = appendString(body[:0], Topic)
		if qos > 0 {
			body = binary.BigEndian.AppendUint16(body, id)
		}
		if level == 5 {
			body = append(body, 0) // no properties
		}
		out = AppendPacket(out, 0x30|qos<<1, append(body, payload...))
	}
	return out
}

// AppendPacket appends a whole MQTT packet: header (type and flags), the
// remaining length and body.
func AppendPacket(dst []byte, header byte, body []byte) []byte {
	return append(appendLength(append(dst, header), len(body)), body...)
}
