package mqttload

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// Scenario is one load: a publisher sending Messages messages of
// PayloadSize bytes at QoS to Subscribers subscribers of one topic.
type Scenario struct {
	Subscribers int
	QoS         byte
	Messages    int
	PayloadSize int
	// Window bounds how far the publisher may run ahead of the slowest
	// subscriber, so that no broker has to queue (or drop) without limit.
	Window int
	// Rate, when set, paces the publisher to that many messages per
	// second instead of as fast as the window allows.
	Rate int
	// Numbered puts each message's index, big-endian, in the first 8 bytes
	// of its payload (PayloadSize must be at least 8), so receivers can
	// check order.
	Numbered bool
	// Consumers are other receivers of the stream (a client under test),
	// each reporting how many messages it has received. The publisher
	// paces itself against them too, and Run waits for them to receive
	// every message.
	Consumers []func() int64
}

// Result is what a run measured.
type Result struct {
	Elapsed   time.Duration // first publish to last delivery
	Delivered int64         // messages received, all subscribers together
}

// Rate returns the messages published per second.
func (r Result) Rate(s Scenario) float64 { return float64(s.Messages) / r.Elapsed.Seconds() }

// DeliveryRate returns the messages delivered per second, all subscribers
// together.
func (r Result) DeliveryRate() float64 { return float64(r.Delivered) / r.Elapsed.Seconds() }

// ErrIncomplete is returned when the broker did not deliver every message
// within the time limit.
var ErrIncomplete = errors.New("mqttload: not every message was delivered")

// Topic is the topic the load is published to.
const Topic = "mqttload/stream"

// Run connects the subscribers and the publisher to the broker at addr,
// runs s and returns what it measured. It gives up after timeout.
func Run(addr string, s Scenario, timeout time.Duration) (Result, error) {
	if s.Window <= 0 {
		s.Window = 1000
	}
	subs := make([]*subscriber, s.Subscribers)
	progress := make(chan struct{}, 1)
	for i := range subs {
		c, err := Dial(addr, fmt.Sprintf("mqttload-sub-%d", i))
		if err != nil {
			return Result{}, fmt.Errorf("mqttload: subscriber %d: %w", i, err)
		}
		defer c.Close()
		if err := c.Subscribe(Topic, s.QoS); err != nil {
			return Result{}, fmt.Errorf("mqttload: subscriber %d: %w", i, err)
		}
		subs[i] = &subscriber{conn: c, want: int64(s.Messages), progress: progress, done: make(chan struct{})}
	}
	pub, err := newPublisher(addr, s.QoS)
	if err != nil {
		return Result{}, err
	}
	defer pub.conn.Close()
	for _, sub := range subs {
		go sub.run()
	}
	start := time.Now()
	deadline := start.Add(timeout)
	pubErr := pub.run(s, subs, progress, deadline)
	allDone := waitAll(subs, deadline) && waitConsumers(s, deadline)
	res := Result{Elapsed: time.Since(start)}
	for _, sub := range subs {
		res.Delivered += sub.count.Load()
	}
	if pubErr != nil {
		return res, pubErr
	}
	if !allDone {
		return res, fmt.Errorf("%w: %d of %d", ErrIncomplete, res.Delivered, int64(s.Messages*s.Subscribers))
	}
	return res, nil
}

func waitConsumers(s Scenario, deadline time.Time) bool {
	for _, received := range s.Consumers {
		for received() < int64(s.Messages) {
			if time.Now().After(deadline) {
				return false
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	return true
}

func waitAll(subs []*subscriber, deadline time.Time) bool {
	for _, sub := range subs {
		select {
		case <-sub.done:
		case <-time.After(time.Until(deadline)):
			return false
		}
	}
	return true
}

// subscriber counts what it receives and acknowledges QoS 1 messages.
type subscriber struct {
	conn     *Conn
	want     int64
	count    atomic.Int64
	progress chan<- struct{}
	done     chan struct{}
}

func (s *subscriber) run() {
	defer close(s.done)
	for s.count.Load() < s.want {
		header, body, err := s.conn.Read()
		if err != nil {
			return
		}
		if !IsPublish(header) {
			continue
		}
		if QoS(header) > 0 {
			s.conn.Puback(PublishID(body))
		}
		s.count.Add(1)
		if !s.conn.Buffered() {
			_ = s.conn.Flush()
			select {
			case s.progress <- struct{}{}:
			default:
			}
		}
	}
	_ = s.conn.Flush()
	select {
	case s.progress <- struct{}{}:
	default:
	}
}

// publisher sends the stream, keeping within the window.
type publisher struct {
	conn  *Conn
	qos   byte
	acked atomic.Int64
}

func newPublisher(addr string, qos byte) (*publisher, error) {
	c, err := Dial(addr, "mqttload-pub")
	if err != nil {
		return nil, fmt.Errorf("mqttload: publisher: %w", err)
	}
	p := &publisher{conn: c, qos: qos}
	if qos > 0 {
		go p.readAcks()
	}
	return p, nil
}

func (p *publisher) readAcks() {
	for {
		header, _, err := p.conn.Read()
		if err != nil {
			return
		}
		if IsPuback(header) {
			p.acked.Add(1)
		}
	}
}

func (p *publisher) run(s Scenario, subs []*subscriber, progress <-chan struct{}, deadline time.Time) error {
	payload := make([]byte, s.PayloadSize)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	start := time.Now()
	for i := 0; i < s.Messages; i++ {
		if s.Rate > 0 {
			if err := pace(p, start, i, s.Rate); err != nil {
				return err
			}
		}
		for int64(i)-slowest(subs, s.Consumers) >= int64(s.Window) || (p.qos > 0 && int64(i)-p.acked.Load() >= int64(s.Window)) {
			if err := p.conn.Flush(); err != nil {
				return fmt.Errorf("mqttload: publish: %w", err)
			}
			select {
			case <-progress:
			case <-time.After(pollEvery(s)):
				if time.Now().After(deadline) {
					return fmt.Errorf("%w: publisher stalled at %d of %d (slowest %d, acked %d)", ErrIncomplete, i, s.Messages, slowest(subs, s.Consumers), p.acked.Load())
				}
			}
		}
		if s.Numbered {
			binary.BigEndian.PutUint64(payload, uint64(i))
		}
		p.conn.Publish(Topic, payload, p.qos, uint16(i%65535+1))
		if i%256 == 255 {
			if err := p.conn.Flush(); err != nil {
				return fmt.Errorf("mqttload: publish: %w", err)
			}
		}
	}
	return p.conn.Flush()
}

// pace waits until message i is due at rate per second, flushing what is
// buffered before waiting.
func pace(p *publisher, start time.Time, i, rate int) error {
	due := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
	if wait := time.Until(due); wait > 0 {
		if err := p.conn.Flush(); err != nil {
			return fmt.Errorf("mqttload: publish: %w", err)
		}
		time.Sleep(wait)
	}
	return nil
}

// pollEvery is how long the publisher waits for progress it is not told
// about: consumers do not signal.
func pollEvery(s Scenario) time.Duration {
	if len(s.Consumers) > 0 {
		return 100 * time.Microsecond
	}
	return 10 * time.Millisecond
}

// slowest returns how many messages the slowest receiver has; with no
// receivers to pace against, there is no limit.
func slowest(subs []*subscriber, consumers []func() int64) int64 {
	if len(subs) == 0 && len(consumers) == 0 {
		return math.MaxInt64 / 2
	}
	low := int64(-1)
	for _, s := range subs {
		if n := s.count.Load(); low < 0 || n < low {
			low = n
		}
	}
	for _, received := range consumers {
		if n := received(); low < 0 || n < low {
			low = n
		}
	}
	return low
}
