package localbroker

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// aclHook answers mochi's access checks from the access list; with none,
// every client may publish and subscribe to everything. Denied PUBLISH and
// SUBSCRIBE are counted; denied SUBSCRIBE filters are logged, and denied
// PUBLISH at most once a second per client (a device may repeat one fast).
type aclHook struct {
	mqtt.HookBase
	acl    *ACL // nil: everything is allowed
	log    *slog.Logger
	denied atomic.Int64

	mu     sync.Mutex
	logged map[string]time.Time // when a client's denied PUBLISH was last logged
}

func newACLHook(acl *ACL, log *slog.Logger) *aclHook {
	return &aclHook{acl: acl, log: log, logged: map[string]time.Time{}}
}

func (h *aclHook) ID() string { return "mqttdesk-acl" }

var aclEvents = eventsOf(mqtt.OnACLCheck, mqtt.OnSubscribed)

func (h *aclHook) Provides(b byte) bool { return aclEvents.has(b) }

func aclClientOf(cl *mqtt.Client) aclClient {
	return aclClient{username: string(cl.Properties.Username), clientID: cl.ID}
}

// OnACLCheck is asked for each PUBLISH (write), each SUBSCRIBE filter and
// each delivery (read).
func (h *aclHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	if h.acl == nil {
		return true
	}
	if !write {
		return h.acl.allows(aclClientOf(cl), topic, accessRead)
	}
	if h.acl.allows(aclClientOf(cl), topic, accessWrite) {
		return true
	}
	h.denied.Add(1)
	if h.firstThisSecond(cl.ID) {
		h.log.Warn("publish denied by the access list", "client", cl.ID, "username", string(cl.Properties.Username), "remote", cl.Net.Remote, "topic", topic)
	}
	return false
}

// OnSubscribed logs the filters the access list denied.
func (h *aclHook) OnSubscribed(cl *mqtt.Client, pk packets.Packet, codes []byte) {
	if h.acl == nil {
		return
	}
	for i, f := range pk.Filters {
		if i < len(codes) && codes[i] >= packets.ErrUnspecifiedError.Code && !h.acl.allows(aclClientOf(cl), f.Filter, accessRead) {
			h.denied.Add(1)
			h.log.Warn("subscription denied by the access list", "client", cl.ID, "username", string(cl.Properties.Username), "remote", cl.Net.Remote, "filter", f.Filter)
		}
	}
}

// firstThisSecond reports whether client's last denied PUBLISH was logged
// over a second ago, and notes this one.
func (h *aclHook) firstThisSecond(client string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if now.Sub(h.logged[client]) < time.Second {
		return false
	}
	if len(h.logged) >= maxDropClients {
		clear(h.logged)
	}
	h.logged[client] = now
	return true
}
