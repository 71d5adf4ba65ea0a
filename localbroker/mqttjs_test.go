package localbroker

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// mqttjsDir holds MQTT.js, the library MQTTX is built on, pinned in its
// package-lock.json; `make test` installs it with npm ci.
const mqttjsDir = "testdata/mqttjs"

func needMQTTjs(t *testing.T) {
	t.Helper()
	_, nodeErr := exec.LookPath("node")
	_, modErr := os.Stat(filepath.Join(mqttjsDir, "node_modules", "mqtt"))
	if nodeErr == nil && modErr == nil {
		return
	}
	if os.Getenv("MQTTDESK_REQUIRE_PEERS") != "" {
		t.Fatalf("MQTT.js not installed: make test runs npm ci --prefix localbroker/%s", mqttjsDir)
	}
	t.Skip("MQTT.js not installed; make test installs it")
}

type mqttjsMessage struct {
	Topic   string            `json:"topic"`
	Payload string            `json:"payload"`
	QoS     int               `json:"qos"`
	User    map[string]string `json:"user"`
}

// mqttjsRoundTrip has MQTT.js subscribe, publish and receive one message
// through url.
func mqttjsRoundTrip(t *testing.T, url, caFile string) mqttjsMessage {
	t.Helper()
	args := []string{filepath.Join(mqttjsDir, "roundtrip.mjs"), url, "mqttjs/roundtrip"}
	if caFile != "" {
		args = append(args, caFile)
	}
	out, err := exec.Command("node", args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("MQTT.js via %s: %v\n%s", url, err, stderr)
	}
	var m mqttjsMessage
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("MQTT.js output %q: %v", out, err)
	}
	return m
}

func checkMQTTjsMessage(t *testing.T, via string, m mqttjsMessage) {
	t.Helper()
	if m.Topic != "mqttjs/roundtrip" || m.Payload != "from mqtt.js" || m.QoS != 1 || m.User["tool"] != "mqttjs" {
		t.Errorf("via %s: %+v", via, m)
	}
}

func TestMQTTjsOverWebSocket(t *testing.T) {
	needMQTTjs(t)
	b := startBroker(t, testConfig())
	url := b.mustEndpoint(t, "ws").URL
	checkMQTTjsMessage(t, url, mqttjsRoundTrip(t, url, ""))
}

func TestMQTTjsOverSecureWebSocket(t *testing.T) {
	needMQTTjs(t)
	b := startBroker(t, Config{TLS: true, TLSAddr: "127.0.0.1:0", WSSAddr: "127.0.0.1:0", CADir: t.TempDir()})
	pem, err := b.CACertPEM()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem, 0o644); err != nil {
		t.Fatal(err)
	}
	e := b.mustEndpoint(t, "wss")
	url := "wss://localhost:" + strconv.Itoa(e.Port) + "/mqtt" // the certificate names localhost
	checkMQTTjsMessage(t, url, mqttjsRoundTrip(t, url, caFile))
}
