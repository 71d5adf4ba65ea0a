// Package testnet helps tests that need loopback network resources. Tests
// of any mqttdesk package may import it; it imports none of them.
package testnet

import (
	"net"
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
