package localbroker

import (
	"log/slog"
	"sync/atomic"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// keepAliveHook applies Config.MaxKeepAlive. MQTT 5 clients that ask for no
// keep-alive (0) or a longer one get the maximum, which mochi then puts in
// CONNACK as Server Keep Alive and enforces. A 3.1.1 client cannot be
// told, and enforcing a keep-alive it does not know would cut it off when
// idle, so it is refused with 0x02 (identifier rejected), as mosquitto's
// max_keepalive does, and the refusal is logged with the reason.
type keepAliveHook struct {
	mqtt.HookBase
	max      uint16
	log      *slog.Logger
	refusals *atomic.Int64
}

func (h *keepAliveHook) ID() string { return "mqttdesk-keepalive" }

var keepAliveEvents = eventsOf(mqtt.OnConnect)

func (h *keepAliveHook) Provides(b byte) bool { return keepAliveEvents.has(b) }

func (h *keepAliveHook) OnConnect(cl *mqtt.Client, pk packets.Packet) error {
	asked := pk.Connect.Keepalive
	if h.max == 0 || (asked != 0 && asked <= h.max) {
		return nil
	}
	if cl.Properties.ProtocolVersion >= 5 {
		cl.State.Keepalive, cl.State.ServerKeepalive = h.max, true
		return nil
	}
	h.refusals.Add(1)
	h.log.Warn("connection refused", "client", cl.ID, "remote", cl.Net.Remote,
		"reason", "MQTT 3.1.1 cannot be told the broker's maximum keep-alive", "keepalive", asked, "max_keepalive", h.max)
	return packets.ErrClientIdentifierNotValid
}
