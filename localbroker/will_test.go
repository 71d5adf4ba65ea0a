package localbroker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// willConnect is a CONNECT of id with a QoS 1 will on topic.
func willConnect(id, topic string, payload []byte, retain bool) packets.Packet {
	pk := connectPacket(id)
	pk.Connect.WillFlag, pk.Connect.WillTopic, pk.Connect.WillPayload = true, topic, payload
	pk.Connect.WillQos, pk.Connect.WillRetain = 1, retain
	return pk
}

// TestEmptyWillPayload: MQTT allows a will with no payload (3.1.3.4, as
// mosquitto does); it is accepted and sent as an empty message. A will
// with no topic stays refused.
func TestEmptyWillPayload(t *testing.T) {
	b := startBroker(t, testConfig())
	s := connected(t, b, "watcher")
	s.subscribe(packets.Properties{}, sub("status/#", 0))
	for _, tc := range []struct {
		version  byte
		topic    string
		payload  []byte
		accepted bool
	}{
		{4, "status/offline", nil, true},
		{5, "status/offline", nil, true},
		{4, "", []byte("x"), false},
		{5, "", []byte("x"), false},
	} {
		w := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, tc.version)
		w.send(willConnect("w", tc.topic, tc.payload, false))
		ack, err := w.read(5 * time.Second)
		if accepted := err == nil && ack.ReasonCode == 0; accepted != tc.accepted {
			t.Fatalf("MQTT %d, will %q of %d bytes: CONNACK 0x%02x (%v), want accepted %v", tc.version, tc.topic, len(tc.payload), ack.ReasonCode, err, tc.accepted)
		}
		_ = w.conn.Close()
		if !tc.accepted {
			continue
		}
		if got := s.expect(packets.Publish); got.TopicName != tc.topic || len(got.Payload) != 0 {
			t.Fatalf("MQTT %d: will %q with %d bytes", tc.version, got.TopicName, len(got.Payload))
		}
	}
}

const willACL = `user victim
topic read #
topic read $SYS/#
user mallory
topic write mallory/#
`

// TestWillCheckedLikeAPublish: a will is checked at CONNECT as a PUBLISH
// of its topic would be: no wildcards, not a $ topic, within the bounds,
// and allowed by the access list. mochi sent any will: a retained will on
// x/# reached every subscriber to # with a wildcard topic, for ever.
func TestWillCheckedLikeAPublish(t *testing.T) {
	path := filepath.Join(t.TempDir(), "acl")
	if err := os.WriteFile(path, []byte(willACL), 0o600); err != nil {
		t.Fatal(err)
	}
	var log logBuffer
	cfg := testConfig()
	cfg.ACLFile, cfg.Logger = path, logTo(&log)
	cfg.Users = []User{{Name: "victim", Password: "v"}, {Name: "mallory", Password: "m"}}
	b := startBroker(t, cfg)
	victim := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	victim.connect(withUser(connectPacket("victim"), "victim", "v"))
	victim.subscribe(packets.Properties{}, sub("#", 1), sub("$SYS/broker/version", 1))
	victim.expect(packets.Publish) // the real $SYS/broker/version
	const closed = 0xFF            // no CONNACK: the connection is closed
	for _, tc := range []struct {
		name   string
		topic  string
		v5, v3 byte // CONNACK reason
	}{
		{"a wildcard #", "x/#", 0x90, closed},
		{"a wildcard +", "x/+/y", 0x90, closed},
		{"$SYS", "$SYS/broker/version", 0x90, 0x05},
		{"another $ topic", "$share/g/t", 0x90, 0x05},
		{"3001 levels", strings.Repeat("a/", 3000), 0x90, closed},
		{"5000 bytes", strings.Repeat("a", 5000), 0x90, closed},
		{"denied by the access list", "secret/alarm", 0x87, 0x05},
		{"allowed", "mallory/status", 0x00, 0x00},
	} {
		for version, want := range map[byte]byte{5: tc.v5, 4: tc.v3} {
			w := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, version)
			w.send(withUser(willConnect("mallory", tc.topic, []byte("will"), true), "mallory", "m"))
			got := byte(closed)
			if ack, err := w.read(5 * time.Second); err == nil {
				got = ack.ReasonCode
			}
			if got != want {
				t.Errorf("%s, MQTT %d: CONNACK 0x%02x, want 0x%02x (0xFF: closed)", tc.name, version, got, want)
			}
			_ = w.conn.Close()
			if want == 0 {
				if pk := victim.expect(packets.Publish); pk.TopicName != tc.topic {
					t.Fatalf("the allowed will came on %q", pk.TopicName)
				}
			}
		}
	}
	victim.expectNothing(300 * time.Millisecond) // no refused will reached the victim
	if !log.contains("connection refused", "client=mallory", "will_topic=x/#") || !log.contains("the access list does not let it publish its will", "will_topic=secret/alarm") {
		t.Errorf("refusals not logged:\n%s", log.String())
	}
}

// withUser adds a username and password to a CONNECT.
func withUser(pk packets.Packet, name, pass string) packets.Packet {
	pk.Connect.Username, pk.Connect.UsernameFlag = []byte(name), true
	pk.Connect.Password, pk.Connect.PasswordFlag = []byte(pass), true
	return pk
}
