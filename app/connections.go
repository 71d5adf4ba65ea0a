package app

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/mqttcore"
	"github.com/mqttdesk/mqttdesk/storage"
)

// Sentinel errors of the connection commands.
var (
	ErrUnknownProfile = errors.New("that connection does not exist any more; it may have been deleted")
	ErrNotOpen        = errors.New("the connection is not open; connect first")
)

func (a *App) profile(id string) (model.Profile, error) {
	p, err := a.store.Profile(id)
	if errors.Is(err, storage.ErrNotFound) {
		return p, ErrUnknownProfile
	}
	return p, err
}

func (a *App) conn(id string) *conn {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.conns[id]
}

// Connect opens the saved connection id and subscribes its enabled
// subscriptions. It blocks until the first attempt succeeds or fails (at
// most the connect timeout) and returns that attempt's error; with
// reconnect on, the connection keeps trying in the background. On a
// connection that is open but not connected (waiting to retry, or given
// up after a refusal) Connect tries again at once, with the options as
// saved now; on a connected one, or one trying with the same options, it
// does nothing. A damaged history (storage.ErrCorrupt) does not keep the
// connection from opening: it opens without the history, with the damage
// as its error until it connects.
func (a *App) Connect(ctx context.Context, id string) error {
	p, err := a.profile(id)
	if err != nil {
		return err
	}
	subs, err := a.store.Subscriptions(id)
	if err != nil {
		return err
	}
	c, err := a.openConn(p, subs)
	if err != nil {
		return err
	}
	p.LastUsed = timeNow()
	_, _ = a.store.SaveProfile(p)
	defer a.changed()
	return c.start(ctx, p.Options, subs)
}

// openConn returns the connection of p, making it, with a session not
// yet started and the newest page of its history in view, when it is not
// open yet.
func (a *App) openConn(p model.Profile, subs []model.Subscription) (*conn, error) {
	id := p.ID
	if c := a.conn(id); c != nil {
		return c, nil
	}
	size := a.store.AppSettings().MessagesInMemory
	c := newConn(a, id, size, subs)
	if err := c.loadNewest(size); errors.Is(err, storage.ErrCorrupt) {
		c.err = err // shown in its state until it connects; new messages still show
	} else if err != nil {
		return nil, err
	}
	if err := c.prepare(p.Options); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if open := a.conns[id]; open != nil { // opened meanwhile
		return open, nil
	}
	a.conns[id] = c
	return c, nil
}

// restart applies p's saved options to its open connection, if any and
// if they changed: the connection starts again with them.
func (a *App) restart(p model.Profile) {
	c := a.conn(p.ID)
	if c == nil || c.sess() == nil || reflect.DeepEqual(c.sess().Options(), p.Options) {
		return
	}
	subs, err := a.store.Subscriptions(p.ID)
	if err != nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), p.Options.Timeout())
		defer cancel()
		_ = c.start(ctx, p.Options, subs) // its outcome shows in the connection's state
		a.changed()
	}()
}

func enabledSubscriptions(subs []model.Subscription) []mqtt.Subscription {
	var out []mqtt.Subscription
	for _, s := range subs {
		if s.Enabled {
			out = append(out, toCoreSubscription(s))
		}
	}
	return out
}

func toCoreSubscription(s model.Subscription) mqtt.Subscription {
	return mqtt.Subscription{
		Filter: s.Filter, QoS: s.QoS, NoLocal: s.NoLocal, RetainAsPublished: s.RetainAsPublished,
		RetainHandling: s.RetainHandling, Identifier: s.Identifier, User: s.User,
	}
}

// Disconnect closes connection id cleanly (DISCONNECT, goroutines ended).
// It blocks for at most ctx.
func (a *App) Disconnect(ctx context.Context, id string) error {
	a.mu.Lock()
	c := a.conns[id]
	delete(a.conns, id)
	a.mu.Unlock()
	if c == nil {
		return nil
	}
	defer a.changed()
	return c.sess().Disconnect(ctx)
}

// Subscribe saves sub for connection id and, when it is open, subscribes;
// it returns the broker's answer in plain words ("" when not open).
func (a *App) Subscribe(ctx context.Context, id string, sub model.Subscription) (string, error) {
	if _, err := a.profile(id); err != nil {
		return "", err
	}
	sub.Enabled = true
	saved, err := a.store.SaveSubscription(id, sub)
	if err != nil {
		return "", err
	}
	c := a.conn(id)
	if c == nil {
		return "", nil
	}
	c.mu.Lock()
	c.subs = slices.DeleteFunc(c.subs, func(s SubState) bool { return s.ID == saved.ID })
	c.subs = append(c.subs, SubState{Subscription: saved})
	c.mu.Unlock()
	results, err := c.sess().Subscribe(ctx, toCoreSubscription(saved))
	if errors.Is(err, mqttcore.ErrNotConnected) {
		return "", nil // made when the connection comes back
	}
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.applyResults(results)
	c.mu.Unlock()
	a.changed()
	return results[0].Text(), nil
}

// Unsubscribe deletes subscription subID of connection id, unsubscribing
// when open.
func (a *App) Unsubscribe(ctx context.Context, id, subID string) error {
	subs, err := a.store.Subscriptions(id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(subs, func(s model.Subscription) bool { return s.ID == subID })
	if i < 0 {
		return nil
	}
	if err := a.store.DeleteSubscription(id, subID); err != nil {
		return err
	}
	if c := a.conn(id); c != nil {
		c.mu.Lock()
		c.subs = slices.DeleteFunc(c.subs, func(s SubState) bool { return s.ID == subID })
		c.mu.Unlock()
		if err := c.sess().Unsubscribe(ctx, subs[i].Filter); err != nil && !errors.Is(err, mqttcore.ErrNotConnected) {
			return err
		}
	}
	a.changed()
	return nil
}

// Publish sends m on connection id. The message enters the history and
// the view at once, marked outgoing and "sending"; QoS 1 and 2 then wait
// for the broker's answer (or, while the connection is down, for it to
// come back), which marks it "sent" or says why the broker refused it. The
// publish is also kept in the connection's publish history.
func (a *App) Publish(ctx context.Context, id string, m mqtt.Message) (mqtt.PublishResult, error) {
	c := a.conn(id)
	if c == nil {
		if _, err := a.profile(id); err != nil {
			return mqtt.PublishResult{}, err
		}
		return mqtt.PublishResult{}, ErrNotOpen
	}
	if err := mqtt.ValidateTopicName(m.Topic); err != nil {
		return mqtt.PublishResult{}, err
	}
	sm := storage.Message{
		Time: timeNow(), Direction: model.Published, Topic: m.Topic, QoS: m.QoS, Retain: m.Retain,
		Properties: propertiesOrNil(m.Properties), Payload: m.Payload, Status: storage.StatusSending,
	}
	seq, err := a.store.Append(ctx, id, sm)
	if err != nil {
		return mqtt.PublishResult{}, err
	}
	v := viewFromStored(sm)
	v.Seq, v.Status = seq, "sending"
	c.ring.push(v)
	_ = a.store.AddPublished(id, model.PublishEntry{Topic: m.Topic, Payload: m.Payload, QoS: m.QoS, Retain: m.Retain, Properties: sm.Properties, Time: sm.Time})
	a.changed()

	res, err := c.sess().Publish(ctx, m)
	status := "sent"
	if err != nil {
		status = UserMessage(err)
	}
	c.ring.update(seq, func(v *ViewMessage) { v.Status = status })
	a.keepOutcome(id, seq, err)
	if err == nil {
		c.out.Add(1)
		c.bytesOut.Add(int64(len(m.Payload)))
	}
	a.changed()
	return res, err
}

// Messages returns the newest messages of connection id that keep
// accepts (nil: all), oldest first: from memory while it is open, from
// the history otherwise.
func (a *App) Messages(id string, keep func(*ViewMessage) bool) ([]ViewMessage, error) {
	if c := a.conn(id); c != nil {
		return c.ring.snapshot(keep), nil
	}
	page, err := a.store.NewestPage(id, a.store.AppSettings().MessagesInMemory)
	if err != nil {
		return nil, err
	}
	var out []ViewMessage
	for _, m := range page {
		v := viewFromHistory(m)
		if keep == nil || keep(&v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// Older returns up to n messages of connection id older than seq, from
// the history, oldest first.
func (a *App) Older(id string, seq uint64, n int) ([]ViewMessage, error) {
	page, err := a.store.PageBefore(id, seq, n)
	if err != nil {
		return nil, err
	}
	out := make([]ViewMessage, len(page))
	for i, m := range page {
		out[i] = viewFromHistory(m)
	}
	return out, nil
}

// State returns connection id's state; a disconnected one when it is not
// open.
func (a *App) State(id string) ConnState {
	if c := a.conn(id); c != nil {
		return c.snapshot()
	}
	st := ConnState{ProfileID: id, State: mqttcore.StateDisconnected.String()}
	subs, _ := a.store.Subscriptions(id)
	for _, s := range subs {
		st.Subscriptions = append(st.Subscriptions, SubState{Subscription: s})
	}
	return st
}

// Topics returns the per-topic table of connection id, by topic.
func (a *App) Topics(id string) []TopicStats {
	c := a.conn(id)
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]TopicStats, 0, len(c.topics))
	for topic, t := range c.topics {
		out = append(out, TopicStats{Topic: topic, Count: t.count, Rate: t.rate, Last: t.last})
	}
	slices.SortFunc(out, func(x, y TopicStats) int { return compareStrings(x.Topic, y.Topic) })
	return out
}

// MarkRead clears connection id's unread count.
func (a *App) MarkRead(id string) {
	if c := a.conn(id); c != nil {
		c.mu.Lock()
		c.unread = 0
		c.mu.Unlock()
		a.changed()
	}
}

// ClearHistory deletes connection id's message history and empties its view.
func (a *App) ClearHistory(ctx context.Context, id string) error {
	if err := a.store.ClearHistory(ctx, id); err != nil {
		return fmt.Errorf("clear the history: %w", err)
	}
	if c := a.conn(id); c != nil {
		c.ring.clear()
	}
	a.changed()
	return nil
}

// keepOutcome stores how publish seq of connection id went, so that the
// history says so after a restart too. It does not wait for the disk.
func (a *App) keepOutcome(id string, seq uint64, err error) {
	status := ""
	if err != nil {
		status = UserMessage(err)
	}
	a.writing.Add(1)
	go func() {
		defer a.writing.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.store.SetStatus(ctx, id, seq, status); err != nil && !errors.Is(err, storage.ErrClosed) {
			a.log.Warn("could not keep a publish's outcome", "error", err)
		}
	}()
}
