package cli

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/app"
)

// TestMain lets a test run this binary as `mqttdesk broker`.
func TestMain(m *testing.M) {
	os.Setenv("MQTTDESK_KEYRING", "off") // tests never touch the user's keyring
	if args := os.Getenv("MQTTDESK_RUN_BROKER"); args != "" {
		os.Exit(runBrokerForTest(args))
	}
	if args := os.Getenv("MQTTDESK_RUN_BENCH"); args != "" {
		os.Exit(RunBenchCommand(strings.Fields(args), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// runBrokerForTest runs `mqttdesk broker args`, with a CPU profile when
// MQTTDESK_BROKER_CPUPROFILE names a file (to see where the broker's time
// goes under the benchmark).
func runBrokerForTest(args string) int {
	if path := os.Getenv("MQTTDESK_BROKER_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	app.TuneRuntime() // as main does
	return RunBrokerCommand(strings.Fields(args), os.Stdout, os.Stderr, os.Getenv("MQTTDESK_DATA"))
}

func brokerProcess(t *testing.T, args string) (*exec.Cmd, *bufio.Reader, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "MQTTDESK_RUN_BROKER="+args, "MQTTDESK_DATA="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, bufio.NewReader(stdout), &stderr
}

func TestBrokerCommandStopsCleanlyOnSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		cmd, out, stderr := brokerProcess(t, "--tcp 127.0.0.1:0 --ws 127.0.0.1:0")
		head := readUntil(t, out, "anonymous clients accepted")
		if !strings.Contains(head, "mqtt://127.0.0.1:") || !strings.Contains(head, "ws://127.0.0.1:") || !strings.Contains(head, "/mqtt") {
			t.Fatalf("addresses not printed:\n%s", head)
		}
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		rest, _ := io.ReadAll(out)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v: exit %v\nstderr: %s", sig, err, stderr)
		}
		if !strings.Contains(string(rest), "stopped") {
			t.Fatalf("%v: output after the signal %q", sig, rest)
		}
	}
}

func TestBrokerCommandPortInUse(t *testing.T) {
	first, out, _ := brokerProcess(t, "--tcp 127.0.0.1:0 --ws off")
	head := readUntil(t, out, "anonymous clients accepted")
	addr := strings.TrimPrefix(strings.Fields(strings.Split(head, "\n")[1])[0], "mqtt://")
	second := exec.Command(os.Args[0])
	second.Env = append(os.Environ(), "MQTTDESK_RUN_BROKER=--tcp "+addr+" --ws off", "MQTTDESK_DATA="+t.TempDir())
	msg, err := second.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
		t.Fatalf("second broker on %s: %v", addr, err)
	}
	port := addr[strings.LastIndex(addr, ":")+1:]
	if !strings.Contains(string(msg), "Port "+port+" is in use; stop the other broker or choose another port.") {
		t.Fatalf("message %q", msg)
	}
	_ = first.Process.Signal(syscall.SIGTERM)
}

func TestBrokerCommandFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := RunBrokerCommand([]string{"--help"}, &out, &errOut, t.TempDir()); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, flag := range []string{
		"-tcp", "-ws", "-ws-path", "-tls", "-user", "-persist", "-export-ca", "-ca-dir",
		"-password-file", "-acl", "-max-packet-size", "-max-queue", "-max-keepalive", "-max-topic-levels", "-max-topic-length",
		"/proc/PID/cmdline", BrokerUsersEnv, "To keep it\nprivate", "refused logins",
	} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("--help does not explain %s", flag)
		}
	}
	errOut.Reset()
	if code := RunBrokerCommand([]string{"--max-packet-size", "300MiB"}, &out, &errOut, t.TempDir()); code != 2 {
		t.Fatalf("bad --max-packet-size exit %d", code)
	}
	if !strings.Contains(errOut.String(), "from 1 byte to 268435455 bytes") {
		t.Fatalf("bad --max-packet-size message %q", errOut.String())
	}
	errOut.Reset()
	if code := RunBrokerCommand([]string{"--user", "nopassword"}, &out, &errOut, t.TempDir()); code != 2 {
		t.Fatalf("bad --user exit %d", code)
	}
	if !strings.Contains(errOut.String(), "use NAME:PASSWORD") {
		t.Fatalf("bad --user message %q", errOut.String())
	}
	errOut.Reset()
	if code := RunBrokerCommand([]string{"--tcp", "1883"}, &out, &errOut, t.TempDir()); code != 1 {
		t.Fatalf("bad address exit %d", code)
	}
	if !strings.Contains(errOut.String(), "use host:port") {
		t.Fatalf("bad address message %q", errOut.String())
	}
}

func readUntil(t *testing.T, r *bufio.Reader, marker string) string {
	t.Helper()
	var got strings.Builder
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		line, err := r.ReadString('\n')
		got.WriteString(line)
		if strings.Contains(line, marker) {
			return got.String()
		}
		if err != nil {
			break
		}
	}
	t.Fatalf("%q never printed; got:\n%s", marker, got.String())
	return ""
}
