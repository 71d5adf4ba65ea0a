package localbroker

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/mqttdesk/mqttdesk/internal/wsconn"
)

// rawClient speaks MQTT packet by packet, so that tests control every byte
// a client sends (Request Problem Information = 0, topic aliases, acks that
// are never sent) and see every byte the broker answers.
type rawClient struct {
	t       *testing.T
	conn    net.Conn
	r       *bufio.Reader
	version byte
}

func dialRaw(t *testing.T, addr string, version byte) *rawClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	return newRaw(t, conn, version)
}

func newRaw(t *testing.T, conn net.Conn, version byte) *rawClient {
	t.Cleanup(func() { _ = conn.Close() })
	return &rawClient{t: t, conn: conn, r: bufio.NewReader(conn), version: version}
}

// dialRawWS connects over WebSocket with the "mqtt" subprotocol.
func dialRawWS(t *testing.T, url string, version byte) *rawClient {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"mqtt"}, HandshakeTimeout: 5 * time.Second}
	ws, _, err := d.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return newRaw(t, wsconn.New(ws), version)
}

func (c *rawClient) send(pk packets.Packet) {
	c.t.Helper()
	pk.ProtocolVersion = c.version
	var buf bytes.Buffer
	if err := encode(&pk, &buf); err != nil {
		c.t.Fatalf("encode %v: %v", pk.FixedHeader.Type, err)
	}
	if _, err := c.conn.Write(buf.Bytes()); err != nil {
		c.t.Fatalf("write %v: %v", pk.FixedHeader.Type, err)
	}
}

func encode(pk *packets.Packet, buf *bytes.Buffer) error {
	switch pk.FixedHeader.Type {
	case packets.Connect:
		return pk.ConnectEncode(buf)
	case packets.Publish:
		return pk.PublishEncode(buf)
	case packets.Puback:
		return pk.PubackEncode(buf)
	case packets.Pubrec:
		return pk.PubrecEncode(buf)
	case packets.Pubrel:
		return pk.PubrelEncode(buf)
	case packets.Pubcomp:
		return pk.PubcompEncode(buf)
	case packets.Subscribe:
		return pk.SubscribeEncode(buf)
	case packets.Unsubscribe:
		return pk.UnsubscribeEncode(buf)
	case packets.Pingreq:
		return pk.PingreqEncode(buf)
	case packets.Disconnect:
		return pk.DisconnectEncode(buf)
	}
	return fmt.Errorf("no encoder for packet type %d", pk.FixedHeader.Type)
}

// read returns the next packet, or an error when none arrives within wait
// or the connection ends.
func (c *rawClient) read(wait time.Duration) (packets.Packet, error) {
	var pk packets.Packet
	raw, err := c.readRaw(wait)
	if err != nil {
		return pk, err
	}
	if err := pk.FixedHeader.Decode(raw[0]); err != nil {
		return pk, err
	}
	n, used, err := packets.DecodeLength(bytes.NewReader(raw[1:]))
	if err != nil {
		return pk, err
	}
	pk.FixedHeader.Remaining = n
	pk.ProtocolVersion = c.version
	return pk, decode(&pk, raw[1+used:])
}

// readRaw returns the next packet's bytes as they arrived, fixed header
// included.
func (c *rawClient) readRaw(wait time.Duration) ([]byte, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(wait))
	b, err := c.r.ReadByte()
	if err != nil {
		return nil, err
	}
	head := []byte{b}
	for i := 0; i < 4; i++ { // the remaining length: 1 to 4 bytes
		lb, err := c.r.ReadByte()
		if err != nil {
			return nil, err
		}
		head = append(head, lb)
		if lb&0x80 == 0 {
			break
		}
	}
	n, _, err := packets.DecodeLength(bytes.NewReader(head[1:]))
	if err != nil {
		return nil, err
	}
	raw := append(head, make([]byte, n)...)
	if _, err := io.ReadFull(c.r, raw[len(head):]); err != nil {
		return nil, err
	}
	return raw, nil
}

func decode(pk *packets.Packet, body []byte) error {
	switch pk.FixedHeader.Type {
	case packets.Connack:
		return pk.ConnackDecode(body)
	case packets.Publish:
		return pk.PublishDecode(body)
	case packets.Puback:
		return pk.PubackDecode(body)
	case packets.Pubrec:
		return pk.PubrecDecode(body)
	case packets.Pubrel:
		return pk.PubrelDecode(body)
	case packets.Pubcomp:
		return pk.PubcompDecode(body)
	case packets.Suback:
		return pk.SubackDecode(body)
	case packets.Unsuback:
		return pk.UnsubackDecode(body)
	case packets.Pingresp:
		return pk.PingrespDecode(body)
	case packets.Disconnect:
		return pk.DisconnectDecode(body)
	}
	return fmt.Errorf("no decoder for packet type %d", pk.FixedHeader.Type)
}

// expect reads the next packet and fails unless it has type typ.
func (c *rawClient) expect(typ byte) packets.Packet {
	c.t.Helper()
	pk, err := c.read(5 * time.Second)
	if err != nil {
		c.t.Fatalf("waiting for packet type %d: %v", typ, err)
	}
	if pk.FixedHeader.Type != typ {
		c.t.Fatalf("got packet type %d (reason 0x%02x), want %d", pk.FixedHeader.Type, pk.ReasonCode, typ)
	}
	return pk
}

// expectNothing fails if a packet arrives within wait.
func (c *rawClient) expectNothing(wait time.Duration) {
	c.t.Helper()
	pk, err := c.read(wait)
	if err == nil {
		c.t.Fatalf("got unexpected packet type %d topic %q", pk.FixedHeader.Type, pk.TopicName)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		c.t.Fatalf("connection ended while waiting: %v", err)
	}
}

// connectPacket is a CONNECT with clean start and a 30 s keep-alive.
func connectPacket(id string) packets.Packet {
	return packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Connect},
		Connect: packets.ConnectParams{
			ProtocolName: []byte("MQTT"), ClientIdentifier: id, Clean: true, Keepalive: 30,
		},
	}
}

// connect sends pk and returns the CONNACK, failing on a refusal.
func (c *rawClient) connect(pk packets.Packet) packets.Packet {
	c.t.Helper()
	c.send(pk)
	ack := c.expect(packets.Connack)
	if ack.ReasonCode != 0 {
		c.t.Fatalf("CONNACK reason 0x%02x", ack.ReasonCode)
	}
	return ack
}

// subscribe subscribes to subs with packet id 1 and returns the SUBACK.
func (c *rawClient) subscribe(props packets.Properties, subs ...packets.Subscription) packets.Packet {
	c.t.Helper()
	c.send(packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Subscribe, Qos: 1},
		PacketID:    1, Filters: subs, Properties: props,
	})
	return c.expect(packets.Suback)
}

func (c *rawClient) publish(topic string, payload []byte, qos byte, retain bool, props packets.Properties, id uint16) {
	c.t.Helper()
	c.send(packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: qos, Retain: retain},
		TopicName:   topic, Payload: payload, Properties: props, PacketID: id,
	})
}

func (c *rawClient) ack(typ byte, id uint16) {
	c.t.Helper()
	c.send(packets.Packet{FixedHeader: packets.FixedHeader{Type: typ, Qos: qosOfAck(typ)}, PacketID: id})
}

func qosOfAck(typ byte) byte {
	if typ == packets.Pubrel {
		return 1
	}
	return 0
}

func (c *rawClient) disconnect() {
	c.t.Helper()
	c.send(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Disconnect}})
	_ = c.conn.Close()
}

// sendRaw writes b as it is.
func (c *rawClient) sendRaw(b []byte) {
	c.t.Helper()
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatalf("write % x: %v", b, err)
	}
}
