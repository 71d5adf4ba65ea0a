package mqttcore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// Handler receives what a session reports. Both methods are called from the
// session's network goroutines, one call at a time and in order; they must
// copy what they keep and return quickly. A handler that blocks holds up
// reading from the broker, which is how a slow consumer applies
// back-pressure, and nothing else.
type Handler interface {
	HandleMessage(mqtt.Message)
	HandleEvent(Event)
}

// Session is one connection to a broker: it connects, reconnects with
// backoff, resubscribes, and queues QoS 1 and 2 publishes while the
// connection is down. Its methods are safe for concurrent use.
type Session struct {
	opts    mqtt.Options
	handler Handler
	log     *protocolLog
	connect connectFunc

	mu       sync.Mutex
	state    State
	drv      driver
	tap      *tapConn // the current connection's network side
	connack  *Connack
	subs     []mqtt.Subscription // in the order they were made, for resubscribing
	dirty    bool                // subscriptions changed while disconnected
	up       chan struct{}       // closed while connected; replaced on disconnect
	cancel   context.CancelFunc
	done     chan struct{}
	closed   bool
	aliases  map[uint16]string // incoming topic aliases of the current connection
	firstErr chan error        // the first attempt's outcome, for Connect
}

// NewSession checks o and returns a session that is not connected yet.
func NewSession(o mqtt.Options, h Handler) (*Session, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &Session{
		opts: o, handler: h, log: newProtocolLog(), connect: connectorFor(o.Version),
		up: make(chan struct{}), done: make(chan struct{}),
	}, nil
}

// Options returns the options the session was made with.
func (s *Session) Options() mqtt.Options { return s.opts }

// Connect starts the session and waits for its first attempt: it returns
// nil once connected, or that attempt's *Error. With reconnect on, the
// session keeps trying in the background after a failed first attempt
// (unless the error is one retrying cannot fix); call Disconnect to stop
// it. Connect blocks for at most the connect timeout.
func (s *Session) Connect(ctx context.Context) error {
	s.mu.Lock()
	if s.cancel != nil || s.closed {
		s.mu.Unlock()
		return errors.New("mqttcore: session already started")
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.firstErr = make(chan error, 1)
	first := s.firstErr
	s.mu.Unlock()
	go s.run(runCtx)
	select {
	case err := <-first:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Disconnect sends DISCONNECT (MQTT 5 reason 0, normal disconnection),
// stops reconnecting and waits until every goroutine of the session has
// ended. The session cannot be used afterwards.
func (s *Session) Disconnect(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	cancel, drv := s.cancel, s.drv
	s.mu.Unlock()
	if cancel == nil {
		return nil
	}
	if drv != nil {
		s.sendDisconnect(ctx, drv)
	}
	cancel()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("mqttcore: disconnect: %w", ctx.Err())
	}
}

// disconnectWait bounds how long Disconnect waits for DISCONNECT to be
// written before it closes the connection without it.
const disconnectWait = 2 * time.Second

// sendDisconnect has drv send DISCONNECT, and closes the connection under
// it when that takes longer than disconnectWait or ctx: a broker that
// stopped reading would otherwise keep it waiting behind a half-written
// packet.
func (s *Session) sendDisconnect(ctx context.Context, drv driver) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		drv.disconnect()
	}()
	t := time.NewTimer(disconnectWait)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	case <-ctx.Done():
	}
	s.mu.Lock()
	tap := s.tap
	s.mu.Unlock()
	if tap != nil {
		s.log.note("DISCONNECT could not be written in time; closing the connection")
		_ = tap.Conn.Close()
	}
	<-done
}

// State returns where the connection stands.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Connack returns the broker's answer to the current connection, or nil.
func (s *Session) Connack() *Connack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connack
}

// Log returns the protocol log: the newest packets sent and received and
// lines about the connection, oldest first.
func (s *Session) Log() []mqtt.LogEntry { return s.log.snapshot() }

func (s *Session) emit(e Event) {
	e.Time = time.Now()
	s.handler.HandleEvent(e)
}

func (s *Session) setState(st State) {
	s.mu.Lock()
	s.state = st
	s.mu.Unlock()
}

// reportFirst hands the first attempt's outcome to Connect.
func (s *Session) reportFirst(err error) {
	s.mu.Lock()
	ch := s.firstErr
	s.firstErr = nil
	s.mu.Unlock()
	if ch != nil {
		ch <- err
	}
}
