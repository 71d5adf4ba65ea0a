package mqtt

import (
	"sync"

	"github.com/mochi-mqtt/server/v2/packets"
)

// mqttdesk: outboundQueue holds a client's packets waiting to be written. It
// replaces a channel of MaximumClientWritesPending (8,192) slots: that cost
// every client 64 KiB on connect, which the garbage collector scanned, and
// made connecting a thousand clients mostly garbage collection. The queue
// grows with what is waiting and keeps the same limit, and a limit on the
// memory the waiting packets take (MaximumClientWritesPendingBytes, when
// set; see queuedSize). The memory bound covers the client's in-flight
// store too (Inflight.Bytes): QoS 1 and 2 messages are counted there,
// from when they are stored until they are acknowledged, and QoS 0 ones
// here while they wait.
type outboundQueue struct {
	mu         sync.Mutex
	items      []*packets.Packet
	head       int
	limit      int
	limitBytes int64
	bytes      int64         // queuedSize of the waiting QoS 0 packets
	ready      chan struct{} // holds a signal while packets may be waiting
}

// queuedPacketOverhead is what a waiting packet takes besides its topic and
// payload: the packets.Packet (800 bytes) and its properties, rounded up.
const queuedPacketOverhead = 1024

// queuedSize is the memory pk takes while it waits.
func queuedSize(pk *packets.Packet) int64 {
	return int64(queuedPacketOverhead + len(pk.TopicName) + len(pk.Payload))
}

func newOutboundQueue(limit int, limitBytes int64) *outboundQueue {
	return &outboundQueue{limit: limit, limitBytes: limitBytes, ready: make(chan struct{}, 1)}
}

// ownSize is what pk counts in the queue's bytes: QoS 1 and 2 messages
// count in the in-flight store instead.
func ownSize(pk *packets.Packet) int64 {
	if pk.FixedHeader.Qos > 0 {
		return 0
	}
	return queuedSize(pk)
}

// admits reports whether a message of size bytes may be held for the
// client besides what waits here and inflight, the bytes of its in-flight
// store: within limitBytes, or alone. Nothing held takes any one message,
// so that one larger than limitBytes (but within the maximum packet size)
// is still delivered.
func (q *outboundQueue) admits(size, inflight int64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.admitsLocked(size, inflight)
}

func (q *outboundQueue) admitsLocked(size, inflight int64) bool {
	held := q.bytes + inflight
	return q.limitBytes <= 0 || held <= 0 || held+size <= q.limitBytes
}

// push adds pk, or reports false when limit packets are already waiting,
// or a QoS 0 pk is not admitted (see admits) beside the waiting packets
// and inflight, the bytes of the client's in-flight store. A QoS 1 or 2
// pk was admitted before it was stored in flight.
func (q *outboundQueue) push(pk *packets.Packet, inflight int64) bool {
	size := ownSize(pk)
	q.mu.Lock()
	if len(q.items)-q.head >= q.limit || (size > 0 && !q.admitsLocked(size, inflight)) {
		q.mu.Unlock()
		return false
	}
	q.items = append(q.items, pk)
	q.bytes += size
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return true
}

// pop removes and returns the oldest waiting packet.
func (q *outboundQueue) pop() (*packets.Packet, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.head == len(q.items) {
		return nil, false
	}
	pk := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	q.bytes -= ownSize(pk)
	if q.head == len(q.items) { // empty: start again at the front, and let a burst's memory go
		q.head = 0
		if cap(q.items) > 1024 {
			q.items = nil
		} else {
			q.items = q.items[:0]
		}
	}
	return pk, true
}

// len returns how many packets are waiting.
func (q *outboundQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) - q.head
}
