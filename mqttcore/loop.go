package mqttcore

import (
	"context"
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// run connects and reconnects until ctx ends or an attempt fails in a way
// retrying cannot fix.
func (s *Session) run(ctx context.Context) {
	defer close(s.done)
	defer s.setState(StateDisconnected)
	failures := 0
	for attempt := 1; ctx.Err() == nil; attempt++ {
		s.setState(StateConnecting)
		s.emit(Event{Kind: EventConnecting, Attempt: attempt})
		drv, ack, err := s.attempt(ctx)
		if err != nil {
			failures++
			s.setState(StateDisconnected) // while it waits to try again
			if ctx.Err() != nil {
				s.reportFirst(ErrClosed)
				return
			}
			delay, retry := s.nextDelay(failures, err)
			s.log.note("connect failed: " + err.Error())
			s.emit(Event{Kind: EventConnectFailed, Attempt: attempt, Err: err, Delay: delay, Final: !retry})
			s.reportFirst(err)
			if !retry || !sleep(ctx, delay) {
				return
			}
			continue
		}
		failures = 0
		s.connected(ctx, drv, ack)
		s.reportFirst(nil)
		info := s.serve(ctx, drv)
		delay, retry := s.nextDelay(1, nil)
		retry = retry && ctx.Err() == nil && !info.ByClient
		s.emit(Event{Kind: EventDisconnected, Disconnect: &info, Err: info.Err, Delay: delay, Final: !retry})
		if !retry || !sleep(ctx, delay) {
			return
		}
	}
}

// attempt dials and sends CONNECT once, within the connect timeout.
func (s *Session) attempt(ctx context.Context) (driver, *Connack, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout())
	defer cancel()
	conn, err := dial(ctx, s.opts)
	if err != nil {
		return nil, nil, classify(s.opts, err)
	}
	s.mu.Lock()
	s.aliases = map[uint16]string{}
	s.mu.Unlock()
	tap := newTapConn(conn, s.log, s.opts, s.deliver)
	drv, ack, err := s.connect(ctx, tap, s.opts, s.opts.AttemptClientID(), s.deliver)
	if v := tap.violation(); v != nil {
		if err == nil {
			drv.disconnect() // the connection is closed; let the library's goroutines end
		}
		return nil, nil, v.userError()
	}
	if err != nil {
		return nil, nil, classify(s.opts, err)
	}
	s.mu.Lock()
	s.tap = tap
	s.mu.Unlock()
	return drv, ack, nil
}

// connected restores subscriptions on drv — all of them when the broker
// kept no session, or when they changed while disconnected — and only then
// makes drv the current connection. Publishes held while the connection
// was down go out after the subscriptions are back, so replies to them,
// and their own echoes, are not missed.
func (s *Session) connected(ctx context.Context, drv driver, ack *Connack) {
	s.mu.Lock()
	s.connack = ack
	resub := !ack.SessionPresent || s.dirty
	s.mu.Unlock()
	var results []mqtt.SubscribeResult
	var subErr error
	for restored := false; ; restored = true {
		s.mu.Lock()
		if !resub || (restored && !s.dirty) {
			s.drv, s.state = drv, StateConnected
			close(s.up)
			s.mu.Unlock()
			break
		}
		subs := append([]mqtt.Subscription(nil), s.subs...)
		s.dirty = false
		s.mu.Unlock()
		if len(subs) > 0 {
			results, subErr = drv.subscribe(ctx, subs)
			if subErr != nil {
				s.log.note("resubscribe failed: " + subErr.Error())
			}
			s.forgetRefused(results)
		}
	}
	s.emit(Event{Kind: EventConnected, Connack: ack})
	if results != nil || subErr != nil {
		s.emit(Event{Kind: EventSubscribed, Subscribed: results, Err: subErr})
	}
}

// serve waits until the connection ends and returns how.
func (s *Session) serve(ctx context.Context, drv driver) DisconnectInfo {
	select {
	case <-drv.lost():
	case <-ctx.Done():
		drv.disconnect()
		<-drv.lost()
	}
	s.mu.Lock()
	s.drv, s.connack, s.state = nil, nil, StateDisconnected
	s.up = make(chan struct{})
	closing, tap := s.closed, s.tap
	s.mu.Unlock()
	info := drv.lostInfo()
	info.ByClient = info.ByClient || closing
	if v := tap.violation(); v != nil && !info.ByClient {
		info.ByServer, info.Err = false, v.userError()
	}
	s.log.note("connection ended: " + info.describe())
	if info.Err != nil && !info.ByClient {
		info.Err = classify(s.opts, info.Err)
	}
	return info
}

// nextDelay returns how long to wait before attempt failures+1, and false
// when no attempt should follow.
func (s *Session) nextDelay(failures int, err error) (time.Duration, bool) {
	r := s.opts.Reconnect
	if !r.Enabled {
		return 0, false
	}
	if e, ok := err.(*Error); ok && e.isFatal() {
		return 0, false
	}
	if r.MaxAttempts > 0 && failures >= r.MaxAttempts {
		return 0, false
	}
	delay, maxDelay := r.InitialDelay, r.MaxDelay
	if delay <= 0 {
		delay = time.Second
	}
	if maxDelay <= 0 {
		maxDelay = 30 * time.Second
	}
	for i := 1; i < failures && delay < maxDelay; i++ {
		delay *= 2
	}
	return min(delay, maxDelay), true
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
