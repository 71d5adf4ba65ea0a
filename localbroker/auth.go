package localbroker

import (
	"crypto/subtle"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// authHook accepts every client when no users are configured, otherwise
// only the configured username and password pairs. What a client may
// publish and subscribe to is aclHook's. Without an auth hook mochi
// refuses everyone.
//
// Each refusal is logged (client ID, address, reason) and counted, and
// slows down that address's next attempts (see throttle): OnConnect waits
// before OnConnectAuthenticate checks, so a right guess is not answered
// sooner than a wrong one, and answers busy (0x89, 3.1.1: 0x03) without
// a check when too many attempts of the address wait. close ends every
// wait, so that Stop does not wait for them.
type authHook struct {
	mqtt.HookBase
	users    []User
	log      *slog.Logger
	refusals *atomic.Int64
	throttle *throttle

	closeOnce sync.Once
	closed    chan struct{}
}

func newAuthHook(users []User, log *slog.Logger, refusals *atomic.Int64) *authHook {
	return &authHook{users: users, log: log, refusals: refusals, throttle: newThrottle(), closed: make(chan struct{})}
}

func (h *authHook) ID() string { return "mqttdesk-auth" }

var authEvents = eventsOf(mqtt.OnConnectAuthenticate, mqtt.OnConnect)

func (h *authHook) Provides(b byte) bool { return authEvents.has(b) }

// OnConnect waits out the address's slow-down, or refuses the attempt
// busy when too many of the address already wait.
func (h *authHook) OnConnect(cl *mqtt.Client, _ packets.Packet) error {
	if len(h.users) == 0 {
		return nil
	}
	addr := remoteHost(cl.Net.Remote)
	d, ok := h.throttle.admit(addr)
	if !ok {
		h.refusals.Add(1)
		if h.throttle.logBusy(addr) {
			h.log.Warn("connection refused", "client", cl.ID, "remote", cl.Net.Remote,
				"reason", "answered busy, unchecked: logins from this address were refused and "+strconv.Itoa(maxWaiting)+" attempts already wait")
		}
		return packets.ErrServerBusy
	}
	if d == 0 {
		return nil
	}
	defer h.throttle.done(addr)
	if !h.wait(d) {
		return packets.ErrServerShuttingDown
	}
	return nil
}

func (h *authHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	if len(h.users) == 0 {
		return true
	}
	addr := remoteHost(cl.Net.Remote)
	reason := h.check(pk.Connect.Username, pk.Connect.Password)
	if reason == "" {
		h.throttle.accepted(addr)
		return true
	}
	next := h.throttle.refused(addr)
	h.refusals.Add(1)
	h.log.Warn("connection refused", "client", cl.ID, "remote", cl.Net.Remote, "reason", reason, "next_attempt_delay", next)
	return false
}

// check returns why the credentials are refused, or "" when they are
// accepted. Every entry is compared, with no early exit to time.
func (h *authHook) check(name, pass []byte) string {
	known, ok := false, false
	for _, u := range h.users {
		n := subtle.ConstantTimeCompare([]byte(u.Name), name)
		p := subtle.ConstantTimeCompare([]byte(u.Password), pass)
		known = known || n == 1
		ok = ok || n&p == 1
	}
	switch {
	case ok:
		return ""
	case len(name) == 0:
		return "no username; this broker accepts only its users"
	case !known:
		return "unknown user " + string(name)
	}
	return "wrong password for user " + string(name)
}

// wait sleeps for d, and reports false when the broker closes first.
func (h *authHook) wait(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-h.closed:
		return false
	}
}

// close ends every wait; the broker calls it before closing the server.
func (h *authHook) close() { h.closeOnce.Do(func() { close(h.closed) }) }

// remoteHost is the host of a host:port address (the address itself when
// it has no port).
func remoteHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
