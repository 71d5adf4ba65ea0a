package mqttcore

import (
	"bufio"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
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
	r          *bufio.Reader // the network, read one packet at a time
	deliver    func(Message) // the session's handler of incoming messages
	pending    []byte        // what the library is yet to read
	pendingBuf []byte
	topics     topicCache

	ids       *subIDQueue
	v3Refusal atomic.Int32 // a 3.1.1 CONNACK return code answering MQTT 5, or 0

	wmu sync.Mutex
	out packetParser

	// replaceFirst, when set, is written instead of the first packet the
	// library writes (its CONNECT); held gathers that packet's bytes.
	replaceFirst []byte
	held         []byte
}

// newTapConn wraps c. deliver receives the QoS 0 messages the tap decodes
// itself (see inbound.go); the library delivers the others.
func newTapConn(c net.Conn, log *protocolLog, v5 bool, deliver func(Message)) *tapConn {
	t := &tapConn{Conn: c, log: log, v5: v5, ids: &subIDQueue{}, deliver: deliver}
	t.src, t.r = newInboundReader(c)
	t.out.onPacket = func(h byte, size int, prefix []byte) { t.packet(true, h, size, prefix) }
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
	n, err := t.Conn.Write(p)
	t.out.feed(p[:n])
	return n, err
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
	if _, err := t.Conn.Write(out); err != nil {
		return 0, err
	}
	t.out.feed(out)
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
	e := LogEntry{Time: time.Now(), Sent: sent, Type: packetNames[typ], Size: size}
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
		if len(prefix) >= 2 {
			e.PacketID = uint16(prefix[0])<<8 | uint16(prefix[1])
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
	return "(" + reasonText(body[i]) + ")"
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
