// Package testnet helps tests that need loopback network resources. Tests
// of any mqttdesk package may import it; it imports none of them.
package testnet

import (
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// FreePort returns a loopback TCP port that was free a moment ago, for
// settings where port 0 means "off" rather than "any free port". It picks
// from 20000-29999, below the kernel's ephemeral range (32768 and up on
// Linux), so that a test elsewhere binding port 0 cannot be handed the same
// port before the caller uses it.
func FreePort(t testing.TB) int {
	t.Helper()
	for range 200 {
		port := 20000 + rand.IntN(10000)
		if !handOut(port) {
			continue // given to another test of this process, which may not have bound it yet
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			_ = l.Close()
			return port
		}
	}
	t.Fatal("no free port between 20000 and 29999")
	return 0
}

var (
	handedMu sync.Mutex
	handed   = map[int]bool{}
)

// handOut reports whether port was never returned by FreePort in this
// process, and marks it as returned.
func handOut(port int) bool {
	handedMu.Lock()
	defer handedMu.Unlock()
	if handed[port] {
		return false
	}
	handed[port] = true
	return true
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

// MQTTJSBin returns the path of a command of MQTT.js (mqtt, mqtt_pub or
// mqtt_sub), the library MQTTX is built on, as `make test` installs it
// with npm ci in localbroker/testdata/mqttjs. Without it the test is
// skipped, or fails when MQTTDESK_REQUIRE_PEERS is set.
func MQTTJSBin(t testing.TB, name string) string {
	t.Helper()
	NeedPeer(t, "node")
	_, self, _, _ := runtime.Caller(0)
	bin := filepath.Join(filepath.Dir(self), "..", "..", "..", "localbroker", "testdata", "mqttjs", "node_modules", ".bin", name)
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("MQTTDESK_REQUIRE_PEERS") != "" {
			t.Fatalf("MQTT.js not installed (%v); make test installs it", err)
		}
		t.Skipf("MQTT.js not installed (%v); make test installs it", err)
	}
	return bin
}
