package localbroker

import (
	"maps"
	"sync"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// maxDropClients bounds how many client IDs the drop counts name; drops
// to further clients count in the total only.
const maxDropClients = 10000

// dropHook counts every message the broker drops instead of delivering,
// per client: what is held for it was at the bound (Config.MaxQueueBytes:
// its queue, and its QoS 1 and 2 messages in flight, held back or
// queued offline), it had as many
// QoS 1 and 2 messages waiting as mochi keeps (8,192), or the message is
// larger than the client's Maximum Packet Size.
type dropHook struct {
	mqtt.HookBase

	mu       sync.Mutex
	total    int64
	byClient map[string]int64
	logged   map[string]int64 // byClient as of the last report
}

func newDropHook() *dropHook {
	return &dropHook{byClient: map[string]int64{}, logged: map[string]int64{}}
}

func (h *dropHook) ID() string { return "mqttdesk-drops" }

var dropEvents = eventsOf(mqtt.OnPublishDropped)

func (h *dropHook) Provides(b byte) bool { return dropEvents.has(b) }

func (h *dropHook) OnPublishDropped(cl *mqtt.Client, _ packets.Packet) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.total++
	if _, ok := h.byClient[cl.ID]; ok || len(h.byClient) < maxDropClients {
		h.byClient[cl.ID]++
	}
}

// counts returns the total and a copy of the per-client counts.
func (h *dropHook) counts() (int64, map[string]int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total, maps.Clone(h.byClient)
}

// clientDrops is what a client lost since the last report.
type clientDrops struct {
	client       string
	since, total int64
}

// sinceLastReport returns the clients that lost messages since it was
// last called.
func (h *dropHook) sinceLastReport() []clientDrops {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []clientDrops
	for id, n := range h.byClient {
		if n > h.logged[id] {
			out = append(out, clientDrops{client: id, since: n - h.logged[id], total: n})
			h.logged[id] = n
		}
	}
	return out
}

// reportDrops logs one line per client that lost messages in the last
// interval; the rate sampler calls it once a second.
func (b *Broker) reportDrops(h *dropHook) {
	for _, d := range h.sinceLastReport() {
		b.log.Warn("messages dropped: more is held for the client than the queue bound (it reads or acknowledges slower than they arrive, or is offline)",
			"client", d.client, "dropped", d.since, "total", d.total, "queue_limit_bytes", b.cfg.MaxQueueBytes)
	}
}
