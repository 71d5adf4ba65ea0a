package mqttcore

import (
	"bufio"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// tapConn sits between an MQTT library and the network. It logs every
// packet in both directions, and for MQTT 5 keeps every subscription
// identifier of incoming PUBLISH packets, which paho's decoder reduces to
// the last one. It implements sync.Locker: paho.golang writes one packet in
// several Writes and holds the lock around them, so that packets from its
// goroutines (a PINGREQ and a SUBSCRIBE, say) never interleave.
type tapConn struct {
	net.Conn
	log *protocolLog
	v5  bool

	packetMu sync.Mutex // held by paho around each packet it writes

	// Used by the reading goroutine only (see inbound.go).
	src        *stampedReader
	r          *bufio.Reader      // the network, read one packet at a time
	deliver    func(mqtt.Message) // the session's handler of incoming messages
	pending    []byte             // what the library is yet to read
	pendingBuf []byte
	check      *inboundCheck
	maxPacket  int                       // the largest packet accepted from the broker
	violated   atomic.Pointer[violation] // the packet that ended the connection

	ids       *subIDQueue
	v3Refusal atomic.Int32 // a 3.1.1 CONNACK return code answering MQTT 5, or 0

	wmu sync.Mutex
	out packetParser

	// replaceFirst, when set, is written instead of the first packet the
	// library writes (its CONNECT); held gathers that packet's bytes.
	replaceFirst []byte
	held         []byte
}

// newTapConn wraps c for a connection made with o. deliver receives the
// QoS 0 messages the tap decodes itself (see inbound.go); the library
// delivers the others.
func newTapConn(c net.Conn, log *protocolLog, o mqtt.Options, deliver func(mqtt.Message)) *tapConn {
	v5 := o.Version == mqtt.MQTT5
	t := &tapConn{
		Conn: c, log: log, v5: v5, ids: &subIDQueue{}, deliver: deliver,
		check: newInboundCheck(v5, o.TopicAliasMaximum), maxPacket: int(o.PacketSizeLimit()),
	}
	t.src, t.r = newInboundReader(c)
	t.out.onPacket = func(h byte, size int, prefix []byte) { t.packet(true, h, size, prefix) }
	t.out.whole = func(h byte) bool { return h>>4 == pktSubscribe || h>>4 == pktUnsubscribe } // to count their filters
	return t
}

// Lock and Unlock make whole packets atomic for paho.golang.
func (t *tapConn) Lock()   { t.packetMu.Lock() }
func (t *tapConn) Unlock() { t.packetMu.Unlock() }

func (t *tapConn) Write(p []byte) (int, error) {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if t.replaceFirst != nil {
		return t.writeReplacing(p)
	}
	t.out.feed(p) // before writing: the broker's answer can come before Write returns
	return t.writeWithin(p, writeStall)
}

// writeStall is how long a write may wait for a broker that has stopped
// reading before the connection counts as broken. A large message is
// written a chunk at a time, each within writeStall, so a slow link is
// not mistaken for a stalled broker.
const (
	writeStall = 30 * time.Second
	writeChunk = 64 << 10
)

// writeWithin writes p to the network, failing once the broker has
// taken nothing for stall: a broker that stops reading would otherwise
// hold a publish, a DISCONNECT and the library's packet lock for ever.
func (t *tapConn) writeWithin(p []byte, stall time.Duration) (int, error) {
	written := 0
	for written < len(p) {
		chunk := p[written:min(len(p), written+writeChunk)]
		_ = t.Conn.SetWriteDeadline(time.Now().Add(stall))
		n, err := t.Conn.Write(chunk)
		written += n
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// writeReplacing gathers the library's first packet and, once it is
// complete, writes replaceFirst in its place, followed by whatever came
// after it.
func (t *tapConn) writeReplacing(p []byte) (int, error) {
	t.held = append(t.held, p...)
	size, ok := packetLength(t.held)
	if !ok {
		return len(p), nil
	}
	out := append(t.replaceFirst, t.held[size:]...)
	t.replaceFirst, t.held = nil, nil
	t.out.feed(out)
	if _, err := t.writeWithin(out, writeStall); err != nil {
		return 0, err
	}
	return len(p), nil
}

// packetLength returns the total length of the packet that b starts with,
// and false while b does not hold all of it yet.
func packetLength(b []byte) (int, bool) {
	if len(b) < 2 {
		return 0, false
	}
	n, used, ok := uvarint(b[1:])
	if !ok || len(b) < 1+used+n {
		return 0, false
	}
	return 1 + used + n, true
}

func (t *tapConn) packet(sent bool, header byte, size int, prefix []byte) {
	typ := header >> 4
	e := mqtt.LogEntry{Time: time.Now(), Sent: sent, Type: packetNames[typ], Size: size}
	switch typ {
	case pktPublish:
		f, ok := parsePublish(header, prefix, t.v5)
		if !ok {
			break
		}
		e.Topic, e.PacketID, e.QoS = f.topic, f.packetID, header>>1&3
		if f.topic == "" && f.alias != 0 {
			e.Note = "topic alias " + strconv.Itoa(int(f.alias))
		}
		if !sent {
			t.ids.published(f)
		}
	case pktPuback, pktPubrec, pktPubrel, pktPubcomp, pktSubscribe, pktSuback, pktUnsubscribe, pktUnsuback:
		if sent && (typ == pktSubscribe || typ == pktUnsubscribe) {
			t.check.sent(typ, prefix)
		}
		if len(prefix) >= 2 {
			e.PacketID = uint16(prefix[0])<<8 | uint16(prefix[1])
		}
		switch {
		case sent && typ == pktPubrec:
			t.ids.answered(e.PacketID)
		case !sent && typ == pktPubrel:
			t.ids.released(e.PacketID)
		}
	case pktConnack, pktDisconnect:
		e.Note = reasonNote(typ, prefix)
		if typ == pktConnack && !sent && t.v5 && len(prefix) == 2 && prefix[1] >= 1 && prefix[1] <= 5 {
			t.v3Refusal.Store(int32(prefix[1])) // a 3.1.1 broker refusing our 5.0 CONNECT
		}
	}
	t.log.add(e)
}

// reasonNote describes the reason code of a CONNACK or DISCONNECT.
func reasonNote(typ byte, body []byte) string {
	i := 0
	if typ == pktConnack {
		i = 1
	}
	if len(body) <= i {
		return ""
	}
	return "(" + mqtt.ReasonText(body[i]) + ")"
}

// subIDQueue carries the subscription identifiers of incoming PUBLISH
// packets from the reader to the message handler. Every PUBLISH read is
// counted; only those with two or more identifiers are queued, with their
// count, so the handler, which sees the same PUBLISH packets in the same
// order, can pick them up.
type subIDQueue struct {
	mu        sync.Mutex
	read      uint64 // PUBLISH packets read for the library
	handled   uint64 // PUBLISH packets the library is handing to the handler
	delivered uint64 // PUBLISH packets the library has handed to the handler
	pending   []queuedIDs
	received  map[uint16]bool // QoS 2 packet IDs answered with PUBREC, not yet released
}

// answered notes a PUBREC the client sent: the QoS 2 message is received.
func (q *subIDQueue) answered(id uint16) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.received == nil {
		q.received = map[uint16]bool{}
	}
	q.received[id] = true
}

// released notes a PUBREL from the broker for id.
func (q *subIDQueue) released(id uint16) {
	q.mu.Lock()
	delete(q.received, id)
	q.mu.Unlock()
}

// alreadyReceived reports whether the QoS 2 message id was answered with
// PUBREC and not yet released: paho.golang acknowledges a DUP copy of it
// again without delivering it.
func (q *subIDQueue) alreadyReceived(id uint16) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.received[id]
}

type queuedIDs struct {
	seq      uint64
	packetID uint16
	ids      []int
}

func (q *subIDQueue) published(f publishFields) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.read++
	if len(f.subIDs) > 1 {
		q.pending = append(q.pending, queuedIDs{seq: q.read, packetID: f.packetID, ids: f.subIDs})
	}
}

// settled reports whether the library has delivered every PUBLISH it was
// given.
func (q *subIDQueue) settled() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.read == q.delivered
}

// deliveredOne counts a PUBLISH the library has handed to the handler;
// call it once the handler has returned.
func (q *subIDQueue) deliveredOne() {
	q.mu.Lock()
	q.delivered++
	q.mu.Unlock()
}

// forHandled returns the identifiers of the next PUBLISH handed to the
// handler: all of them when the wire had several, otherwise last (what
// paho decoded, possibly none).
func (q *subIDQueue) forHandled(packetID uint16, last *int) []int {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handled++
	for len(q.pending) > 0 && q.pending[0].seq < q.handled {
		q.pending = q.pending[1:] // never handed over; drop
	}
	if len(q.pending) > 0 && q.pending[0].seq == q.handled && q.pending[0].packetID == packetID {
		ids := q.pending[0].ids
		q.pending = q.pending[1:]
		return ids
	}
	if last == nil {
		return nil
	}
	return []int{*last}
}

// violation returns the packet that ended the connection, or nil.
func (t *tapConn) violation() *violation { return t.violated.Load() }
