package mqttcore

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"runtime/debug"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// countingHandler counts messages and drops them, as a consumer that only
// receives.
type countingHandler struct{ n atomic.Int64 }

func (h *countingHandler) HandleMessage(mqtt.Message) { h.n.Add(1) }
func (h *countingHandler) HandleEvent(Event)          {}

// mqttdeskGCPercent is the garbage collector target mqttdesk's process
// runs with (app.TuneRuntime, which mqttcore cannot import).
const mqttdeskGCPercent = 400

// BenchmarkSessionReceive measures how many QoS 0 messages of 64 bytes
// per second one session takes in, beside two other clients taking the
// same stream in the same run: mosquitto_sub > /dev/null, and MQTT.js's
// `mqtt sub` > /dev/null (MQTTX CLI is built on MQTT.js). The stream comes
// from mqttload.StreamServer, which writes the same encoded bytes to each
// as fast as it reads them, so that no broker's cost is in the way: what
// is measured is the client. Three rounds each; medians.
func BenchmarkSessionReceive(b *testing.B) {
	testnet.NeedPeer(b, "mosquitto_sub")
	mqttjsSub := testnet.MQTTJSBin(b, "mqtt_sub")
	defer debug.SetGCPercent(debug.SetGCPercent(mqttdeskGCPercent)) // sessions run so in mqttdesk
	messages := 500_000
	if os.Getenv("BENCH_QUICK") != "" {
		messages = 10_000
	}
	srv, err := mqttload.NewStreamServer(mqttload.Stream{Messages: messages, PayloadSize: 64})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	port := strconv.Itoa(srv.Port())
	receivers := map[string]func() float64{
		"session":      func() float64 { return sessionRate(b, srv, mqtt.MQTT5) },
		"session_v311": func() float64 { return sessionRate(b, srv, mqtt.MQTT311) },
		"mosquitto_sub": func() float64 {
			return commandRate(b, srv, "mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-t", "mqttload/#", "-q", "1")
		},
		"mqttjs_sub": func() float64 {
			return commandRate(b, srv, "node", mqttjsSub, "-h", "127.0.0.1", "-p", port, "-t", "mqttload/#", "-q", "1")
		},
	}
	rates := map[string][]float64{}
	for range b.N {
		for range 3 {
			for name, rate := range receivers {
				rates[name] = append(rates[name], rate())
			}
		}
	}
	ours := median(rates["session"])
	fmt.Printf("\nreceive, QoS 0, 64 B: mqttdesk session %.0f msg/s (MQTT 3.1.1: %.0f)", ours, median(rates["session_v311"]))
	for _, name := range slices.Sorted(maps.Keys(rates)) {
		b.ReportMetric(median(rates[name]), name+"_msg/s")
		if name != "session" && name != "session_v311" {
			fmt.Printf(", %s %.0f msg/s (%.2fx)", name, median(rates[name]), ours/median(rates[name]))
		}
	}
	fmt.Println()
}

// streamSession connects a session of version, handing messages to h,
// to srv and subscribes it to filter at QoS 1, which starts the stream.
// The caller disconnects it.
func streamSession(tb testing.TB, srv *mqttload.StreamServer, version, filter string, h Handler) *Session {
	tb.Helper()
	o := mqtt.NewOptions("stream", mqtt.SchemeMQTT, "127.0.0.1")
	o.Port, o.Version = srv.Port(), version
	s, err := NewSession(o, h)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Connect(ctx); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Subscribe(ctx, mqtt.Subscription{Filter: filter, QoS: 1}); err != nil {
		_ = s.Disconnect(ctx)
		tb.Fatal(err)
	}
	return s
}

// sessionRate has a session of version take the stream.
func sessionRate(b *testing.B, srv *mqttload.StreamServer, version string) float64 {
	h := &countingHandler{}
	s := streamSession(b, srv, version, "mqttload/#", h)
	defer s.Disconnect(context.Background())
	rate, err := srv.Rate(2 * time.Minute)
	if err != nil {
		b.Fatalf("session: %v", err)
	}
	if got, want := h.n.Load(), int64(srv.Messages()+1); got != want {
		b.Fatalf("the session received %d messages of %d", got, want)
	}
	return rate
}

// commandRate has a subscriber command, its output going to /dev/null,
// take the stream.
func commandRate(b *testing.B, srv *mqttload.StreamServer, name string, args ...string) float64 {
	cmd := exec.Command(name, args...) // no Stdout: /dev/null
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	rate, err := srv.Rate(2 * time.Minute)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return rate
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
