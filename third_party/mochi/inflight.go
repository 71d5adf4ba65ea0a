// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2023 mochi-mqtt, mochi-co
// SPDX-FileContributor: mochi-co

package mqtt

import (
	"sort"
	"sync"
	"sync/atomic"

	"github.com/mochi-mqtt/server/v2/packets"
)

// Inflight is a map of InflightMessage keyed on packet id.
type Inflight struct {
	sync.RWMutex
	internal            map[uint16]packets.Packet // internal contains the inflight packets
	order               map[uint16]uint64         // mqttdesk: when each packet id was first set, for in-order resends
	next                uint64                    // mqttdesk: the next order value
	bytes               int64                     // mqttdesk: queuedSize of the packets held, bounded with the outbound queue's
	held                int                       // mqttdesk: how many wait for send quota (Expiry < 0), so that most acks need no scan
	receiveQuota        int32                     // remaining inbound qos quota for flow control
	sendQuota           int32                     // remaining outbound qos quota for flow control
	maximumReceiveQuota int32                     // maximum allowed receive quota
	maximumSendQuota    int32                     // maximum allowed send quota
}

// NewInflights returns a new instance of an Inflight packets map.
func NewInflights() *Inflight {
	return &Inflight{
		internal: map[uint16]packets.Packet{},
		order:    map[uint16]uint64{},
	}
}

// Set adds or updates an inflight packet by packet id.
func (i *Inflight) Set(m packets.Packet) bool {
	i.Lock()
	defer i.Unlock()

	return i.setLocked(m)
}

// setLocked is Set under the lock. mqttdesk: added.
func (i *Inflight) setLocked(m packets.Packet) bool {
	old, ok := i.internal[m.PacketID]
	i.internal[m.PacketID] = m
	i.bytes += queuedSize(&m)
	i.held += heldCount(m)
	if ok {
		i.bytes -= queuedSize(&old)
		i.held -= heldCount(old)
	}
	if !ok { // a replaced packet (PUBREC for a PUBLISH) keeps its place
		i.order[m.PacketID] = i.next
		i.next++
	}
	return !ok
}

// Get returns an inflight packet by packet id.
func (i *Inflight) Get(id uint16) (packets.Packet, bool) {
	i.RLock()
	defer i.RUnlock()

	if m, ok := i.internal[id]; ok {
		return m, true
	}

	return packets.Packet{}, false
}

// Len returns the size of the inflight messages map.
func (i *Inflight) Len() int {
	i.RLock()
	defer i.RUnlock()
	return len(i.internal)
}

// Clone returns a new instance of Inflight with the same message data.
// This is used when transferring inflights from a taken-over session.
func (i *Inflight) Clone() *Inflight {
	c := NewInflights()
	i.RLock()
	defer i.RUnlock()
	for k, v := range i.internal {
		c.internal[k] = v
		c.order[k] = i.order[k]
	}
	c.next, c.bytes, c.held = i.next, i.bytes, i.held
	return c
}

// Bytes returns the memory the held packets take, by queuedSize. mqttdesk:
// added, so that what is held for a client (in flight, held back by its
// Receive Maximum, or queued while it is offline) is bounded with what
// waits to be written to it.
func (i *Inflight) Bytes() int64 {
	i.RLock()
	defer i.RUnlock()
	return i.bytes
}

// GetAll returns all the inflight messages.
func (i *Inflight) GetAll(immediate bool) []packets.Packet {
	i.RLock()
	defer i.RUnlock()

	m := []packets.Packet{}
	for _, v := range i.internal {
		if !immediate || (immediate && v.Expiry < 0) {
			m = append(m, v)
		}
	}

	// mqttdesk: resend in the order the packets were queued (MQTT-4.6.0).
	// Upstream sorted by uint16(Created), seconds truncated to 16 bits, with
	// an unstable sort: packets queued in the same second came back shuffled.
	sort.Slice(m, func(a, b int) bool {
		return i.order[m[a].PacketID] < i.order[m[b].PacketID]
	})

	return m
}

// NextImmediate returns the next inflight packet which is indicated to be sent immediately.
// This typically occurs when the quota has been exhausted, and we need to wait until new quota
// is free to continue sending.
//
// mqttdesk: it is asked after every packet a client sends, so it answers
// at once when nothing is held, and otherwise finds the first held packet
// in one pass. Upstream sorted every in-flight packet each time: a
// subscriber with thousands in flight had its acknowledgements read
// slower than messages came, until its in-flight store was full and
// messages to it were dropped.
func (i *Inflight) NextImmediate() (packets.Packet, bool) {
	i.RLock()
	defer i.RUnlock()
	if i.held == 0 {
		return packets.Packet{}, false
	}
	var first packets.Packet
	found := false
	for id, v := range i.internal {
		if v.Expiry < 0 && (!found || i.order[id] < i.order[first.PacketID]) {
			first, found = v, true
		}
	}
	return first, found
}

// SetTakingQuota stores m as Set does, taking one send quota for it, or,
// with none left, holding it back (Expiry -1) until an acknowledgement
// frees one: in one step, under the lock NextImmediate takes. mqttdesk:
// added. Taking the quota and holding back in two steps let an
// acknowledgement come between them, free the quota, find nothing held
// and leave the message held with quota to spare, until some other
// acknowledgement came: for the last message in flight, never.
func (i *Inflight) SetTakingQuota(m packets.Packet) (quota, added bool) {
	i.Lock()
	defer i.Unlock()
	quota = i.TakeSendQuota()
	if !quota {
		m.Expiry = -1
	}
	return quota, i.setLocked(m)
}

// heldCount is 1 for a packet held back for send quota, else 0.
// mqttdesk: added.
func heldCount(pk packets.Packet) int {
	if pk.Expiry < 0 {
		return 1
	}
	return 0
}

// Delete removes an in-flight message from the map. Returns true if the message existed.
func (i *Inflight) Delete(id uint16) bool {
	i.Lock()
	defer i.Unlock()

	old, ok := i.internal[id]
	if ok {
		i.bytes -= queuedSize(&old) // mqttdesk
		i.held -= heldCount(old)
	}
	delete(i.internal, id)
	delete(i.order, id)

	return ok
}

// TakeRecieveQuota reduces the receive quota by 1.
func (i *Inflight) DecreaseReceiveQuota() {
	if atomic.LoadInt32(&i.receiveQuota) > 0 {
		atomic.AddInt32(&i.receiveQuota, -1)
	}
}

// TakeRecieveQuota increases the receive quota by 1.
func (i *Inflight) IncreaseReceiveQuota() {
	if atomic.LoadInt32(&i.receiveQuota) < atomic.LoadInt32(&i.maximumReceiveQuota) {
		atomic.AddInt32(&i.receiveQuota, 1)
	}
}

// ResetReceiveQuota resets the receive quota to the maximum allowed value.
func (i *Inflight) ResetReceiveQuota(n int32) {
	atomic.StoreInt32(&i.receiveQuota, n)
	atomic.StoreInt32(&i.maximumReceiveQuota, n)
}

// DecreaseSendQuota reduces the send quota by 1.
func (i *Inflight) DecreaseSendQuota() {
	if atomic.LoadInt32(&i.sendQuota) > 0 {
		atomic.AddInt32(&i.sendQuota, -1)
	}
}

// IncreaseSendQuota increases the send quota by 1.
func (i *Inflight) IncreaseSendQuota() {
	if atomic.LoadInt32(&i.sendQuota) < atomic.LoadInt32(&i.maximumSendQuota) {
		atomic.AddInt32(&i.sendQuota, 1)
	}
}

// TakeSendQuota takes one from the send quota and reports whether there
// was one to take; with no maximum (0) there always is. mqttdesk: added,
// so that checking and taking are one step.
func (i *Inflight) TakeSendQuota() bool {
	if atomic.LoadInt32(&i.maximumSendQuota) == 0 {
		return true
	}
	for {
		q := atomic.LoadInt32(&i.sendQuota)
		if q <= 0 {
			return false
		}
		if atomic.CompareAndSwapInt32(&i.sendQuota, q, q-1) {
			return true
		}
	}
}

// ResetSendQuota resets the send quota to the maximum allowed value.
func (i *Inflight) ResetSendQuota(n int32) {
	atomic.StoreInt32(&i.sendQuota, n)
	atomic.StoreInt32(&i.maximumSendQuota, n)
}
