package app

import (
	"os"
	"testing"

	"github.com/mqttdesk/mqttdesk/internal/testkit/brokerproc"
)

// TestMain lets a test run this binary as a broker, or as the app on a
// read-only directory.
func TestMain(m *testing.M) {
	os.Setenv("MQTTDESK_KEYRING", "off") // tests never touch the user's keyring
	if os.Getenv(readOnlyChildEnv) != "" {
		runReadOnlyChild()
	}
	brokerproc.ServeIfChild()
	TuneRuntime() // as main does
	os.Exit(m.Run())
}
