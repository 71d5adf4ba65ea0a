package mqtt

import (
	"sync"

	"github.com/mochi-mqtt/server/v2/packets"
)

// mqttdesk: outboundQueue holds a client's packets waiting to be written. It
// replaces a channel of MaximumClientWritesPending (8,192) slots: that cost
// every client 64 KiB on connect, which the garbage collector scanned, and
// made connecting a thousand clients mostly garbage collection. The queue
// grows with what is waiting and keeps the same limit.
type outboundQueue struct {
	mu    sync.Mutex
	items []*packets.Packet
	head  int
	limit int
	ready chan struct{} // holds a signal while packets may be waiting
}

func newOutboundQueue(limit int) *outboundQueue {
	return &outboundQueue{limit: limit, ready: make(chan struct{}, 1)}
}

// push adds pk, or reports false when limit packets are already waiting.
func (q *outboundQueue) push(pk *packets.Packet) bool {
	q.mu.Lock()
	if len(q.items)-q.head >= q.limit {
		q.mu.Unlock()
		return false
	}
	q.items = append(q.items, pk)
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
