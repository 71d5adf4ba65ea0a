package cli

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/mqttcore"
)

// maxLatencySamples bounds the memory the latency figures take; beyond it
// every other sample is kept.
const maxLatencySamples = 1 << 21

// benchStats is what the clients count, safe for concurrent use.
type benchStats struct {
	connected, sent, received, failed atomic.Int64

	mu        sync.Mutex
	errors    map[string]int64
	latencies []float64 // milliseconds
	connects  []float64 // milliseconds to CONNACK
	skip      int
}

func (s *benchStats) fail(err error) {
	s.failed.Add(1)
	s.mu.Lock()
	if s.errors == nil {
		s.errors = map[string]int64{}
	}
	s.errors[app.UserMessage(err)]++
	s.mu.Unlock()
}

func (s *benchStats) latency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skip++
	if len(s.latencies) >= maxLatencySamples && s.skip%2 == 0 {
		return
	}
	s.latencies = append(s.latencies, float64(d)/float64(time.Millisecond))
}

// benchClient is one connection of the load; as a session handler it
// counts what arrives and the latency from the time in the payload.
type benchClient struct {
	stats   *benchStats
	session *mqttcore.Session
}

func (b *benchClient) HandleMessage(m mqtt.Message) {
	b.stats.received.Add(1)
	if len(m.Payload) >= 8 {
		sent := int64(binary.BigEndian.Uint64(m.Payload))
		if d := time.Since(time.Unix(0, sent)); d >= 0 && d < time.Hour {
			b.stats.latency(d)
		}
	}
}

func (b *benchClient) HandleEvent(mqttcore.Event) {}

// runBench runs the load until ctx ends or the count is reached, printing
// a progress line on progress once a second.
func runBench(ctx context.Context, c benchConfig, progress io.Writer) benchSummary {
	stats := &benchStats{}
	start := time.Now()
	stopProgress := showProgress(stats, start, progress)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var pace <-chan time.Time
	if c.connRate > 0 {
		t := time.NewTicker(time.Second / time.Duration(c.connRate))
		defer t.Stop()
		pace = t.C
	}
	if c.mode == "sub" && c.count > 0 {
		go stopAtCount(ctx, cancel, &stats.received, int64(c.count))
	}
	var clients []*benchClient
	var mu sync.Mutex
	for i := range c.clients {
		if pace != nil {
			select {
			case <-ctx.Done():
			case <-pace:
			}
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := connectBenchClient(ctx, c, i, stats)
			if cl == nil {
				return
			}
			mu.Lock()
			clients = append(clients, cl)
			mu.Unlock()
			runBenchClient(ctx, c, i, cl)
		}()
	}
	wg.Wait()
	if c.mode == "conn" || c.mode == "sub" {
		<-ctx.Done()
	}
	elapsed := time.Since(start)
	stopProgress()
	for _, cl := range clients {
		dctx, dcancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = cl.session.Disconnect(dctx)
		dcancel()
	}
	return summarize(c, stats, elapsed)
}

func connectBenchClient(ctx context.Context, c benchConfig, i int, stats *benchStats) *benchClient {
	o := c.options
	o.ClientID = c.idPrefix + "_" + strconv.Itoa(i)
	cl := &benchClient{stats: stats}
	s, err := mqttcore.NewSession(o, cl)
	if err != nil {
		stats.fail(err)
		return nil
	}
	cl.session = s
	began := time.Now()
	if err := s.Connect(ctx); err != nil {
		stats.fail(err)
		_ = s.Disconnect(context.Background())
		return nil
	}
	stats.connected.Add(1)
	stats.mu.Lock()
	stats.connects = append(stats.connects, float64(time.Since(began))/float64(time.Millisecond))
	stats.mu.Unlock()
	return cl
}

// runBenchClient does client i's part of the load.
func runBenchClient(ctx context.Context, c benchConfig, i int, cl *benchClient) {
	switch c.mode {
	case "sub":
		if _, err := cl.session.Subscribe(ctx, mqtt.Subscription{Filter: c.topic, QoS: byte(c.qos)}); err != nil {
			cl.stats.fail(err)
		}
	case "pub":
		publishLoop(ctx, c, i, cl)
	}
}

// stopAtCount calls stop once counter reaches n, or when ctx ends.
func stopAtCount(ctx context.Context, stop context.CancelFunc, counter *atomic.Int64, n int64) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for counter.Load() < n {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
	stop()
}

// publishLoop sends client i's messages: the send time in the first 8
// bytes of each payload, paced by the interval.
func publishLoop(ctx context.Context, c benchConfig, i int, cl *benchClient) {
	payload := slices.Clone(c.payload)
	topic := strings.ReplaceAll(c.topic, "%c", strconv.Itoa(i))
	perMessage := strings.Contains(topic, "%i")
	var tick <-chan time.Time
	if c.interval > 0 {
		t := time.NewTicker(c.interval)
		defer t.Stop()
		tick = t.C
	}
	for n := 0; (c.count == 0 || n < c.count) && ctx.Err() == nil; n++ {
		if tick != nil && n > 0 {
			select {
			case <-ctx.Done():
				return
			case <-tick:
			}
		}
		m := mqtt.Message{Topic: topic, Payload: payload, QoS: byte(c.qos)}
		if perMessage {
			m.Topic = strings.ReplaceAll(topic, "%i", strconv.Itoa(n))
		}
		sent := time.Now()
		if len(payload) >= 8 {
			binary.BigEndian.PutUint64(payload, uint64(sent.UnixNano()))
		}
		res, err := cl.session.Publish(ctx, m)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			cl.stats.fail(err)
		case !res.Succeeded():
			cl.stats.fail(fmt.Errorf("the broker refused the message (reason code 0x%02x)", res.ReasonCode))
		default:
			cl.stats.sent.Add(1)
			if c.qos > 0 {
				cl.stats.latency(time.Since(sent)) // until the broker's acknowledgement
			}
		}
	}
}

// showProgress prints a progress line a second until the returned stop
// is called. On a terminal the line is rewritten in place; elsewhere (a
// pipe, a file) each second gets a line of its own.
func showProgress(s *benchStats, start time.Time, w io.Writer) (stop func()) {
	inPlace := isTerminal(w)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var lastSent, lastRecv int64
		printed := false
		for {
			select {
			case <-done:
				if inPlace && printed {
					fmt.Fprintln(w)
				}
				return
			case now := <-t.C:
				sent, recv := s.sent.Load(), s.received.Load()
				line := fmt.Sprintf("[%4.0fs] %d connected · sent %d (%d/s) · received %d (%d/s) · errors %d",
					now.Sub(start).Seconds(), s.connected.Load(), sent, sent-lastSent, recv, recv-lastRecv, s.failed.Load())
				if inPlace {
					fmt.Fprintf(w, "\r\x1b[K%s", line)
				} else {
					fmt.Fprintln(w, line)
				}
				lastSent, lastRecv, printed = sent, recv, true
			}
		}
	}()
	return func() { close(done); <-finished }
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// benchSummary is the result of a run, printed as text or JSON.
type benchSummary struct {
	Mode       string           `json:"mode"`
	URL        string           `json:"url"`
	Clients    int              `json:"clients"`
	Connected  int64            `json:"connected"`
	Seconds    float64          `json:"seconds"`
	Sent       int64            `json:"sent"`
	Received   int64            `json:"received"`
	SentRate   float64          `json:"sentPerSecond"`
	RecvRate   float64          `json:"receivedPerSecond"`
	Latency    *percentiles     `json:"latencyMs,omitempty"`
	ConnectMs  *percentiles     `json:"connectMs,omitempty"`
	Errors     map[string]int64 `json:"errors,omitempty"`
	ErrorCount int64            `json:"errorCount"`
}

type percentiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func percentilesOf(v []float64) *percentiles {
	if len(v) == 0 {
		return nil
	}
	slices.Sort(v)
	at := func(p float64) float64 { return v[min(len(v)-1, int(float64(len(v))*p))] }
	return &percentiles{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: v[len(v)-1]}
}

func summarize(c benchConfig, s *benchStats, elapsed time.Duration) benchSummary {
	s.mu.Lock()
	defer s.mu.Unlock()
	secs := elapsed.Seconds()
	return benchSummary{
		Mode: c.mode, URL: c.options.URL(), Clients: c.clients, Connected: s.connected.Load(), Seconds: secs,
		Sent: s.sent.Load(), Received: s.received.Load(),
		SentRate: float64(s.sent.Load()) / secs, RecvRate: float64(s.received.Load()) / secs,
		Latency: percentilesOf(s.latencies), ConnectMs: percentilesOf(s.connects),
		Errors: s.errors, ErrorCount: s.failed.Load(),
	}
}

func (b benchSummary) print(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	}
	fmt.Fprintf(w, "%s %s: %d of %d clients connected in %.1f s\n", b.Mode, b.URL, b.Connected, b.Clients, b.Seconds)
	fmt.Fprintf(w, "  sent     %d (%.0f msg/s)\n  received %d (%.0f msg/s)\n", b.Sent, b.SentRate, b.Received, b.RecvRate)
	if p := b.Latency; p != nil {
		fmt.Fprintf(w, "  latency  p50 %.2f ms · p90 %.2f ms · p99 %.2f ms · max %.2f ms\n", p.P50, p.P90, p.P99, p.Max)
	}
	if p := b.ConnectMs; p != nil {
		fmt.Fprintf(w, "  connect  p50 %.2f ms · p90 %.2f ms · p99 %.2f ms · max %.2f ms\n", p.P50, p.P90, p.P99, p.Max)
	}
	fmt.Fprintf(w, "  errors   %d\n", b.ErrorCount)
	for text, n := range b.Errors {
		fmt.Fprintf(w, "    %d × %s\n", n, text)
	}
	return nil
}
