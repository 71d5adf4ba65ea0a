package localbroker

import (
	"errors"
	"runtime/debug"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

const (
	// largePacket is the size from which a packet's buffers are worth
	// giving back to the system once it has passed through.
	largePacket = 1 << 20
	// releaseDelay is how long after the last large packet that happens.
	releaseDelay = 500 * time.Millisecond
)

// memoryHook gives the memory of large packets back to the operating
// system once they have passed, or were cut short. A 100 MB PUBLISH takes a few hundred MB
// of buffers (the read, a copy per subscriber, each encoding); they are
// garbage once delivered, but an idle broker makes no garbage to start a
// collection, so the process kept them for minutes. After the last
// packet of at least largePacket bytes read or sent, it waits
// releaseDelay and calls debug.FreeOSMemory: one collection and a return
// of the free pages, at most once per delay, and only after large
// packets.
type memoryHook struct {
	mqtt.HookBase
	release func()

	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
	running sync.Mutex // held while release runs, so that Stop can wait for it
}

func newMemoryHook() *memoryHook { return &memoryHook{release: debug.FreeOSMemory} }

func (h *memoryHook) ID() string { return "mqttdesk-memory" }

var memoryEvents = eventsOf(mqtt.OnPacketRead, mqtt.OnPacketSent)

func (h *memoryHook) Provides(b byte) bool { return memoryEvents.has(b) }

func (h *memoryHook) OnPacketRead(_ *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if pk.FixedHeader.Remaining >= largePacket {
		h.note()
	}
	return pk, nil
}

// OnPacketSent looks at the packet's length: mochi hands over its write
// buffer after writing it, empty by then.
func (h *memoryHook) OnPacketSent(_ *mqtt.Client, pk packets.Packet, _ []byte) {
	if pk.FixedHeader.Remaining >= largePacket {
		h.note()
	}
}

// connectionEnded gives memory back after a connection that ended in the
// middle of a large packet: its buffer is garbage now, and no packet
// passed to say so. The listeners call it as each connection ends.
func (h *memoryHook) connectionEnded(err error) {
	var cut *mqtt.PartialPacketError
	if errors.As(err, &cut) && cut.Held >= largePacket {
		h.note()
	}
}

// note (re)starts the wait before giving memory back.
func (h *memoryHook) note() {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.stopped:
	case h.timer == nil:
		h.timer = time.AfterFunc(releaseDelay, h.releaseNow)
	default:
		h.timer.Reset(releaseDelay)
	}
}

func (h *memoryHook) releaseNow() {
	h.running.Lock()
	defer h.running.Unlock()
	h.mu.Lock()
	stopped := h.stopped
	h.mu.Unlock()
	if !stopped {
		h.release()
	}
}

// Stop cancels a pending release and waits for one that runs; mochi
// calls it when the server closes.
func (h *memoryHook) Stop() error {
	h.mu.Lock()
	h.stopped = true
	if h.timer != nil {
		h.timer.Stop()
	}
	h.mu.Unlock()
	h.running.Lock()
	defer h.running.Unlock()
	return nil
}
