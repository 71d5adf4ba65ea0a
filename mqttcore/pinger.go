package mqttcore

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho/log"
)

// pinger keeps an MQTT 5 connection alive for paho.golang, as its
// DefaultPinger does, with one difference: at most one PINGREQ is being
// written at a time. paho's starts a write at every keep-alive interval;
// behind a broker that has stopped reading they pile up, and when the
// connection closes all but one of them block for ever sending their
// error to a channel nobody reads.
type pinger struct {
	mu           sync.Mutex
	lastSent     time.Time
	lastReceived time.Time
	lastPingResp time.Time
	debug        log.Logger
}

func newPinger() *pinger { return &pinger{debug: log.NOOPLogger{}} }

// Run sends PINGREQ when nothing was both sent and received within
// keepAlive, and returns an error when a PINGRESP is overdue or a PINGREQ
// cannot be written. It returns nil when ctx ends.
func (p *pinger) Run(ctx context.Context, conn net.Conn, keepAlive uint16) error {
	if keepAlive == 0 {
		return nil
	}
	if conn == nil {
		return errors.New("pinger: no connection")
	}
	interval := time.Duration(keepAlive) * time.Second
	timer := time.NewTimer(0)
	defer timer.Stop()
	var lastPing time.Time
	failed := make(chan error, 1)
	writing := false
	written := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-failed:
			return err
		case <-written:
			writing = false
		case now := <-timer.C:
			due, answered := p.due(interval)
			if !lastPing.IsZero() && lastPing.After(answered) {
				return errors.New("PINGRESP timed out")
			}
			if now.Before(due) || writing {
				timer.Reset(max(due.Sub(now), time.Second))
				continue
			}
			lastPing, writing = time.Now(), true
			go func() {
				if _, err := packets.NewControlPacket(packets.PINGREQ).WriteTo(conn); err != nil {
					failed <- err // buffered, and only one write is ever pending
				}
				written <- struct{}{}
			}()
			timer.Reset(interval)
		}
	}
}

// due returns when the next PINGREQ is due and when the last PINGRESP came.
func (p *pinger) due(interval time.Duration) (time.Time, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	last := p.lastReceived
	if p.lastSent.Before(last) {
		last = p.lastSent
	}
	return last.Add(interval), p.lastPingResp
}

func (p *pinger) PacketSent()           { p.stamp(&p.lastSent) }
func (p *pinger) PacketReceived()       { p.stamp(&p.lastReceived) }
func (p *pinger) PingResp()             { p.stamp(&p.lastPingResp) }
func (p *pinger) SetDebug(l log.Logger) { p.debug = l }

func (p *pinger) stamp(t *time.Time) {
	p.mu.Lock()
	*t = time.Now()
	p.mu.Unlock()
}
