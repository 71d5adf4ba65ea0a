package app

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/mqttcore"
	"github.com/mqttdesk/mqttdesk/storage"
)

// conn is one open connection: its session, its view ring and counters.
// It is the session's Handler: messages go to the store (waiting there when
// the disk falls behind, which holds up the network reader and so the
// broker), then to the ring.
type conn struct {
	a       *App
	id      string
	session atomic.Pointer[mqttcore.Session] // see session.go
	gen     atomic.Uint64                    // counts sessions; events of older ones are dropped
	startMu sync.Mutex                       // one start at a time
	fresh   bool                             // the session was prepared and never started; guarded by startMu
	ring    *ring

	in, out, bytesIn, bytesOut atomic.Int64

	mu      sync.Mutex
	state   mqttcore.State
	attempt int             // of the current or last connection attempt
	retryAt time.Time       // when the session tries again; zero when it is not waiting
	gaveUp  bool            // the session stopped trying: only Connect starts it again
	pastLog []mqtt.LogEntry // protocol logs of replaced sessions
	err     error
	connack *mqttcore.Connack
	subs    []SubState
	unread  int
	topics  map[string]*topicCounter
	rates   [4]float64 // messages in, out, bytes in, out per second
	lasts   [4]int64
}

type topicCounter struct {
	count, lastCount int64
	rate             float64
	last             ViewMessage
}

func newConn(a *App, id string, ringSize int, subs []model.Subscription) *conn {
	c := &conn{a: a, id: id, ring: newRing(ringSize), topics: map[string]*topicCounter{}}
	for _, s := range subs {
		c.subs = append(c.subs, SubState{Subscription: s})
	}
	return c
}

// loadNewest fills the view ring with the newest n messages of the
// history, so that an open connection shows what came before it opened.
func (c *conn) loadNewest(n int) error {
	page, err := c.a.store.NewestPage(c.id, n)
	if err != nil {
		return err
	}
	for _, m := range page {
		c.ring.push(viewFromHistory(m))
	}
	return nil
}

// HandleMessage stores an incoming message and shows it. It runs on the
// session's reader and waits while the store's queue is full.
func (c *conn) HandleMessage(m mqtt.Message) {
	sm := storage.Message{
		Time: m.Received, Direction: model.Received, Topic: m.Topic, QoS: m.QoS, Retain: m.Retain,
		Properties: propertiesOrNil(m.Properties), Payload: m.Payload,
	}
	seq, err := c.a.store.Append(context.Background(), c.id, sm)
	if err != nil {
		c.setErr(err) // the store is closing, or the message has no topic
		return
	}
	v := viewFromStored(sm)
	v.Seq = seq
	c.ring.push(v)
	c.in.Add(1)
	c.bytesIn.Add(int64(len(m.Payload)))
	c.mu.Lock()
	c.unread++
	c.topicCounter(m.Topic).add(v)
	c.mu.Unlock()
	c.a.changed()
}

func (c *conn) topicCounter(topic string) *topicCounter {
	t, ok := c.topics[topic]
	if !ok {
		t = &topicCounter{}
		c.topics[topic] = t
	}
	return t
}

func (t *topicCounter) add(v ViewMessage) {
	t.count++
	t.last = v
}

// HandleEvent records what the session reports.
func (c *conn) HandleEvent(e mqttcore.Event) {
	c.mu.Lock()
	switch e.Kind {
	case mqttcore.EventConnecting:
		c.state, c.attempt, c.retryAt = mqttcore.StateConnecting, e.Attempt, time.Time{}
	case mqttcore.EventConnected:
		c.state, c.connack, c.err, c.retryAt = mqttcore.StateConnected, e.Connack, nil, time.Time{}
	case mqttcore.EventConnectFailed, mqttcore.EventDisconnected:
		c.state, c.gaveUp, c.retryAt = mqttcore.StateDisconnected, e.Final, time.Time{}
		if !e.Final {
			c.retryAt = e.Time.Add(e.Delay)
		}
		if e.Err != nil {
			c.err = e.Err
		}
	case mqttcore.EventSubscribed:
		c.applyResults(e.Subscribed)
	}
	c.mu.Unlock()
	c.a.changed()
}

// applyResults records the broker's answers; c.mu must be held.
func (c *conn) applyResults(results []mqtt.SubscribeResult) {
	for _, r := range results {
		for i := range c.subs {
			if c.subs[i].Filter == r.Filter {
				c.subs[i].Result, c.subs[i].Granted = r.Text(), r.Granted()
			}
		}
	}
}

func (c *conn) setErr(err error) {
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
	c.a.changed()
}

// tick computes the rates over the last interval of secs seconds.
func (c *conn) tick(secs float64) {
	now := [4]int64{c.in.Load(), c.out.Load(), c.bytesIn.Load(), c.bytesOut.Load()}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range now {
		c.rates[i] = float64(now[i]-c.lasts[i]) / secs
	}
	c.lasts = now
	for _, t := range c.topics {
		t.rate = float64(t.count-t.lastCount) / secs
		t.lastCount = t.count
	}
}

func (c *conn) snapshot() ConnState {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := ConnState{
		ProfileID: c.id, State: c.state.String(), Err: UserMessage(c.err), Connack: c.connack,
		Subscriptions: append([]SubState(nil), c.subs...), Unread: c.unread,
		MessagesIn: c.in.Load(), MessagesOut: c.out.Load(), BytesIn: c.bytesIn.Load(), BytesOut: c.bytesOut.Load(),
		InRate: c.rates[0], OutRate: c.rates[1], BytesInRate: c.rates[2], BytesOutRate: c.rates[3],
		Attempt: c.attempt, RetryAt: c.retryAt, GaveUp: c.gaveUp,
	}
	if c.state != mqttcore.StateConnected { // the broker's answers hold only while connected
		for i := range st.Subscriptions {
			st.Subscriptions[i].Result, st.Subscriptions[i].Granted = "", false
		}
	}
	return st
}
