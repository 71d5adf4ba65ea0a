package localbroker

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mqttdesk/mqttdesk/internal/testkit/testpki"
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
	args := []string{url, "mqttjs/roundtrip"}
	if caFile != "" {
		args = append(args, caFile)
	}
	out := runMQTTjs(t, "roundtrip.mjs", args...)
	var m mqttjsMessage
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("MQTT.js output %q: %v", out, err)
	}
	return m
}

// runMQTTjs runs script from mqttjsDir with args and returns its standard
// output, failing the test when it exits with an error.
func runMQTTjs(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command("node", append([]string{filepath.Join(mqttjsDir, script)}, args...)...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("MQTT.js %s %v: %v\n%s", script, args, err, stderr)
	}
	return out
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
	caFile := testpki.CAFile(t, b)
	e := b.mustEndpoint(t, "wss")
	url := "wss://localhost:" + strconv.Itoa(e.Port) + "/mqtt" // the certificate names localhost
	checkMQTTjsMessage(t, url, mqttjsRoundTrip(t, url, caFile))
}

// mqttjsPublish is one publish reported by publish.mjs.
type mqttjsPublish struct {
	QoS   int     `json:"qos"`
	User  bool    `json:"user"`
	Error *string `json:"error"`
}

// TestMQTTjsPublishesComplete has MQTT.js 5 publish QoS 1 and 2 over MQTT
// 5, with and without user properties, over TCP and WebSocket: each must
// complete. MQTT.js fails a publish whose PUBACK or PUBREC carries a
// reason code other than 0x00 or 0x10.
func TestMQTTjsPublishesComplete(t *testing.T) {
	needMQTTjs(t)
	b := startBroker(t, testConfig())
	for _, scheme := range []string{"mqtt", "ws"} {
		url := b.mustEndpoint(t, scheme).URL
		out := runMQTTjs(t, "publish.mjs", url, "mqttjs/publish")
		var n int
		for line := range bytes.Lines(out) {
			var p mqttjsPublish
			if err := json.Unmarshal(line, &p); err != nil {
				t.Fatalf("%s: output line %q: %v", url, line, err)
			}
			n++
			if p.Error != nil {
				t.Errorf("%s: QoS %d publish (user properties: %v) failed: %s", url, p.QoS, p.User, *p.Error)
			}
		}
		if n != 4 {
			t.Errorf("%s: %d publishes reported, want 4:\n%s", url, n, out)
		}
	}
}
