package localbroker

import (
	"runtime/debug"
	"testing"
	"time"
)

// claimPublish connects a client that sends the header of a PUBLISH of
// claim bytes and then body bytes of it.
func claimPublish(t *testing.T, b *Broker, id string, claim, body int) *rawClient {
	c := connected(t, b, id)
	c.sendRaw(append(append([]byte{0x30}, varint(claim)...), make([]byte, body)...))
	return c
}

// waitHeap waits up to wait for the heap held from the system to drop
// under limit, and returns what it holds.
func waitHeap(limit uint64, wait time.Duration) uint64 {
	deadline := time.Now().Add(wait)
	for {
		held := heapHeld()
		if held < limit || time.Now().After(deadline) {
			return held
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestClaimedPacketSizeNotAllocated: a PUBLISH header claims how big its
// body is; the broker takes memory for the body as it arrives, not for
// the claim. mochi made the whole buffer first: 20 clients that each
// claimed 32 MiB and sent 1 byte took 640 MB. And when a connection ends
// in the middle of a large body, its memory is given back, as after a
// large packet that passed.
func TestClaimedPacketSizeNotAllocated(t *testing.T) {
	b := startBroker(t, testConfig())
	debug.FreeOSMemory()
	before := heapHeld()
	claim := DefaultMaxPacketSize - 16
	var clients []*rawClient
	for i := range 20 {
		clients = append(clients, claimPublish(t, b, "claim"+string(rune('a'+i)), claim, 1))
	}
	time.Sleep(500 * time.Millisecond) // the broker has read the headers
	if held := heapHeld(); held > before+16<<20 {
		t.Errorf("20 claims of 32 MiB with 1 byte each: the heap holds %d MiB, %d MiB before", held>>20, before>>20)
	}
	for _, c := range clients {
		_ = c.conn.Close()
	}

	const sent = 8 << 20
	for i := range 4 {
		c := claimPublish(t, b, "cut"+string(rune('a'+i)), claim, sent)
		clients[i] = c
	}
	time.Sleep(500 * time.Millisecond)
	grown := heapHeld()
	for _, c := range clients[:4] {
		_ = c.conn.Close()
	}
	after := waitHeap(before+16<<20, 5*time.Second)
	t.Logf("heap held from the OS: %d MiB before, %d MiB with 4 bodies of 8 MiB cut short, %d MiB after", before>>20, grown>>20, after>>20)
	if after > before+16<<20 {
		t.Errorf("the heap holds %d MiB 5 s after 4 connections cut 8 MiB into a packet ended, %d MiB before", after>>20, before>>20)
	}
}
