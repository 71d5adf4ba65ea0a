package localbroker

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/system"
)

// Stats is a snapshot of the broker's counters. Totals count from the last
// Start; rates are per second over the last second.
type Stats struct {
	Running          bool
	Uptime           time.Duration
	ClientsConnected int64
	Subscriptions    int64
	Retained         int64            // messages clients retained; mochi's own $SYS topics are not counted
	MessagesIn       int64            // PUBLISH packets received from clients
	MessagesOut      int64            // PUBLISH packets sent to clients
	MessagesDropped  int64            // not delivered: what is held for a client was at Config.MaxQueueBytes, or see DroppedByClient
	DroppedByClient  map[string]int64 // MessagesDropped by client ID (at most 10,000 IDs)
	Denied           int64            // PUBLISH and SUBSCRIBE filters the access list denied
	Refused          int64            // connections refused: credentials, answered busy during a login slow-down, or a keep-alive over the maximum
	BytesIn          int64
	BytesOut         int64
	MessagesInRate   float64
	MessagesOutRate  float64
	BytesInRate      float64
	BytesOutRate     float64
}

// Stats returns the current counters; the zero Stats when stopped.
func (b *Broker) Stats() Stats {
	b.mu.Lock()
	srv, rates, started, drops, acl := b.srv, b.rates, b.started, b.drops, b.aclHook
	b.mu.Unlock()
	if srv == nil {
		return Stats{}
	}
	s := readCounters(srv.Info)
	s.MessagesDropped, s.DroppedByClient = drops.counts()
	s.Denied = acl.denied.Load()
	s.Refused = b.refusals.Load()
	s.Retained = max(0, s.Retained-b.sysRetained(srv))
	s.Running = true
	s.Uptime = time.Since(started)
	r := rates.last()
	s.MessagesInRate, s.MessagesOutRate = r.MessagesInRate, r.MessagesOutRate
	s.BytesInRate, s.BytesOutRate = r.BytesInRate, r.BytesOutRate
	return s
}

// sysRetained returns how many of the retained messages are the broker's
// own $SYS topics. They are a fixed set once first published, so they are
// counted once per start.
func (b *Broker) sysRetained(srv *mqtt.Server) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sysCount == 0 && b.srv == srv {
		for topic := range srv.Topics.Retained.GetAll() {
			if strings.HasPrefix(topic, "$SYS/") {
				b.sysCount++
			}
		}
	}
	return b.sysCount
}

func readCounters(info *system.Info) Stats {
	return Stats{
		ClientsConnected: atomic.LoadInt64(&info.ClientsConnected),
		Subscriptions:    atomic.LoadInt64(&info.Subscriptions),
		Retained:         atomic.LoadInt64(&info.Retained),
		MessagesIn:       atomic.LoadInt64(&info.MessagesReceived),
		MessagesOut:      atomic.LoadInt64(&info.MessagesSent),
		BytesIn:          atomic.LoadInt64(&info.BytesReceived),
		BytesOut:         atomic.LoadInt64(&info.BytesSent),
	}
}

// rateSampler reads the counters once a second and keeps the rates over
// the last interval.
type rateSampler struct {
	info   *system.Info
	onTick func() // called after each sample
	done   chan struct{}
	wg     sync.WaitGroup

	mu    sync.Mutex
	rates Stats
}

// startRateSampler samples info once a second and then calls onTick.
func startRateSampler(info *system.Info, onTick func()) *rateSampler {
	r := &rateSampler{info: info, onTick: onTick, done: make(chan struct{})}
	r.wg.Add(1)
	go r.run(time.Second)
	return r
}

func (r *rateSampler) run(every time.Duration) {
	defer r.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	prev, prevAt := readCounters(r.info), time.Now()
	for {
		select {
		case <-r.done:
			return
		case now := <-t.C:
			cur := readCounters(r.info)
			r.record(prev, cur, now.Sub(prevAt).Seconds())
			prev, prevAt = cur, now
			r.onTick()
		}
	}
}

func (r *rateSampler) record(prev, cur Stats, secs float64) {
	if secs <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rates.MessagesInRate = float64(cur.MessagesIn-prev.MessagesIn) / secs
	r.rates.MessagesOutRate = float64(cur.MessagesOut-prev.MessagesOut) / secs
	r.rates.BytesInRate = float64(cur.BytesIn-prev.BytesIn) / secs
	r.rates.BytesOutRate = float64(cur.BytesOut-prev.BytesOut) / secs
}

func (r *rateSampler) last() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rates
}

func (r *rateSampler) stop() {
	close(r.done)
	r.wg.Wait()
}
