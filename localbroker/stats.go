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
	Retained         int64 // messages clients retained; mochi's own $SYS topics are not counted
	MessagesIn       int64 // PUBLISH packets received from clients
	MessagesOut      int64 // PUBLISH packets sent to clients
	MessagesDropped  int64 // not delivered because a client's queue was full
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
	srv, rates, started := b.srv, b.rates, b.started
	b.mu.Unlock()
	if srv == nil {
		return Stats{}
	}
	s := readCounters(srv.Info)
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
		MessagesDropped:  atomic.LoadInt64(&info.MessagesDropped),
		BytesIn:          atomic.LoadInt64(&info.BytesReceived),
		BytesOut:         atomic.LoadInt64(&info.BytesSent),
	}
}

// rateSampler reads the counters once a second and keeps the rates over
// the last interval.
type rateSampler struct {
	info *system.Info
	done chan struct{}
	wg   sync.WaitGroup

	mu    sync.Mutex
	rates Stats
}

func startRateSampler(info *system.Info) *rateSampler {
	r := &rateSampler{info: info, done: make(chan struct{})}
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
