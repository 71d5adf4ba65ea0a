package app

import (
	"context"
	"reflect"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/mqttcore"
)

// A connection keeps one session at a time. Connect on a connection that
// is not connected, or saving new options for it, replaces its session
// with a new one made from the profile as saved: the old one is told to
// stop and what it still reports is ignored (see sessionHandler).

// sess returns the connection's current session.
func (c *conn) sess() *mqttcore.Session { return c.session.Load() }

// sessionHandler passes one session's messages and events to its
// connection; events of a session that has been replaced are dropped.
type sessionHandler struct {
	c   *conn
	gen uint64
}

func (h sessionHandler) HandleMessage(m mqtt.Message) { h.c.HandleMessage(m) }

func (h sessionHandler) HandleEvent(e mqttcore.Event) {
	if h.c.gen.Load() == h.gen {
		h.c.HandleEvent(e)
	}
}

// prepare gives c its first session, made from o and not started, so
// that c always has one.
func (c *conn) prepare(o mqtt.Options) error {
	s, err := mqttcore.NewSession(o, sessionHandler{c, c.gen.Add(1)})
	if err != nil {
		return err
	}
	c.session.Store(s)
	c.fresh = true
	return nil
}

// stopWait bounds how long a replaced session may take to stop.
const stopWait = 5 * time.Second

// start makes c's session from o, unless the current one is connected,
// or is making its first attempt, with the same options; the replaced
// session is stopped in the background. It subscribes subs when the
// connection comes up, and blocks for the first attempt (at most the
// connect timeout), returning its error.
func (c *conn) start(ctx context.Context, o mqtt.Options, subs []model.Subscription) error {
	c.startMu.Lock()
	old := c.sess()
	if c.fresh && reflect.DeepEqual(old.Options(), o) { // prepared and never started
		c.fresh = false
		if enabled := enabledSubscriptions(subs); len(enabled) > 0 {
			_, _ = old.Subscribe(ctx, enabled...)
		}
		c.startMu.Unlock()
		return old.Connect(ctx)
	}
	c.fresh = false
	if old != nil && old.State() != mqttcore.StateDisconnected && reflect.DeepEqual(old.Options(), o) {
		c.startMu.Unlock()
		return nil
	}
	gen := c.gen.Add(1)
	s, err := mqttcore.NewSession(o, sessionHandler{c, gen})
	if err != nil {
		c.startMu.Unlock()
		return err
	}
	if enabled := enabledSubscriptions(subs); len(enabled) > 0 {
		_, _ = s.Subscribe(ctx, enabled...) // kept and made on connecting
	}
	c.session.Store(s)
	if old != nil {
		c.keepLog(old.Log())
	}
	c.resetAttempts()
	c.startMu.Unlock()
	if old != nil {
		go stopSession(old)
	}
	return s.Connect(ctx)
}

func stopSession(s *mqttcore.Session) {
	ctx, cancel := context.WithTimeout(context.Background(), stopWait)
	defer cancel()
	_ = s.Disconnect(ctx)
}

// pastLogSize is how many entries of replaced sessions' protocol logs a
// connection keeps.
const pastLogSize = 2000

// keepLog keeps the protocol log of a replaced session, so that the log
// shows every attempt of the connection.
func (c *conn) keepLog(log []mqtt.LogEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pastLog = append(c.pastLog, log...)
	if n := len(c.pastLog); n > pastLogSize {
		c.pastLog = append([]mqtt.LogEntry(nil), c.pastLog[n-pastLogSize:]...)
	}
}

// log returns the protocol log of the connection's sessions, oldest first.
func (c *conn) log() []mqtt.LogEntry {
	c.mu.Lock()
	past := append([]mqtt.LogEntry(nil), c.pastLog...)
	c.mu.Unlock()
	return append(past, c.sess().Log()...)
}

// resetAttempts forgets the replaced session's attempts and error.
func (c *conn) resetAttempts() {
	c.mu.Lock()
	c.state, c.attempt, c.retryAt, c.gaveUp = mqttcore.StateConnecting, 0, time.Time{}, false
	c.mu.Unlock()
	c.a.changed()
}
