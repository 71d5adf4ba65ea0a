package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// readOnlyChildEnv makes the test binary open the app on a directory and
// print the user's sentence for the outcome.
const readOnlyChildEnv = "MQTTDESK_READONLY_CHILD"

func runReadOnlyChild() {
	a, err := Open(Config{DataDir: os.Getenv(readOnlyChildEnv)})
	if err != nil {
		os.Stdout.WriteString(UserMessage(err))
		os.Exit(3)
	}
	_ = a.Close()
	os.Exit(0)
}

// TestReadOnlyDataDirectory opens the app on a directory it cannot write:
// it must refuse with a sentence that says what to do. Root may write
// anywhere, so as root the test runs the app as the user nobody.
func TestReadOnlyDataDirectory(t *testing.T) {
	base, err := os.MkdirTemp("", "mqttdesk-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(filepath.Join(base, "data"), 0o755); _ = os.RemoveAll(base) })
	dir := filepath.Join(base, "data")
	if err := os.Mkdir(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(base, 0o755)
	bin := filepath.Join(base, "app.test")
	copyExecutable(t, os.Args[0], bin)

	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), readOnlyChildEnv+"="+dir, "HOME="+base)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	out, err := cmd.Output()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 3 {
		t.Fatalf("app on a read-only directory: %v (%s)", err, out)
	}
	msg := string(out)
	t.Logf("%s", msg)
	if !strings.HasPrefix(msg, "mqttdesk cannot write to its data directory") || !strings.Contains(msg, "--data-dir") {
		t.Fatalf("sentence %q", msg)
	}
}

func copyExecutable(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
}
