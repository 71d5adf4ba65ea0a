package mqttcore

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/mqttload"
	"github.com/mqttdesk/mqttdesk/internal/testnet"
	"github.com/mqttdesk/mqttdesk/localbroker"
)

// countingHandler counts messages and drops them, as a consumer that only
// receives.
type countingHandler struct{ n atomic.Int64 }

func (h *countingHandler) HandleMessage(Message) { h.n.Add(1) }
func (h *countingHandler) HandleEvent(Event)     {}

// brokerProcessEnv makes the test binary serve as a local broker process.
const brokerProcessEnv = "MQTTDESK_BROKER_PROCESS"

// mqttdeskGCPercent is the garbage collector target mqttdesk's process
// runs with (app.TuneRuntime, which mqttcore cannot import).
const mqttdeskGCPercent = 400

// serveBrokerProcess runs the local broker on a free port with the garbage
// collector set as mqttdesk sets it, prints the port and the subscription
// count on request, and stops when standard input closes.
func serveBrokerProcess() int {
	debug.SetGCPercent(mqttdeskGCPercent)
	b, err := localbroker.New(localbroker.Config{TCPAddr: "127.0.0.1:0"})
	if err == nil {
		err = b.Start(context.Background())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	e, _ := b.Endpoint("mqtt")
	fmt.Printf("port %d\n", e.Port)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() { // each line asks for the subscription count
		fmt.Printf("%d\n", b.Stats().Subscriptions)
	}
	_ = b.Stop(context.Background())
	return 0
}

// brokerProcess is the local broker in a process of its own.
type brokerProcess struct {
	port int
	in   io.WriteCloser
	out  *bufio.Scanner
}

func startBrokerProcess(b *testing.B) *brokerProcess {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), brokerProcessEnv+"=1")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = in.Close(); _ = cmd.Wait() })
	p := &brokerProcess{in: in, out: bufio.NewScanner(out)}
	if !p.out.Scan() {
		b.Fatal("broker process did not start")
	}
	if _, err := fmt.Sscanf(p.out.Text(), "port %d", &p.port); err != nil {
		b.Fatal(err)
	}
	return p
}

func (p *brokerProcess) subscriptions() int64 {
	_, _ = io.WriteString(p.in, "?\n")
	p.out.Scan()
	n, _ := strconv.ParseInt(p.out.Text(), 10, 64)
	return n
}

// BenchmarkSessionReceive measures how many QoS 0 messages per second one
// session takes from the local broker, beside two other subscribers
// reading the same stream from the same broker in the same run:
// mosquitto_sub, and MQTT.js's `mqtt sub` (MQTTX CLI is built on MQTT.js;
// both print each message). Each writes a line per message to a pipe that
// the benchmark counts. The broker runs in its own process, as `mqttdesk
// broker` does, so each client is measured alone. The publisher stays at
// most 1,000 messages ahead of the receiver, so none is measured against
// drops. Three rounds each; medians.
func BenchmarkSessionReceive(b *testing.B) {
	testnet.NeedPeer(b, "mosquitto_sub")
	mqttjsSub := testnet.MQTTJSBin(b, "mqtt_sub")
	defer debug.SetGCPercent(debug.SetGCPercent(mqttdeskGCPercent)) // sessions run so in mqttdesk
	broker := startBrokerProcess(b)
	messages := 200_000
	if os.Getenv("BENCH_QUICK") != "" {
		messages = 10_000
	}
	sc := mqttload.Scenario{Messages: messages, PayloadSize: 64, QoS: 0}
	port := strconv.Itoa(broker.port)
	peers := map[string][]string{
		"mosquitto_sub": {"mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-t", "mqttload/#"},
		"mqttjs_sub":    {"node", mqttjsSub, "-h", "127.0.0.1", "-p", port, "-t", "mqttload/#"},
	}
	rates := map[string][]float64{}
	for range b.N {
		for range 3 {
			rates["session"] = append(rates["session"], sessionRate(b, broker, sc))
			for name, args := range peers {
				rates[name] = append(rates[name], commandSubRate(b, broker, sc, args))
			}
		}
	}
	ours := median(rates["session"])
	b.ReportMetric(ours, "session_msg/s")
	fmt.Printf("\nsession receive, QoS 0, 64 B: mqttdesk session %.0f msg/s", ours)
	for name := range peers {
		theirs := median(rates[name])
		b.ReportMetric(theirs, name+"_msg/s")
		fmt.Printf(", %s %.0f msg/s (%.2fx)", name, theirs, ours/theirs)
	}
	fmt.Println()
}

func sessionRate(b *testing.B, broker *brokerProcess, sc mqttload.Scenario) float64 {
	port := broker.port
	waitSubscriptions(b, broker, 0) // the subscriber of the previous round has gone
	h := &countingHandler{}
	o := NewOptions("bench", SchemeMQTT, "127.0.0.1")
	o.Port = port
	s, err := NewSession(o, h)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	defer s.Disconnect(ctx)
	if _, err := s.Subscribe(ctx, Subscription{Filter: "mqttload/#"}); err != nil {
		b.Fatal(err)
	}
	sc.Consumers = []func() int64{h.n.Load}
	res, err := mqttload.Run("127.0.0.1:"+strconv.Itoa(port), sc, 2*time.Minute)
	if err != nil {
		b.Fatalf("session: %v", err)
	}
	return res.Rate(sc)
}

// commandSubRate runs a subscriber command that prints a line per message
// and measures the rate at which it takes the stream.
func commandSubRate(b *testing.B, broker *brokerProcess, sc mqttload.Scenario, args []string) float64 {
	waitSubscriptions(b, broker, 0) // the subscriber of the previous round has gone
	cmd := exec.Command(args[0], args[1:]...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var lines atomic.Int64
	go func() { // one line per message; counting is all we do with them
		buf := make([]byte, 256<<10)
		for {
			n, err := out.Read(buf)
			lines.Add(int64(bytes.Count(buf[:n], []byte{'\n'})))
			if err != nil {
				return
			}
		}
	}()
	waitSubscriptions(b, broker, 1)
	sc.Consumers = []func() int64{lines.Load}
	res, err := mqttload.Run("127.0.0.1:"+strconv.Itoa(broker.port), sc, 2*time.Minute)
	if err != nil {
		b.Fatalf("%s: %v", args[0], err)
	}
	return res.Rate(sc)
}

// waitSubscriptions waits until the broker holds n subscriptions.
func waitSubscriptions(b *testing.B, broker *brokerProcess, n int64) {
	deadline := time.Now().Add(10 * time.Second)
	for broker.subscriptions() != n {
		if time.Now().After(deadline) {
			b.Fatalf("broker holds %d subscriptions, want %d", broker.subscriptions(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
