package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
	"github.com/mqttdesk/mqttdesk/internal/bench/procstat"
	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// benchApp opens an app with its local broker running (in process, as the
// one-click broker is) and returns the app, the broker's address and its
// saved connection, not yet open.
func benchApp(b *testing.B) (*App, string, model.Profile) {
	TuneRuntime() // as main does
	a, err := Open(Config{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = a.Close() })
	s := DefaultBrokerSettings()
	s.TCPPort, s.WSPort = testnet.FreePort(b), 0
	if err := a.SaveBrokerSettings(s); err != nil {
		b.Fatal(err)
	}
	p, err := a.StartLocalBroker(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return a, strings.TrimPrefix(a.LocalBroker().URLs[0], "mqtt://"), p
}

func openStream(b *testing.B, a *App, p model.Profile) {
	ctx := context.Background()
	if _, err := a.Subscribe(ctx, p.ID, model.Subscription{Filter: mqttload.Topic}); err != nil {
		b.Fatal(err)
	}
	if err := a.Connect(ctx, p.ID); err != nil {
		b.Fatal(err)
	}
	waitFor(b, func() bool { return a.LocalBroker().Subscriptions == 1 })
}

func waitFor(b *testing.B, cond func() bool) {
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ingestScenario is the stream both ingest benchmarks measure: 300,000
// QoS 0 messages of 64 bytes (10,000 with BENCH_QUICK), the publisher at
// most 5,000 ahead. It skips the benchmark without mosquitto_sub.
func ingestScenario(b *testing.B) mqttload.Scenario {
	if _, err := exec.LookPath("mosquitto_sub"); err != nil {
		b.Skip("mosquitto_sub not installed")
	}
	n := 300_000
	if os.Getenv("BENCH_QUICK") != "" {
		n = 10_000
	}
	return mqttload.Scenario{Messages: n, PayloadSize: 64, Window: 5000}
}

// BenchmarkIngestVsMosquittoSub measures messages per second from the
// local broker through a session, the store and the view ring, beside
// mosquitto_sub reading the same stream from the same broker. QoS 0,
// 64-byte payloads; the publisher stays at most 5,000 messages ahead of
// the receiver; three rounds each, medians.
func BenchmarkIngestVsMosquittoSub(b *testing.B) {
	sc := ingestScenario(b)
	a, addr, p := benchApp(b)
	var ours, theirs []float64
	for range b.N {
		for range 3 {
			ours = append(ours, ingestRate(b, a, addr, p, sc))
			theirs = append(theirs, mosquittoSubRate(b, a, addr, sc))
		}
	}
	o, m := median(ours), median(theirs)
	b.ReportMetric(o, "mqttdesk_msg/s")
	b.ReportMetric(m, "mosquitto_sub_msg/s")
	fmt.Printf("\ningest (broker -> session -> store -> view): mqttdesk %.0f msg/s, mosquitto_sub > /dev/null %.0f msg/s, ratio %.2fx\n", o, m, o/m)
}

func ingestRate(b *testing.B, a *App, addr string, p model.Profile, sc mqttload.Scenario) float64 {
	openStream(b, a, p)
	sc.Consumers = []func() int64{a.conn(p.ID).in.Load} // the counter the view's state reads
	res, err := mqttload.Run(addr, sc, 5*time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Disconnect(context.Background(), p.ID); err != nil {
		b.Fatal(err)
	}
	waitFor(b, func() bool { return a.LocalBroker().Subscriptions == 0 })
	return res.Rate(sc)
}

func mosquittoSubRate(b *testing.B, a *App, addr string, sc mqttload.Scenario) float64 {
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command("mosquitto_sub", "-h", host, "-p", port, "-t", mqttload.Topic, "-C", strconv.Itoa(sc.Messages))
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var lines atomic.Int64
	go countLines(out, &lines)
	waitFor(b, func() bool { return a.LocalBroker().Subscriptions == 1 })
	sc.Consumers = []func() int64{lines.Load}
	res, err := mqttload.Run(addr, sc, 5*time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	waitFor(b, func() bool { return a.LocalBroker().Subscriptions == 0 })
	return res.Rate(sc)
}

func countLines(r io.Reader, n *atomic.Int64) {
	buf := make([]byte, 256<<10)
	for {
		k, err := r.Read(buf)
		n.Add(int64(bytes.Count(buf[:k], []byte{'\n'})))
		if err != nil {
			return
		}
	}
}

// BenchmarkArrivalToViewLatency sends 20,000 messages/s for five seconds
// and measures, for every message, the time from its arrival to the first
// 20 Hz tick that shows it (what the window's ticker does): p50 and p99.
func BenchmarkArrivalToViewLatency(b *testing.B) {
	a, addr, p := benchApp(b)
	openStream(b, a, p)
	seconds := 5
	if os.Getenv("BENCH_QUICK") != "" {
		seconds = 1
	}
	sc := mqttload.Scenario{Messages: 20_000 * seconds, PayloadSize: 64, Rate: 20_000, Window: 50_000}
	var latencies []time.Duration
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // the view's ticker
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var seen uint64
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				msgs, _ := a.Messages(p.ID, nil)
				for _, m := range msgs {
					if m.Seq > seen {
						latencies = append(latencies, now.Sub(m.Time))
						seen = m.Seq
					}
				}
			}
		}
	}()
	for range b.N {
		if _, err := mqttload.Run(addr, sc, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	<-done
	slices.Sort(latencies)
	p50, p99 := latencies[len(latencies)/2], latencies[len(latencies)*99/100]
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	fmt.Printf("arrival to view at 20,000 msg/s (%d messages): p50 %v, p99 %v\n", len(latencies), p50.Round(time.Millisecond), p99.Round(time.Millisecond))
}

// BenchmarkMemoryAfterMillions lets millions of messages arrive and
// reports the heap: the view keeps K messages, so it must not grow with
// the history.
func BenchmarkMemoryAfterMillions(b *testing.B) {
	n := 10_000_000
	if os.Getenv("BENCH_QUICK") != "" {
		n = 50_000
	}
	a, addr, p := benchApp(b)
	openStream(b, a, p)
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	in := a.conn(p.ID).in.Load
	sc := mqttload.Scenario{Messages: n / 10, PayloadSize: 64, Window: 5000, Consumers: []func() int64{in}}
	if _, err := mqttload.Run(addr, sc, 10*time.Minute); err != nil {
		b.Fatal(err)
	}
	early, earlyRSS := heap(), anonRSS(b)
	base := in()
	sc.Messages = n - n/10
	sc.Consumers = []func() int64{func() int64 { return in() - base }}
	if _, err := mqttload.Run(addr, sc, 30*time.Minute); err != nil {
		b.Fatal(err)
	}
	late, lateRSS := heap(), anonRSS(b)
	_ = a.store.Flush(context.Background())
	st, _ := a.store.HistoryStats(p.ID)
	fmt.Printf("after %d messages: heap %d MB, RSS anon %d MB; after %d: heap %d MB, RSS anon %d MB (view keeps %d; %d stored)\n",
		n/10, early>>20, earlyRSS>>20, n, late>>20, lateRSS>>20, a.store.AppSettings().MessagesInMemory, st.Count)
	b.ReportMetric(float64(late>>20), "heap-MB")
	b.ReportMetric(float64(lateRSS>>20), "rss-MB")
	b.ReportMetric(float64(lateRSS)/float64(earlyRSS), "rss-growth-x")
}

// anonRSS reads this process's anonymous resident memory (RssAnon): the
// heap, stacks and runtime, without mapped files such as the history's.
func anonRSS(b *testing.B) int64 {
	n, err := procstat.Memory(procstat.Self, "RssAnon")
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkIngestExternalBroker is BenchmarkIngestVsMosquittoSub with the
// broker in a process of its own (`mqttdesk broker`), so that each client
// is measured with the same broker cost outside it.
func BenchmarkIngestExternalBroker(b *testing.B) {
	sc := ingestScenario(b)
	broker := startOurBroker(b)
	TuneRuntime()
	a, err := Open(Config{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	host, port, _ := strings.Cut(broker.addr, ":")
	o := mqttcoreOptions(host, port)
	p, err := a.SaveProfile(model.Profile{Options: o})
	if err != nil {
		b.Fatal(err)
	}
	var ours, theirs []float64
	for range b.N {
		for range 3 {
			ours = append(ours, externalIngestRate(b, a, broker.addr, p, sc))
			theirs = append(theirs, externalMosquittoSubRate(b, broker.addr, sc))
		}
	}
	o1, m := median(ours), median(theirs)
	b.ReportMetric(o1, "mqttdesk_msg/s")
	b.ReportMetric(m, "mosquitto_sub_msg/s")
	fmt.Printf("ingest, broker in its own process: mqttdesk %.0f msg/s, mosquitto_sub > /dev/null %.0f msg/s, ratio %.2fx\n", o1, m, o1/m)
}

func externalIngestRate(b *testing.B, a *App, addr string, p model.Profile, sc mqttload.Scenario) float64 {
	ctx := context.Background()
	if _, err := a.Subscribe(ctx, p.ID, model.Subscription{Filter: mqttload.Topic}); err != nil {
		b.Fatal(err)
	}
	if err := a.Connect(ctx, p.ID); err != nil {
		b.Fatal(err)
	}
	in := a.conn(p.ID).in.Load
	waitReceiving(b, addr, in)
	base := in()
	sc.Consumers = []func() int64{func() int64 { return in() - base }}
	res, err := mqttload.Run(addr, sc, 5*time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	_ = a.Disconnect(ctx, p.ID)
	return res.Rate(sc)
}

func externalMosquittoSubRate(b *testing.B, addr string, sc mqttload.Scenario) float64 {
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command("mosquitto_sub", "-h", host, "-p", port, "-t", mqttload.Topic)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var lines atomic.Int64
	go countLines(out, &lines)
	waitReceiving(b, addr, lines.Load)
	base := lines.Load()
	sc.Consumers = []func() int64{func() int64 { return lines.Load() - base }}
	res, err := mqttload.Run(addr, sc, 5*time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	return res.Rate(sc)
}

// waitReceiving publishes probes until received moves: the receiver's
// subscription is then in place.
func waitReceiving(b *testing.B, addr string, received func() int64) {
	c, err := mqttload.Dial(addr, "probe")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	start := received()
	deadline := time.Now().Add(20 * time.Second)
	for received() == start {
		if time.Now().After(deadline) {
			b.Fatal("the receiver never got a probe")
		}
		c.Publish(mqttload.Topic, []byte("probe"), 0, 0)
		_ = c.Flush()
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let the last probes arrive before counting
}

func mqttcoreOptions(host, port string) mqtt.Options {
	o := mqtt.NewOptions("bench", mqtt.SchemeMQTT, host)
	o.Port, _ = strconv.Atoi(port)
	return o
}
