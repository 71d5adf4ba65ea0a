// Package testnet helps tests that need loopback network resources. Tests
// of any mqttdesk package may import it; it imports none of them.
package testnet

import (
	"net"
	"os"
	"os/exec"
	"testing"
)

// FreePort returns a loopback TCP port that was free a moment ago, for
// settings where port 0 means "off" rather than "any free port".
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// NeedPeer skips the test when the command tool (a peer such as
// mosquitto) is not installed, unless MQTTDESK_REQUIRE_PEERS is set, as
// make test sets it: then a missing peer fails the test.
func NeedPeer(t testing.TB, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("MQTTDESK_REQUIRE_PEERS") != "" {
			t.Fatalf("%s not installed; make test installs it", tool)
		}
		t.Skipf("%s not installed; make test installs it", tool)
	}
}
