package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/mqttdesk/mqttdesk/app"
)

// localBrokerURL starts the local broker and returns it with its URL.
func localBrokerURL(t *testing.T) (*app.App, string) {
	t.Helper()
	a := openApp(t, t.TempDir())
	s := testSettings(t)
	if err := a.SaveBrokerSettings(s); err != nil {
		t.Fatal(err)
	}
	if _, err := a.StartLocalBroker(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, fmt.Sprintf("mqtt://127.0.0.1:%d", s.TCPPort)
}

func runBenchJSON(t *testing.T, args ...string) benchSummary {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := RunBenchCommand(append(args, "--json"), &out, &errOut); code != 0 {
		t.Fatalf("bench %v: exit %d\n%s", args, code, errOut.String())
	}
	var s benchSummary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("bench %v printed %q: %v", args, out.String(), err)
	}
	return s
}

func TestBenchPublishesWhatSubscribersReceive(t *testing.T) {
	a, url := localBrokerURL(t)
	var sub benchSummary
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sub = runBenchJSON(t, "sub", "-url", url, "-c", "2", "-t", "load/#", "-q", "1", "-L", "6000", "-d", "30s")
	}()
	waitUntil(t, "the subscriptions", func() bool { return a.LocalBroker().Subscriptions >= 2 })
	pub := runBenchJSON(t, "pub", "-url", url, "-c", "3", "-t", "load/%c/%i", "-q", "1", "-L", "1000", "-s", "32")
	wg.Wait()
	if pub.Sent != 3000 || pub.Connected != 3 || pub.ErrorCount != 0 || pub.Latency == nil {
		t.Fatalf("pub summary %+v", pub)
	}
	if sub.Received != 6000 || sub.Latency == nil || sub.Latency.P50 <= 0 || sub.Latency.Max < sub.Latency.P99 {
		t.Fatalf("sub summary %+v (latency %+v)", sub, sub.Latency)
	}
}

func TestBenchConnReportsConnectTimes(t *testing.T) {
	_, url := localBrokerURL(t)
	s := runBenchJSON(t, "conn", "-url", url, "-c", "50", "-d", "1s", "-V", "3.1.1")
	if s.Connected != 50 || s.ConnectMs == nil || s.ErrorCount != 0 {
		t.Fatalf("conn summary %+v", s)
	}
}

func TestBenchCountsRefusedConnections(t *testing.T) {
	_, url := localBrokerURL(t)
	var out, errOut bytes.Buffer
	code := RunBenchCommand([]string{"conn", "-url", strings.Replace(url, "mqtt://", "ws://", 1), "-d", "1s"}, &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "0 of 1 clients connected") || !strings.Contains(out.String(), "1 ×") {
		t.Fatalf("exit %d, summary %q", code, out.String())
	}
}

func TestBenchBadFlagsSayWhatIsWrong(t *testing.T) {
	for args, want := range map[string]string{
		"":                        "say pub, sub or conn",
		"pub -q 3":                "-q must be 0, 1 or 2",
		"pub -c 0":                "-c must be at least 1",
		"sub -t a/#/b":            "-t:",
		"pub -url nonsense":       "is not a URL",
		"pub -V 4.0":              "is not 5 or 3.1.1",
		"pub -f /no/such/payload": "-f:",
		"pub -bogus":              "flag provided but not defined",
	} {
		var out, errOut bytes.Buffer
		code := RunBenchCommand(strings.Fields(args), &out, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), want) {
			t.Errorf("bench %s: exit %d, said %q; want %q", args, code, errOut.String(), want)
		}
	}
}

func TestBenchStopsOnCtrlCWithTheSummarySoFar(t *testing.T) {
	a, url := localBrokerURL(t)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "MQTTDESK_RUN_BENCH=sub -url "+url+" -c 3 -t ctrlc/#")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	waitUntil(t, "the subscriptions", func() bool { return a.LocalBroker().Subscriptions >= 3 })
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "3 of 3 clients connected") {
		t.Fatalf("summary after Ctrl+C: %q", out.String())
	}
}
