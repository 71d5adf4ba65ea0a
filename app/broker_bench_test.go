package app

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
	"github.com/mqttdesk/mqttdesk/internal/testkit/brokerproc"
	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
)

// benchBroker is a broker under benchmark, running in its own process.
type benchBroker struct {
	name string
	addr string
	pid  int
	stop func() // ends the process; also run by the benchmark's cleanup
}

// onceCleanup returns stop, made safe to call more than once, and has b
// call it at the end.
func onceCleanup(b *testing.B, stop func()) func() {
	var once sync.Once
	f := func() { once.Do(stop) }
	b.Cleanup(f)
	return f
}

// startOurBroker runs the local broker in its own process (this test
// binary, through TestMain), with the defaults of `mqttdesk broker`.
func startOurBroker(b *testing.B) benchBroker {
	br := brokerproc.Start(b)
	return benchBroker{name: "mqttdesk", addr: br.Addr, pid: br.PID, stop: br.Stop}
}

// startMosquitto runs Debian's mosquitto on a free loopback port, set up
// so that it neither throttles nor drops under the benchmark's window.
func startMosquitto(b *testing.B) benchBroker {
	if _, err := exec.LookPath("mosquitto"); err != nil {
		if os.Getenv("MQTTDESK_REQUIRE_PEERS") != "" {
			b.Fatal("mosquitto not installed; make bench installs it")
		}
		b.Skip("mosquitto not installed; make bench installs it")
	}
	port := testnet.FreePort(b)
	conf := filepath.Join(b.TempDir(), "mosquitto.conf")
	text := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"+
		"max_inflight_messages 1000\nmax_queued_messages 100000\nlog_dest none\n", port)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		b.Fatal(err)
	}
	// mosquitto keeps the open-file limit it is given; let it serve
	// thousands of clients, as mqttdesk's Go runtime does for itself.
	cmd := exec.Command("sh", "-c", `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec mosquitto -c "$1"`, "sh", conf)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stop := onceCleanup(b, func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for range 100 {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			return benchBroker{name: "mosquitto", addr: addr, pid: cmd.Process.Pid, stop: stop}
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Fatal("mosquitto did not start")
	return benchBroker{}
}

type brokerScenario struct {
	name string
	mqttload.Scenario
}

func brokerScenarios() []brokerScenario {
	scale := 1
	if os.Getenv("BENCH_QUICK") != "" {
		scale = 20
	}
	return []brokerScenario{
		{"1to1_qos0", mqttload.Scenario{Subscribers: 1, QoS: 0, Messages: 300_000 / scale, PayloadSize: 64}},
		{"1to1_qos1", mqttload.Scenario{Subscribers: 1, QoS: 1, Messages: 150_000 / scale, PayloadSize: 64}},
		{"1to10_qos0", mqttload.Scenario{Subscribers: 10, QoS: 0, Messages: 60_000 / scale, PayloadSize: 64}},
		{"1to10_qos1", mqttload.Scenario{Subscribers: 10, QoS: 1, Messages: 30_000 / scale, PayloadSize: 64}},
	}
}

// BenchmarkBrokerVsMosquitto runs each scenario against `mqttdesk broker` and
// mosquitto in turn, three rounds each, and reports the median messages
// per second of each and their ratio (above 1 means mqttdesk is faster).
// Both brokers run in their own process and see the same load client.
func BenchmarkBrokerVsMosquitto(b *testing.B) {
	brokers := []benchBroker{startOurBroker(b), startMosquitto(b)}
	fmt.Printf("\n%-12s %16s %16s %8s   (messages published per second; deliveries = published x subscribers)\n",
		"scenario", "mqttdesk", "mosquitto", "ratio")
	for _, sc := range brokerScenarios() {
		b.Run(sc.name, func(b *testing.B) {
			rates := map[string][]float64{}
			for range b.N {
				for range 3 {
					for _, br := range brokers {
						res, err := mqttload.Run(br.addr, sc.Scenario, 2*time.Minute)
						if err != nil {
							b.Fatalf("%s: %v", br.name, err)
						}
						rates[br.name] = append(rates[br.name], res.Rate(sc.Scenario))
					}
				}
			}
			ours, theirs := median(rates["mqttdesk"]), median(rates["mosquitto"])
			b.ReportMetric(ours, "mqttdesk_msg/s")
			b.ReportMetric(theirs, "mosquitto_msg/s")
			b.ReportMetric(ours/theirs, "ratio")
			fmt.Printf("%-12s %16.0f %16.0f %7.2fx\n", sc.name, ours, theirs, ours/theirs)
		})
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
