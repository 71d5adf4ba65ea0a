package mqttcore

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
	"github.com/mqttdesk/mqttdesk/internal/testkit/testpki"
	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// useLoopbackDNS makes host lookups ask a DNS server on loopback that
// knows no name, so that no query leaves the machine.
func useLoopbackDNS(t *testing.T) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			reply := append([]byte(nil), buf[:n]...)
			binary.BigEndian.PutUint16(reply[2:], 0x8183) // response, NXDOMAIN
			binary.BigEndian.PutUint32(reply[6:], 0)      // no answer, authority
			binary.BigEndian.PutUint16(reply[10:], 0)     // or additional records
			_, _ = pc.WriteTo(reply, from)
		}
	}()
	prev := resolver
	resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
	t.Cleanup(func() { resolver = prev; _ = pc.Close() })
}

// fakeBroker accepts connections, reads what the client sends and answers
// with reply (nil: never answers).
func fakeBroker(t *testing.T, reply []byte) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 256)
				_, _ = c.Read(buf)
				if reply != nil {
					_, _ = c.Write(reply)
				}
				_, _ = io.Copy(io.Discard, c) // until the client gives up
			}()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })
	return ln.Addr().(*net.TCPAddr).Port
}

type errorCase struct {
	name  string
	opts  func(t *testing.T) mqtt.Options
	kind  ErrorKind
	words []string
}

func TestConnectErrorsInPlainWords(t *testing.T) {
	useLoopbackDNS(t)
	local := startLocal(t, localbroker.Config{Users: []localbroker.User{{Name: "dev", Password: "right"}}})
	closedPort := testnet.FreePort(t)
	cases := []errorCase{
		{"name not found", func(t *testing.T) mqtt.Options {
			return testOptions(mqtt.SchemeMQTT, "no-such-broker.mqttdesk.test", 1883, mqtt.MQTT5)
		}, ErrNameNotFound, []string{`The name "no-such-broker.mqttdesk.test" was not found`}},
		{"connection refused", func(t *testing.T) mqtt.Options {
			return testOptions(mqtt.SchemeMQTT, "127.0.0.1", closedPort, mqtt.MQTT5)
		}, ErrConnectionRefused, []string{"Nothing accepted the connection at 127.0.0.1:", "check the port"}},
		{"timeout", func(t *testing.T) mqtt.Options {
			o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", fakeBroker(t, nil), mqtt.MQTT311)
			o.ConnectTimeout = 1
			return o
		}, ErrTimeout, []string{"No answer from 127.0.0.1:", "within 1s"}},
		{"unknown authority", func(t *testing.T) mqtt.Options {
			return testOptions(mqtt.SchemeMQTTS, "localhost", local.port(t, mqtt.SchemeMQTTS), mqtt.MQTT5)
		}, ErrTLSUnknownAuthority, []string{`"mqttdesk local broker", issued by "mqttdesk local CA"`, "choose the broker's CA file"}},
		{"bad password 5.0", func(t *testing.T) mqtt.Options {
			o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", local.port(t, mqtt.SchemeMQTT), mqtt.MQTT5)
			o.Username, o.Password = "dev", "wrong"
			return o
		}, ErrBadCredentials, []string{"refused the username or password"}},
		{"bad password 3.1.1", func(t *testing.T) mqtt.Options {
			o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", local.port(t, mqtt.SchemeMQTT), mqtt.MQTT311)
			o.Username, o.Password = "dev", "wrong"
			return o
		}, ErrNotAuthorized, []string{"not authorized; check the username and password"}},
		{"3.1.1 refused as a version", func(t *testing.T) mqtt.Options {
			return testOptions(mqtt.SchemeMQTT, "127.0.0.1", fakeBroker(t, []byte{0x20, 2, 0, 1}), mqtt.MQTT311)
		}, ErrProtocolVersion, []string{"does not speak MQTT 3.1.1; switch this connection to MQTT 5.0"}},
		{"5.0 refused as a version", func(t *testing.T) mqtt.Options {
			return testOptions(mqtt.SchemeMQTT, "127.0.0.1", fakeBroker(t, []byte{0x20, 3, 0, 0x84, 0}), mqtt.MQTT5)
		}, ErrProtocolVersion, []string{"does not speak MQTT 5.0; switch this connection to MQTT 3.1.1"}},
		{"5.0 to a 3.1.1-only broker", func(t *testing.T) mqtt.Options {
			return testOptions(mqtt.SchemeMQTT, "127.0.0.1", fakeBroker(t, []byte{0x20, 2, 0, 1}), mqtt.MQTT5)
		}, ErrProtocolVersion, []string{"does not speak MQTT 5.0; switch this connection to MQTT 3.1.1"}},
		{"missing CA file", func(t *testing.T) mqtt.Options {
			o := testOptions(mqtt.SchemeMQTTS, "localhost", local.port(t, mqtt.SchemeMQTTS), mqtt.MQTT5)
			o.TLS.CAFile = filepath.Join(t.TempDir(), "gone.pem")
			return o
		}, ErrConfig, []string{"gone.pem does not exist; choose it again in the TLS settings"}},
	}
	cases = append(cases, mosquittoErrorCases(t)...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := connectErr(t, tc.opts(t))
			t.Logf("%s", e.Sentence)
			if e.Kind != tc.kind {
				t.Errorf("kind %d, want %d: %s (%v)", e.Kind, tc.kind, e.Sentence, e.Err)
			}
			for _, w := range tc.words {
				if !strings.Contains(e.Sentence, w) {
					t.Errorf("sentence %q lacks %q", e.Sentence, w)
				}
			}
			if !strings.HasSuffix(e.Sentence, ".") || strings.Count(e.Sentence, ". ") > 0 {
				t.Errorf("not one sentence: %q", e.Sentence)
			}
		})
	}
}

func mosquittoErrorCases(t *testing.T) []errorCase {
	testnet.NeedPeer(t, "mosquitto")
	wrongName := startMosquitto(t, mosquittoConfig{serverLeaf: func(ca *testpki.CA) *testpki.Leaf {
		return ca.Issue(testpki.LeafOptions{Name: "broker.test", DNS: []string{"broker.test", "mqtt.broker.test"}})
	}})
	expired := startMosquitto(t, mosquittoConfig{serverLeaf: func(ca *testpki.CA) *testpki.Leaf {
		return ca.Issue(testpki.LeafOptions{Name: "localhost", DNS: []string{"localhost"}, Expired: true})
	}})
	closed := startMosquitto(t, mosquittoConfig{global: "allow_anonymous false\n"})
	return []errorCase{
		{"hostname mismatch", func(t *testing.T) mqtt.Options {
			o := testOptions(mqtt.SchemeMQTTS, "127.0.0.1", wrongName.ports["mqtts"], mqtt.MQTT5)
			o.TLS.CAFile = wrongName.ca.CertPEM
			return o
		}, ErrTLSHostname, []string{"is for broker.test, mqtt.broker.test, not \"127.0.0.1\""}},
		{"expired certificate", func(t *testing.T) mqtt.Options {
			o := testOptions(mqtt.SchemeMQTTS, "localhost", expired.ports["mqtts"], mqtt.MQTT5)
			o.TLS.CAFile = expired.ca.CertPEM
			return o
		}, ErrTLSExpired, []string{"expired on " + time.Now().AddDate(0, 0, -1).Format(time.DateOnly)}},
		{"not authorized", func(t *testing.T) mqtt.Options {
			return testOptions(mqtt.SchemeMQTT, "127.0.0.1", closed.ports["mqtt"], mqtt.MQTT5)
		}, ErrNotAuthorized, []string{"refused this client: not authorized"}},
		{"wrong key passphrase", func(t *testing.T) mqtt.Options {
			o := testOptions(mqtt.SchemeMQTTS, "localhost", closed.ports["mtls"], mqtt.MQTT5)
			o.TLS = mqtt.TLSOptions{CAFile: closed.ca.CertPEM, CertFile: closed.client.CertFile, KeyFile: closed.client.EncryptedPKCS8("right"), KeyPassphrase: "wrong"}
			return o
		}, ErrConfig, []string{"The passphrase does not open the client key"}},
	}
}

func TestPublishTooLarge(t *testing.T) {
	m := startMosquitto(t, mosquittoConfig{global: "max_packet_size 2000\n"})
	s, _ := open(t, testOptions(mqtt.SchemeMQTT, "127.0.0.1", m.ports["mqtt"], mqtt.MQTT5))
	_, err := s.Publish(context.Background(), mqtt.Message{Topic: "big", Payload: make([]byte, 5000), QoS: 1})
	e, ok := err.(*Error)
	if !ok || e.Kind != ErrPacketTooLarge || !strings.Contains(e.Sentence, "the broker accepts at most 2000") {
		t.Fatalf("publish of 5000 bytes: %v", err)
	}
	if _, err := s.Publish(context.Background(), mqtt.Message{Topic: "small", Payload: make([]byte, 100), QoS: 1}); err != nil {
		t.Fatalf("the session is unusable after refusing a large message: %v", err)
	}
}
