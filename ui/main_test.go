package ui

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	os.Setenv("MQTTDESK_KEYRING", "off") // tests never touch the user's keyring
	os.Exit(m.Run())
}
