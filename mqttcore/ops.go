package mqttcore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// Subscribe validates subs, subscribes and returns the broker's answer for
// each filter. Accepted subscriptions are kept and made again after a
// reconnect when the broker has not kept the session. While disconnected it
// keeps them for the next connection and returns ErrNotConnected. It blocks
// until the broker answers or ctx ends.
func (s *Session) Subscribe(ctx context.Context, subs ...mqtt.Subscription) ([]mqtt.SubscribeResult, error) {
	for _, sub := range subs {
		if err := mqtt.ValidateFilter(sub.Filter); err != nil {
			return nil, err
		}
		if sub.QoS > 2 {
			return nil, fmt.Errorf("QoS %d is not 0, 1 or 2", sub.QoS)
		}
	}
	drv, err := s.remember(subs)
	if err != nil {
		return nil, err
	}
	results, err := drv.subscribe(ctx, subs)
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	s.forgetRefused(results)
	return results, nil
}

// remember records subs and returns the current connection.
func (s *Session) remember(subs []mqtt.Subscription) (driver, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	for _, sub := range subs {
		s.subs = slices.DeleteFunc(s.subs, func(x mqtt.Subscription) bool { return x.Filter == sub.Filter })
		s.subs = append(s.subs, sub)
	}
	if s.drv == nil {
		s.dirty = true
		return nil, ErrNotConnected
	}
	return s.drv, nil
}

func (s *Session) forgetRefused(results []mqtt.SubscribeResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range results {
		if !r.Granted() {
			s.subs = slices.DeleteFunc(s.subs, func(x mqtt.Subscription) bool { return x.Filter == r.Filter })
		}
	}
}

// Subscriptions returns the subscriptions the session keeps.
func (s *Session) Subscriptions() []mqtt.Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.subs)
}

// Unsubscribe removes filters from the session and, when connected, from
// the broker. While disconnected it returns ErrNotConnected; the filters
// are not made again after reconnecting.
func (s *Session) Unsubscribe(ctx context.Context, filters ...string) error {
	s.mu.Lock()
	s.subs = slices.DeleteFunc(s.subs, func(x mqtt.Subscription) bool { return slices.Contains(filters, x.Filter) })
	drv := s.drv
	s.mu.Unlock()
	if drv == nil {
		return ErrNotConnected
	}
	if err := drv.unsubscribe(ctx, filters); err != nil {
		return fmt.Errorf("unsubscribe: %w", err)
	}
	return nil
}

// Publish validates and sends m. QoS 0 returns once written; QoS 1 and 2
// return the broker's answer. While disconnected, QoS 0 fails with
// ErrNotConnected and QoS 1 and 2 wait for the connection to come back (a
// publish cut off by a lost connection is sent again), until ctx ends.
func (s *Session) Publish(ctx context.Context, m mqtt.Message) (mqtt.PublishResult, error) {
	if err := mqtt.ValidateTopicName(m.Topic); err != nil {
		return mqtt.PublishResult{}, err
	}
	if m.QoS > 2 {
		return mqtt.PublishResult{}, fmt.Errorf("QoS %d is not 0, 1 or 2", m.QoS)
	}
	for resends := 0; ; resends++ {
		drv, up, err := s.current()
		if err != nil {
			return mqtt.PublishResult{}, err
		}
		if err := s.checkSize(m); err != nil {
			return mqtt.PublishResult{}, err
		}
		if drv == nil {
			if m.QoS == 0 {
				return mqtt.PublishResult{}, ErrNotConnected
			}
			if err := s.waitUp(ctx, up); err != nil {
				return mqtt.PublishResult{}, err
			}
			continue
		}
		res, err := publishWithin(ctx, drv, m)
		if err != nil && m.QoS > 0 && resends < maxResends && ctx.Err() == nil && connectionLost(drv) {
			continue // sent again on the next connection
		}
		s.emit(Event{Kind: EventPublished, Publish: &PublishEvent{Message: m, Result: res, Err: err}})
		return res, err
	}
}

// publishWithin has drv publish m, and returns ctx's error when ctx ends
// first: the libraries check ctx only while waiting for an answer, not
// while writing, which a broker that stopped reading holds up (until
// writeStall ends the connection). The abandoned publish finishes on its
// own.
func publishWithin(ctx context.Context, drv driver, m mqtt.Message) (mqtt.PublishResult, error) {
	type outcome struct {
		res mqtt.PublishResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := drv.publish(ctx, m)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
		return mqtt.PublishResult{}, fmt.Errorf("publish: %w", ctx.Err())
	}
}

// maxResends is how often a QoS 1 or 2 publish cut off by a lost
// connection is sent again before its error is returned.
const maxResends = 3

// checkSize refuses a message larger than the broker's maximum packet
// size, which the broker would answer by disconnecting.
func (s *Session) checkSize(m mqtt.Message) error {
	s.mu.Lock()
	ack := s.connack
	s.mu.Unlock()
	if ack == nil || ack.MaximumPacketSize == 0 {
		return nil
	}
	size := publishSize(m)
	if size <= int(ack.MaximumPacketSize) {
		return nil
	}
	return &Error{
		Kind:     ErrPacketTooLarge,
		Sentence: fmt.Sprintf("The message is %d bytes on the wire; the broker accepts at most %d. Send a smaller payload.", size, ack.MaximumPacketSize),
	}
}

// publishSize estimates a PUBLISH's size on the wire, properties included.
func publishSize(m mqtt.Message) int {
	p := m.Properties
	n := 2 + len(m.Topic) + len(m.Payload) + 2 + 4 + 5 // topic, id, length bytes, properties length
	n += len(p.ContentType) + len(p.ResponseTopic) + len(p.CorrelationData) + 3*3 + 5 + 2 + 3
	for _, u := range p.User {
		n += 5 + len(u.Key) + len(u.Value)
	}
	return n
}

func (s *Session) current() (driver, <-chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, ErrClosed
	}
	return s.drv, s.up, nil
}

func (s *Session) waitUp(ctx context.Context, up <-chan struct{}) error {
	select {
	case <-up:
		return nil
	case <-s.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// connectionLost reports whether drv's connection has ended, giving it a
// moment to notice.
func connectionLost(drv driver) bool {
	select {
	case <-drv.lost():
		return true
	case <-time.After(200 * time.Millisecond):
		return false
	}
}

// deliver resolves the topic alias of an incoming message and hands it to
// the handler.
func (s *Session) deliver(m mqtt.Message) {
	if alias := m.Properties.TopicAlias; alias != 0 {
		s.mu.Lock()
		if m.Topic == "" {
			m.Topic = s.aliases[alias]
		} else {
			s.aliases[alias] = m.Topic
		}
		s.mu.Unlock()
	}
	s.handler.HandleMessage(m)
}
