package ui

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
	"github.com/mqttdesk/mqttdesk/internal/bench/procstat"
	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// BenchmarkStartUp launches the real mqttdesk binary under Xvfb and
// reports the time from launch to its first frame, and to the first frame
// showing the open connection's newest messages; the resident memory two
// seconds later, idle; and the binary's size. Once with an empty data
// directory, once with a connection (the one used last, so it opens)
// holding 1 million stored messages (20,000 with BENCH_QUICK). Three
// launches each, medians.
func BenchmarkStartUp(b *testing.B) {
	testnet.NeedPeer(b, "Xvfb")
	bin := buildApp(b)
	display := startXvfb(b)
	stored := 1_000_000
	if os.Getenv("BENCH_QUICK") != "" {
		stored = 20_000
	}
	cases := []struct {
		name   string
		stored int
	}{{"empty", 0}, {"1M_messages", stored}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			data := b.TempDir()
			if c.stored > 0 {
				fillHistory(b, data, c.stored)
			}
			figures := map[string][]float64{}
			for range b.N {
				for range 3 {
					for unit, v := range launchOnce(b, bin, display, data, c.stored > 0) {
						figures[unit] = append(figures[unit], v)
					}
				}
			}
			figures["binary-MB"] = []float64{float64(fileSize(b, bin)) / (1 << 20)}
			var medians []string
			for _, unit := range slices.Sorted(maps.Keys(figures)) {
				m := percentile(figures[unit], 50)
				b.ReportMetric(m, unit)
				medians = append(medians, fmt.Sprintf("%s %.1f", unit, m))
			}
			b.Logf("start-up with %d messages stored: %s", c.stored, strings.Join(medians, ", "))
		})
	}
}

// launchOnce starts the app on data, waits for its first frame (and for
// its messages, when withMessages), reads its resident memory two seconds
// later and stops it.
func launchOnce(b *testing.B, bin, display, data string, withMessages bool) map[string]float64 {
	probe := filepath.Join(b.TempDir(), "startup.txt")
	cmd := exec.Command(bin, "--data-dir", data)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "MQTTDESK_STARTUP_PROBE="+probe, "MQTTDESK_KEYRING=off")
	launched := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	marks := waitForMarks(b, probe, withMessages)
	time.Sleep(2 * time.Second)
	rss := residentMB(b, cmd.Process.Pid)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		b.Fatalf("the app exited with %v", err)
	}
	out := map[string]float64{"idle-rss-MB": rss}
	for name, at := range marks {
		out[name+"-ms"] = float64(at.Sub(launched).Microseconds()) / 1000
	}
	return out
}

// waitForMarks reads the start-up probe's file until it holds the first
// frame, and the messages frame when withMessages.
func waitForMarks(b *testing.B, path string, withMessages bool) map[string]time.Time {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		marks := map[string]time.Time{}
		data, _ := os.ReadFile(path)
		for line := range strings.Lines(string(data)) {
			var name string
			var ns int64
			if _, err := fmt.Sscan(line, &name, &ns); err == nil {
				marks[name] = time.Unix(0, ns)
			}
		}
		if _, ok := marks["first-frame"]; ok {
			if _, ok := marks["messages-frame"]; ok || !withMessages {
				return marks
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.Fatal("the window did not paint within 30 s")
	return nil
}

// fillHistory saves a connection in data, used last so that the window
// opens it, and has n messages of 64 bytes arrive on it through the local
// broker, as they would from a device.
func fillHistory(b *testing.B, data string, n int) {
	broker, addr := startBenchBroker(b)
	core, err := app.Open(app.Config{DataDir: data})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := core.Close(); err != nil {
			b.Fatal(err)
		}
	}()
	o := mqtt.NewOptions("Sensors", mqtt.SchemeMQTT, "127.0.0.1")
	o.Port, _ = strconv.Atoi(addr[strings.LastIndexByte(addr, ':')+1:])
	p, err := core.SaveProfile(model.Profile{Options: o, LastUsed: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := core.Subscribe(ctx, p.ID, model.Subscription{Filter: mqttload.Topic}); err != nil {
		b.Fatal(err)
	}
	if err := core.Connect(ctx, p.ID); err != nil {
		b.Fatal(err)
	}
	waitUntil(b, "the subscription", func() bool { return broker.LocalBroker().Subscriptions >= 1 })
	sc := mqttload.Scenario{Messages: n, PayloadSize: 64, Window: 5000, Consumers: []func() int64{received(core, p.ID)}}
	if _, err := mqttload.Run(addr, sc, 5*time.Minute); err != nil {
		b.Fatal(err)
	}
	if err := core.Disconnect(ctx, p.ID); err != nil {
		b.Fatal(err)
	}
}

// received returns a counter of the messages connection id has received,
// read from the core at most every 5 ms.
func received(core *app.App, id string) func() int64 {
	var last atomic.Int64
	var readAt atomic.Int64
	return func() int64 {
		if now := time.Now().UnixNano(); now-readAt.Load() > int64(5*time.Millisecond) {
			readAt.Store(now)
			last.Store(core.State(id).MessagesIn)
		}
		return last.Load()
	}
}

// residentMB reads process pid's resident memory (VmRSS) in MB.
func residentMB(b *testing.B, pid int) float64 {
	n, err := procstat.Memory(pid, "VmRSS")
	if err != nil {
		b.Fatal(err)
	}
	return float64(n) / (1 << 20)
}

func fileSize(b *testing.B, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}
