package ui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// BenchmarkEventLoopUnderLoad runs the real mqttdesk window under Xvfb,
// showing a connection that receives 20,000 messages a second, and
// reports how late its Fyne event loop runs what is posted to it every
// 50 ms (the wait a click or a key press would see), and the CPU the app
// uses meanwhile. BENCH_QUICK=1 runs it for 2 seconds instead of 15.
func BenchmarkEventLoopUnderLoad(b *testing.B) {
	testnet.NeedPeer(b, "Xvfb")
	seconds := 15
	if os.Getenv("BENCH_QUICK") != "" {
		seconds = 2
	}
	bin := buildApp(b)
	display := startXvfb(b)
	broker, addr := startBenchBroker(b)
	for range b.N {
		data := prepareAppData(b, addr)
		probe := filepath.Join(b.TempDir(), "probe.txt")
		cmd := exec.Command(bin, "--data-dir", data)
		cmd.Env = append(os.Environ(), "DISPLAY="+display, "MQTTDESK_PROBE="+probe, "MQTTDESK_KEYRING=off")
		if path := os.Getenv("MQTTDESK_BENCH_CPUPROFILE"); path != "" {
			cmd.Env = append(cmd.Env, "MQTTDESK_CPUPROFILE="+path)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		waitUntil(b, "the app to connect", func() bool { return broker.LocalBroker().Clients >= 1 })
		time.Sleep(2 * time.Second) // the window opens the connection's view

		cpu0 := cpuTime(b, cmd.Process.Pid)
		start := time.Now()
		sc := mqttload.Scenario{Messages: 20_000 * seconds, PayloadSize: 64, Rate: 20_000, Window: 50_000}
		if _, err := mqttload.Run(addr, sc, time.Minute); err != nil {
			b.Fatal(err)
		}
		end := time.Now()
		cpu := (cpuTime(b, cmd.Process.Pid) - cpu0).Seconds() / end.Sub(start).Seconds()

		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			b.Fatalf("the app exited with %v", err)
		}
		delays := readProbe(b, probe, start, end)
		b.ReportMetric(percentile(delays, 50), "p50-ms")
		b.ReportMetric(percentile(delays, 99), "p99-ms")
		b.ReportMetric(slices.Max(delays), "max-ms")
		b.ReportMetric(cpu*100, "cpu-%")
		b.Logf("event loop delay at 20,000 msg/s over %d s: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d probes); app CPU %.0f %% of one core",
			seconds, percentile(delays, 50), percentile(delays, 99), slices.Max(delays), len(delays), cpu*100)
	}
}

// buildApp builds the mqttdesk binary once per run.
func buildApp(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "mqttdesk")
	cmd := exec.Command("go", "build", "-o", bin, "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func startXvfb(b *testing.B) string {
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	w.Close()
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		b.Fatalf("Xvfb did not start: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

// startBenchBroker runs the local broker in this process, apart from the
// app under measurement.
func startBenchBroker(b *testing.B) (*app.App, string) {
	core, err := app.Open(app.Config{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = core.Close() })
	s := app.DefaultBrokerSettings()
	s.TCPPort, s.WSPort = testnet.FreePort(b), 0
	if err := core.SaveBrokerSettings(s); err != nil {
		b.Fatal(err)
	}
	if _, err := core.StartLocalBroker(context.Background()); err != nil {
		b.Fatal(err)
	}
	return core, fmt.Sprintf("127.0.0.1:%d", s.TCPPort)
}

// prepareAppData saves a connection to addr, subscribed to the load's
// topic, that connects at start and was used last, so the window opens it.
func prepareAppData(b *testing.B, addr string) string {
	dir := b.TempDir()
	core, err := app.Open(app.Config{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	o := mqtt.NewOptions("Load", mqtt.SchemeMQTT, "127.0.0.1")
	o.Port, _ = strconv.Atoi(addr[strings.LastIndexByte(addr, ':')+1:])
	p, err := core.SaveProfile(model.Profile{Options: o, AutoConnect: true, LastUsed: time.Now()})
	if err == nil {
		_, err = core.Subscribe(context.Background(), p.ID, model.Subscription{Filter: mqttload.Topic})
	}
	if err := errors.Join(err, core.Close()); err != nil {
		b.Fatal(err)
	}
	return dir
}

// waitUntil waits up to 30 s for cond, polling, and fails saying what it
// waited for.
func waitUntil(b *testing.B, what string, cond func() bool) {
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cpuTime returns the user and system CPU time process pid has used.
func cpuTime(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // clock ticks, 100 a second on Linux
}

// readProbe returns the delays, in milliseconds, of the probes posted
// between from and to.
func readProbe(b *testing.B, path string, from, to time.Time) []float64 {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var at, delay int64
		if _, err := fmt.Sscan(sc.Text(), &at, &delay); err != nil {
			b.Fatal(err)
		}
		if t := time.Unix(0, at); t.After(from) && t.Before(to) {
			out = append(out, float64(delay)/1e6)
		}
	}
	if len(out) == 0 {
		b.Fatal("the probe recorded nothing during the load")
	}
	return out
}

func percentile(v []float64, p float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p/100))]
}
