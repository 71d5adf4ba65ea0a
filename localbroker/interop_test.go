package localbroker

import (
	"bytes"
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
	"github.com/mqttdesk/mqttdesk/internal/testkit/testpki"
)

// These tests drive the broker with Debian's mosquitto_pub and
// mosquitto_sub, an MQTT implementation that shares no code with ours.

// mosquittoSub runs mosquitto_sub until it has printed count messages and
// returns its output. It returns once the broker has registered its
// subscriptions, so that publishing may start.
type subProcess struct {
	cmd    *exec.Cmd
	out    *bytes.Buffer
	exited chan struct{} // closed when the process has ended
	err    error
}

// subCount numbers mosquitto_sub client IDs within the test binary.
var subCount int

func mosquittoSub(t *testing.T, b *Broker, count int, args ...string) *subProcess {
	t.Helper()
	testnet.NeedPeer(t, "mosquitto_sub")
	subCount++
	id := "mosquitto-sub-" + strconv.Itoa(subCount)
	port := strconv.Itoa(b.mustEndpoint(t, "mqtt").Port)
	full := append([]string{"-h", "127.0.0.1", "-p", port, "-i", id, "-C", strconv.Itoa(count), "-W", "20"}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, "mosquitto_sub", full...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &subProcess{cmd: cmd, out: &out, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	filters := strings.Count(strings.Join(args, " "), "-t ")
	waitFor(t, "mosquitto_sub to subscribe", func() bool {
		return b.subscriptions(id) >= filters || p.ended()
	})
	return p
}

// wait returns the output once the process has ended.
func (p *subProcess) wait(t *testing.T) string {
	t.Helper()
	<-p.exited
	if p.err != nil {
		t.Fatalf("mosquitto_sub: %v\n%s", p.err, p.out)
	}
	return p.out.String()
}

func (p *subProcess) ended() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

func mosquittoPub(t *testing.T, b *Broker, args ...string) {
	t.Helper()
	testnet.NeedPeer(t, "mosquitto_pub")
	port := strconv.Itoa(b.mustEndpoint(t, "mqtt").Port)
	out, err := exec.Command("mosquitto_pub", append([]string{"-h", "127.0.0.1", "-p", port}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("mosquitto_pub %v: %v\n%s", args, err, out)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestMosquittoQoSLevels(t *testing.T) {
	b := startBroker(t, testConfig())
	for _, version := range []string{"mqttv311", "mqttv5"} {
		sub := mosquittoSub(t, b, 3, "-V", version, "-q", "2", "-t", "qos/#", "-F", "%t %q %p")
		for qos := range 3 {
			q := strconv.Itoa(qos)
			mosquittoPub(t, b, "-V", version, "-q", q, "-t", "qos/"+q, "-m", "at qos "+q)
		}
		want := "qos/0 0 at qos 0\nqos/1 1 at qos 1\nqos/2 2 at qos 2\n"
		if got := sub.wait(t); got != want {
			t.Errorf("%s: got\n%s\nwant\n%s", version, got, want)
		}
	}
}

func TestMosquittoRetained(t *testing.T) {
	b := startBroker(t, testConfig())
	mosquittoPub(t, b, "-r", "-q", "1", "-t", "status/lamp", "-m", "on")
	sub := mosquittoSub(t, b, 1, "-t", "status/+", "-F", "%t %r %p")
	if got := sub.wait(t); got != "status/lamp 1 on\n" {
		t.Fatalf("retained: %q", got)
	}
}

func TestMosquittoWildcards(t *testing.T) {
	b := startBroker(t, testConfig())
	plus := mosquittoSub(t, b, 2, "-t", "home/+/temp", "-F", "%t")
	hash := mosquittoSub(t, b, 3, "-t", "home/#", "-F", "%t")
	for _, topic := range []string{"home/kitchen/temp", "home/kitchen/humidity", "office/desk/temp", "home/hall/temp"} {
		mosquittoPub(t, b, "-t", topic, "-m", "1")
	}
	if got := plus.wait(t); got != "home/kitchen/temp\nhome/hall/temp\n" {
		t.Errorf("home/+/temp got %q", got)
	}
	if got := hash.wait(t); got != "home/kitchen/temp\nhome/kitchen/humidity\nhome/hall/temp\n" {
		t.Errorf("home/# got %q", got)
	}
}

func TestMosquittoWill(t *testing.T) {
	b := startBroker(t, testConfig())
	watcher := mosquittoSub(t, b, 1, "-t", "devices/+/status", "-F", "%t %p")

	port := strconv.Itoa(b.mustEndpoint(t, "mqtt").Port)
	device := exec.Command("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-i", "sensor-7", "-t", "unused",
		"--will-topic", "devices/sensor-7/status", "--will-payload", "offline")
	if err := device.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the device to connect", func() bool { return b.Stats().ClientsConnected >= 2 })
	_ = device.Process.Kill() // an abrupt end: the broker must send the will
	_ = device.Wait()
	if got := watcher.wait(t); got != "devices/sensor-7/status offline\n" {
		t.Fatalf("will: %q", got)
	}
}

func TestMosquittoUserProperties(t *testing.T) {
	b := startBroker(t, testConfig())
	plain := mosquittoSub(t, b, 1, "-V", "mqttv5", "-t", "props", "-F", "%P %p")
	// What autopaho sends: session expiry with Request Problem Information 0.
	strict := mosquittoSub(t, b, 1, "-V", "mqttv5", "-t", "props", "-F", "%P %p",
		"-D", "connect", "request-problem-information", "0", "-D", "connect", "session-expiry-interval", "60")
	mosquittoPub(t, b, "-V", "mqttv5", "-t", "props", "-m", "reading",
		"-D", "publish", "user-property", "unit", "celsius", "-D", "publish", "user-property", "room", "lab")
	for name, sub := range map[string]*subProcess{"default": plain, "request-problem-information 0": strict} {
		if got := sub.wait(t); got != "unit:celsius room:lab reading\n" {
			t.Errorf("%s subscriber got %q", name, got)
		}
	}
}

func TestMosquittoOverTLS(t *testing.T) {
	testnet.NeedPeer(t, "mosquitto_pub")
	cfg := Config{TCPAddr: "127.0.0.1:0", TLS: true, TLSAddr: "127.0.0.1:0", WSSAddr: "127.0.0.1:0", CADir: t.TempDir()}
	b := startBroker(t, cfg)
	caFile := testpki.CAFile(t, b)
	sub := mosquittoSub(t, b, 1, "-t", "secure", "-F", "%p")
	tlsPort := strconv.Itoa(b.mustEndpoint(t, "mqtts").Port)
	out, err := exec.Command("mosquitto_pub", "-h", "localhost", "-p", tlsPort, "--cafile", caFile,
		"-t", "secure", "-m", "verified").CombinedOutput()
	if err != nil {
		t.Fatalf("mosquitto_pub over TLS with the exported CA: %v\n%s", err, out)
	}
	if got := sub.wait(t); got != "verified\n" {
		t.Fatalf("got %q", got)
	}
}
