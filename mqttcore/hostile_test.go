package mqttcore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// hostileBroker is a broker written to break MQTT: it accepts a
// connection, answers CONNECT with an accepting CONNACK, then lets its
// script write what it likes, and records every packet the client sends.
type hostileBroker struct {
	ln     net.Listener
	v5     bool
	script func(b *hostileBroker, c net.Conn, r *bufio.Reader)

	mu       sync.Mutex
	received []rawPacket
	closed   int // connections the client closed
}

type rawPacket struct {
	header byte
	body   []byte
}

func startHostile(t *testing.T, v5 bool, script func(b *hostileBroker, c net.Conn, r *bufio.Reader)) *hostileBroker {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &hostileBroker{ln: ln, v5: v5, script: script}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { b.serve(c) })
		}
	})
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	return b
}

func (b *hostileBroker) port() int { return b.ln.Addr().(*net.TCPAddr).Port }

func (b *hostileBroker) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	if p, err := b.read(r); err != nil || p.header>>4 != pktConnect {
		return
	}
	connack := []byte{0x20, 2, 0, 0}
	if b.v5 {
		connack = []byte{0x20, 3, 0, 0, 0}
	}
	if _, err := c.Write(connack); err != nil {
		return
	}
	b.script(b, c, r)
	for { // record what the client says until it closes
		if _, err := b.read(r); err != nil {
			b.mu.Lock()
			b.closed++
			b.mu.Unlock()
			return
		}
	}
}

// waitClosed waits until the client has closed a connection.
func (b *hostileBroker) waitClosed(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		b.mu.Lock()
		closed := b.closed
		b.mu.Unlock()
		if closed > 0 {
			return
		}
	}
	t.Fatal("the client did not close the connection")
}

// read reads and records one packet from the client.
func (b *hostileBroker) read(r *bufio.Reader) (rawPacket, error) {
	header, err := r.ReadByte()
	if err != nil {
		return rawPacket{}, err
	}
	n, mult := 0, 1
	for range 4 {
		c, err := r.ReadByte()
		if err != nil {
			return rawPacket{}, err
		}
		n += int(c&0x7f) * mult
		mult *= 128
		if c&0x80 == 0 {
			break
		}
	}
	p := rawPacket{header: header, body: make([]byte, n)}
	if _, err := io.ReadFull(r, p.body); err != nil {
		return rawPacket{}, err
	}
	b.mu.Lock()
	b.received = append(b.received, p)
	b.mu.Unlock()
	return p, nil
}

// first returns the first packet of type typ the client sent.
func (b *hostileBroker) first(typ byte) (rawPacket, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.received {
		if p.header>>4 == typ {
			return p, true
		}
	}
	return rawPacket{}, false
}

// sends returns a script that writes pkt once connected.
func sends(pkt []byte) func(*hostileBroker, net.Conn, *bufio.Reader) {
	return func(_ *hostileBroker, c net.Conn, _ *bufio.Reader) { _, _ = c.Write(pkt) }
}

// answersSubscribe returns a script that answers the first SUBSCRIBE with
// the body suback makes of its packet identifier.
func answersSubscribe(suback func(id []byte) []byte) func(*hostileBroker, net.Conn, *bufio.Reader) {
	return func(b *hostileBroker, c net.Conn, r *bufio.Reader) {
		for {
			p, err := b.read(r)
			if err != nil {
				return
			}
			if p.header>>4 == pktSubscribe {
				_, _ = c.Write(mqttload.AppendPacket(nil, pktSuback<<4, suback(p.body[:2])))
				return
			}
		}
	}
}

func publishBody(topic string, id uint16, props []byte, payload string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(topic)))
	b = append(b, topic...)
	if id != 0 {
		b = binary.BigEndian.AppendUint16(b, id)
	}
	if props != nil {
		b = append(append(b, byte(len(props))), props...)
	}
	return append(b, payload...)
}

// refusedCase is a packet a broker must not send, and how the client
// must answer it.
type refusedCase struct {
	name    string
	v5      bool
	options func(*mqtt.Options)
	script  func(*hostileBroker, net.Conn, *bufio.Reader)
	reason  byte   // the DISCONNECT reason an MQTT 5 client sends
	words   string // in the sentence the session reports
}

func refusedCases() []refusedCase {
	aliases := func(o *mqtt.Options) { o.TopicAliasMaximum = 10 }
	return []refusedCase{
		{
			name: "3.1.1 SUBACK with two codes for one filter", script: answersSubscribe(func(id []byte) []byte { return append(id, 0, 0) }),
			words: "SUBACK with 2 return codes for 1 topic filters",
		},
		{
			name: "5.0 SUBACK with two codes for one filter", v5: true, script: answersSubscribe(func(id []byte) []byte { return append(id, 0, 0, 0) }),
			reason: reasonProtocolError, words: "SUBACK with 2 return codes for 1 topic filters",
		},
		{
			name: "3.1.1 SUBACK with no code", script: answersSubscribe(func(id []byte) []byte { return id }),
			words: "SUBACK with 0 return codes",
		},
		{
			name: "3.1.1 SUBACK for another packet identifier", script: answersSubscribe(func(id []byte) []byte { return []byte{id[0] ^ 0xff, id[1], 0} }),
			words: "no SUBSCRIBE of this client had",
		},
		{
			name: "3.1.1 SUBACK with return code 3", script: answersSubscribe(func(id []byte) []byte { return append(id, 3) }),
			words: "return code 0x03",
		},
		{
			name: "alias never defined", v5: true, options: aliases,
			script: sends(mqttload.AppendPacket(nil, 0x30, publishBody("", 0, []byte{0x23, 0, 5}, "x"))),
			reason: reasonProtocolError, words: "topic alias 5, which it never defined",
		},
		{
			name: "alias never defined, QoS 1", v5: true, options: aliases,
			script: sends(mqttload.AppendPacket(nil, 0x32, publishBody("", 1, []byte{0x23, 0, 5}, "x"))),
			reason: reasonProtocolError, words: "never defined",
		},
		{
			name: "alias above the maximum", v5: true, options: aliases,
			script: sends(mqttload.AppendPacket(nil, 0x30, publishBody("t", 0, []byte{0x23, 0, 11}, "x"))),
			reason: reasonTopicAliasWrong, words: "topic alias 11",
		},
		{
			name: "alias when none are allowed", v5: true,
			script: sends(mqttload.AppendPacket(nil, 0x30, publishBody("t", 0, []byte{0x23, 0, 1}, "x"))),
			reason: reasonTopicAliasWrong, words: "topic alias 1",
		},
		{
			name: "topic not UTF-8", v5: true, script: sends(mqttload.AppendPacket(nil, 0x30, publishBody("a/\xff\xfe", 0, []byte{}, "x"))),
			reason: reasonMalformed, words: "not UTF-8",
		},
		{
			name: "3.1.1 topic not UTF-8, QoS 1", script: sends(mqttload.AppendPacket(nil, 0x32, publishBody("a/\xc3", 7, nil, "x"))),
			words: "not UTF-8",
		},
		{
			name: "topic with U+0000", v5: true, script: sends(mqttload.AppendPacket(nil, 0x30, publishBody("a\x00b", 0, []byte{}, "x"))),
			reason: reasonMalformed, words: "U+0000",
		},
		{
			name: "topic with a wildcard", script: sends(mqttload.AppendPacket(nil, 0x30, publishBody("a/#", 0, nil, "x"))),
			words: "wildcard",
		},
		{
			name: "QoS 3", v5: true, script: sends(mqttload.AppendPacket(nil, 0x36, publishBody("t", 1, []byte{}, "x"))),
			reason: reasonMalformed, words: "QoS 3",
		},
		{
			name: "3.1.1 QoS 3", script: sends(mqttload.AppendPacket(nil, 0x36, publishBody("t", 1, nil, "x"))),
			words: "QoS 3",
		},
		{
			name: "QoS 1 with packet identifier 0", v5: true, script: sends(mqttload.AppendPacket(nil, 0x32, publishBody("t", 0, nil, "\x00\x00\x00x"))),
			reason: reasonProtocolError, words: "packet identifier 0",
		},
		{
			name: "3.1.1 QoS 2 with packet identifier 0", script: sends(mqttload.AppendPacket(nil, 0x34, publishBody("t", 0, nil, "\x00\x00x"))),
			words: "packet identifier 0",
		},
		{
			name: "empty topic in 3.1.1", script: sends(mqttload.AppendPacket(nil, 0x30, publishBody("", 0, nil, "x"))),
			words: "empty topic",
		},
		{
			name: "duplicate property", v5: true, script: sends(mqttload.AppendPacket(nil, 0x30, publishBody("t", 0, []byte{1, 1, 1, 0}, "x"))),
			reason: reasonProtocolError, words: "twice",
		},
		{
			name: "PUBACK for packet identifier 0", v5: true, script: sends([]byte{0x40, 2, 0, 0}),
			reason: reasonProtocolError, words: "PUBACK for packet identifier 0",
		},
		{name: "reserved packet type", script: sends([]byte{0x00, 0}), words: "reserved type"},
		{
			name: "CONNECT from the broker", v5: true, script: sends([]byte{0x10, 0}),
			reason: reasonProtocolError, words: "only clients send",
		},
		{
			name: "second CONNACK", v5: true, script: sends([]byte{0x20, 3, 0, 0, 0}),
			reason: reasonProtocolError, words: "second CONNACK",
		},
		{name: "PINGRESP with a body", script: sends([]byte{0xD0, 1, 0}), words: "PINGRESP of 1 bytes"},
		{
			name: "PUBREL with wrong flags", v5: true, script: sends([]byte{0x60, 2, 0, 1}),
			reason: reasonMalformed, words: "reserved header flags",
		},
		{
			name: "remaining length of five bytes", script: sends([]byte{0x30, 0xff, 0xff, 0xff, 0xff, 0x01}),
			words: "more than 4 bytes",
		},
		{
			name: "over the maximum packet size", v5: true, options: func(o *mqtt.Options) { o.MaximumPacketSize = 1000 },
			script: sends(mqttload.AppendPacket(nil, 0x30, publishBody("big", 0, []byte{}, strings.Repeat("x", 2000)))),
			reason: reasonPacketTooLarge, words: "accepts at most 1000 bytes",
		},
		{
			name: "a header claiming 256 MiB", v5: true, script: sends([]byte{0x30, 0xff, 0xff, 0xff, 0x7f, 0, 1, 't'}),
			reason: reasonPacketTooLarge, words: "accepts at most 64 MiB",
		},
	}
}

// TestBrokerProtocolViolationsCloseTheConnection checks that a packet MQTT
// forbids never reaches a library or the handler: the connection closes,
// MQTT 5 with a DISCONNECT carrying the right reason, the session reports
// one sentence, the protocol log says why, and the process lives on.
func TestBrokerProtocolViolationsCloseTheConnection(t *testing.T) {
	for _, c := range refusedCases() {
		t.Run(c.name, func(t *testing.T) {
			b := startHostile(t, c.v5, c.script)
			version := mqtt.MQTT311
			if c.v5 {
				version = mqtt.MQTT5
			}
			o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(), version)
			o.Reconnect.Enabled = false
			if c.options != nil {
				c.options(&o)
			}
			rec := newRecorder()
			s, err := connectAndSubscribe(t, o, rec)
			var perr *Error
			if !errors.As(err, &perr) || !strings.Contains(perr.Sentence, c.words) {
				t.Fatalf("the connection ended with %v, want a sentence saying %q", err, c.words)
			}
			if perr.Kind != ErrProtocol && perr.Kind != ErrPacketTooLarge {
				t.Errorf("error kind %v", perr.Kind)
			}
			if n := len(rec.waitMessagesNow()); n != 0 {
				t.Errorf("%d messages delivered", n)
			}
			if !logSays(s, "closing the connection: the broker sent") {
				t.Error("the protocol log does not say why the connection closed")
			}
			checkDisconnectReason(t, b, c.v5, c.reason)
		})
	}
}

// connectAndSubscribe connects a session to the hostile broker and
// subscribes, and returns the error that ended its connection: the broker
// may break the protocol while CONNECT is still being answered, or after.
func connectAndSubscribe(t *testing.T, o mqtt.Options, rec *recorder) (*Session, error) {
	t.Helper()
	s, err := NewSession(o, rec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Disconnect(context.Background()) })
	ctx, cancel := contextWithTimeout(5 * time.Second)
	defer cancel()
	if err := s.Connect(ctx); err != nil {
		return s, err
	}
	_, _ = s.Subscribe(ctx, mqtt.Subscription{Filter: "#", QoS: 1})
	return s, rec.waitEvent(t, EventDisconnected, 1).Err
}

func checkDisconnectReason(t *testing.T, b *hostileBroker, v5 bool, reason byte) {
	t.Helper()
	b.waitClosed(t)
	p, ok := b.first(pktDisconnect)
	switch {
	case ok && !v5:
		t.Fatal("MQTT 3.1.1 client sent DISCONNECT: the broker would drop its will")
	case v5 && !ok:
		t.Fatalf("no DISCONNECT 0x%02X", reason)
	case v5 && (len(p.body) == 0 || p.body[0] != reason):
		t.Fatalf("DISCONNECT % x, want reason 0x%02X", p.body, reason)
	}
}

func logSays(s *Session, text string) bool {
	for _, e := range s.Log() {
		if strings.Contains(e.Note, text) {
			return true
		}
	}
	return false
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// waitMessagesNow returns the messages delivered so far.
func (r *recorder) waitMessagesNow() []mqtt.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]mqtt.Message(nil), r.messages...)
}

// TestMaximumPacketSizeSentInConnect checks that an MQTT 5 CONNECT tells
// the broker the largest packet the client accepts, the default included.
func TestMaximumPacketSizeSentInConnect(t *testing.T) {
	for _, size := range []uint32{0, 1000} {
		var got []byte
		var mu sync.Mutex
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			p, _ := (&hostileBroker{}).read(bufio.NewReader(c))
			mu.Lock()
			got = p.body
			mu.Unlock()
			_, _ = c.Write([]byte{0x20, 3, 0, 0, 0})
			_, _ = io.Copy(io.Discard, c)
		}()
		o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", ln.Addr().(*net.TCPAddr).Port, mqtt.MQTT5)
		o.MaximumPacketSize = size
		s, _ := open(t, o)
		_ = s.Disconnect(context.Background())
		_ = ln.Close()
		want := size
		if want == 0 {
			want = mqtt.DefaultMaximumPacketSize
		}
		mu.Lock()
		prop := append([]byte{0x27}, binary.BigEndian.AppendUint32(nil, want)...)
		if !bytes.Contains(got, prop) {
			t.Errorf("MaximumPacketSize %d: CONNECT % x lacks % x", size, got, prop)
		}
		mu.Unlock()
	}
}

// TestClaimedSizeIsNotReserved checks that memory follows the bytes that
// arrive: a header claiming 256 MiB followed by 100 KiB must not make the
// client reserve 256 MiB.
func TestClaimedSizeIsNotReserved(t *testing.T) {
	hold := make(chan struct{})
	b := startHostile(t, true, func(_ *hostileBroker, c net.Conn, _ *bufio.Reader) {
		_, _ = c.Write([]byte{0x30, 0xff, 0xff, 0xff, 0x7f})
		_, _ = c.Write(bytes.Repeat([]byte{'x'}, 100<<10))
		<-hold
	})
	o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(), mqtt.MQTT5)
	o.MaximumPacketSize = 268435460 // the most MQTT can encode: let the claim pass
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, _ := open(t, o)
	time.Sleep(500 * time.Millisecond) // the client reads what came
	runtime.ReadMemStats(&after)
	close(hold)
	_ = s.Disconnect(context.Background())
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Fatalf("the client allocated %d MiB for 100 KiB that arrived", grew>>20)
	}
}
