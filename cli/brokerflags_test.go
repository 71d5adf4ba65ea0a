package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
	"github.com/mqttdesk/mqttdesk/localbroker"
)

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1048576", 1 << 20, true},
		{"64KiB", 64 << 10, true},
		{"64k", 64 << 10, true},
		{"32MiB", 32 << 20, true},
		{"32 M", 32 << 20, true},
		{"1GiB", 1 << 30, true},
		{"10B", 10, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5MiB", 0, false},
		{"12TB", 0, false},
		{"9999999999999GiB", 0, false},
	}
	for _, tc := range cases {
		got, err := parseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v", tc.in, got, err)
		}
	}
	for n, want := range map[int64]string{32 << 20: "32MiB", 64 << 10: "64KiB", 1000: "1000 bytes", 1 << 30: "1GiB"} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestBrokerUsersFromFileAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "users")
	if err := os.WriteFile(good, []byte("# the team\nalice:s3cret\n\nbob:pa:ss\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(BrokerUsersEnv, "carol:x")
	var out bytes.Buffer
	cfg, _, _, err := brokerFlags([]string{"--user", "dave:y", "--password-file", good}, &out, &out, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []localbroker.User{{Name: "dave", Password: "y"}, {Name: "alice", Password: "s3cret"}, {Name: "bob", Password: "pa:ss"}, {Name: "carol", Password: "x"}}
	if fmt.Sprint(cfg.Users) != fmt.Sprint(want) {
		t.Errorf("users %v, want %v", cfg.Users, want)
	}

	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("alice:s3cret\nnopassword-here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := RunBrokerCommand([]string{"--password-file", bad}, &out, &out, dir); code != 2 {
		t.Fatalf("bad password file: exit %d", code)
	}
	if msg := out.String(); !strings.Contains(msg, "password file "+bad+", line 2: use NAME:PASSWORD") || strings.Contains(msg, "nopassword") {
		t.Errorf("message %q", msg)
	}
	t.Setenv(BrokerUsersEnv, "broken")
	if _, err := usersFromFileAndEnv(""); err == nil || !strings.Contains(err.Error(), BrokerUsersEnv+", line 1") {
		t.Errorf("bad environment: %v", err)
	}
}

// lockedBuffer is a bytes.Buffer a process writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestBrokerCommandLogsRefusalsAndDrops runs `mqttdesk broker` with its
// users in a file: the password is not in its command line, a wrong one
// is logged, a subscriber that stops reading loses messages to a small
// queue and the log says so, and the summary on stopping counts both.
func TestBrokerCommandLogsRefusalsAndDrops(t *testing.T) {
	testnet.NeedPeer(t, "mosquitto_pub")
	testnet.NeedPeer(t, "mosquitto_sub")
	users := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(users, []byte("alice:s3cret-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(testnet.FreePort(t))
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "MQTTDESK_RUN_BROKER=--tcp 127.0.0.1:"+port+" --ws off --max-queue 64KiB --password-file "+users, "MQTTDESK_DATA="+t.TempDir())
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitUntil(t, "the broker to start", func() bool { return strings.Contains(stdout.String(), "limits:") })
	if !strings.Contains(stdout.String(), "1 user(s); anonymous clients refused") || !strings.Contains(stdout.String(), "64KiB held per client") {
		t.Errorf("start-up:\n%s", stdout.String())
	}
	if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", cmd.Process.Pid)); err != nil || bytes.Contains(cmdline, []byte("s3cret-pw")) {
		t.Errorf("command line %q (%v)", cmdline, err)
	}

	pub := func(args ...string) ([]byte, error) {
		return exec.Command("mosquitto_pub", append([]string{"-h", "127.0.0.1", "-p", port}, args...)...).CombinedOutput()
	}
	if out, err := pub("-u", "alice", "-P", "wrong", "-t", "x", "-m", "x"); err == nil {
		t.Fatalf("wrong password accepted: %s", out)
	}
	waitUntil(t, "the refusal in the log", func() bool {
		return strings.Contains(stderr.String(), `msg="connection refused"`) && strings.Contains(stderr.String(), `reason="wrong password for user alice"`)
	})

	sub := exec.Command("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-u", "alice", "-P", "s3cret-pw", "-i", "stalled", "-t", "flood")
	if err := sub.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Process.Kill(); _ = sub.Wait() })
	time.Sleep(300 * time.Millisecond) // subscribed (-d would tell, but its output is not read)
	if err := sub.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sub.Process.Signal(syscall.SIGCONT) }()
	line := strings.Repeat("x", 1000) + "\n"
	flood := exec.Command("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-u", "alice", "-P", "s3cret-pw", "-t", "flood", "-l")
	flood.Stdin = strings.NewReader(strings.Repeat(line, 20000))
	if out, err := flood.CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_pub: %v\n%s", err, out)
	}
	waitUntil(t, "the drops in the log", func() bool {
		return strings.Contains(stderr.String(), "messages dropped: more is held for the client than the queue bound") && strings.Contains(stderr.String(), "client=stalled")
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := cmd.Wait(); err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	if out := stdout.String(); !strings.Contains(out, "messages dropped, 1 connection refused, 0 requests denied by the access list)") {
		t.Errorf("summary:\n%s\nstderr:\n%s", out, stderr.String())
	}
}
