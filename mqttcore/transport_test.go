package mqttcore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// roundTrip subscribes, publishes at QoS 1 and checks the message comes
// back with its payload.
func roundTrip(t *testing.T, o mqtt.Options) {
	t.Helper()
	s, rec := open(t, o)
	res, err := s.Subscribe(context.Background(), mqtt.Subscription{Filter: "rt/#", QoS: 1})
	if err != nil || len(res) != 1 || !res[0].Granted() {
		for _, e := range s.Log() {
			t.Log(e.String())
		}
		t.Fatalf("subscribe: %v %+v", err, res)
	}
	payload := []byte{0, 1, 2, 0xff, 'x'}
	if _, err := s.Publish(context.Background(), mqtt.Message{Topic: "rt/a", Payload: payload, QoS: 1}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	m := rec.waitMessages(t, 1)[0]
	if m.Topic != "rt/a" || string(m.Payload) != string(payload) || m.QoS != 1 {
		t.Fatalf("got %+v", m)
	}
}

func TestTransportsLocalBroker(t *testing.T) {
	b := startLocal(t, localbroker.Config{})
	for _, version := range []string{mqtt.MQTT5, mqtt.MQTT311} {
		for _, scheme := range []string{mqtt.SchemeMQTT, mqtt.SchemeMQTTS, mqtt.SchemeWS, mqtt.SchemeWSS} {
			t.Run(fmt.Sprintf("%s/%s", version, scheme), func(t *testing.T) {
				o := testOptions(scheme, "localhost", b.port(t, scheme), version)
				o.TLS.CAFile = b.caFile
				roundTrip(t, o)
			})
		}
	}
}

func TestTransportsMosquitto(t *testing.T) {
	m := startMosquitto(t, mosquittoConfig{})
	for _, version := range []string{mqtt.MQTT5, mqtt.MQTT311} {
		for _, scheme := range []string{mqtt.SchemeMQTT, mqtt.SchemeMQTTS, mqtt.SchemeWS, mqtt.SchemeWSS} {
			t.Run(fmt.Sprintf("%s/%s", version, scheme), func(t *testing.T) {
				o := testOptions(scheme, "127.0.0.1", m.ports[scheme], version)
				o.TLS.CAFile = m.ca.CertPEM
				roundTrip(t, o)
			})
		}
	}
}

func TestClientCertificateWithEncryptedKeys(t *testing.T) {
	m := startMosquitto(t, mosquittoConfig{})
	for name, key := range map[string]string{
		"plain":                m.client.KeyFile,
		"encrypted PKCS#8":     m.client.EncryptedPKCS8("pkcs8 pass"),
		"legacy encrypted PEM": m.client.EncryptedLegacyPEM("legacy pass"),
	} {
		t.Run(name, func(t *testing.T) {
			o := testOptions(mqtt.SchemeMQTTS, "localhost", m.ports["mtls"], mqtt.MQTT5)
			o.TLS = mqtt.TLSOptions{CAFile: m.ca.CertPEM, CertFile: m.client.CertFile, KeyFile: key}
			switch name {
			case "encrypted PKCS#8":
				o.TLS.KeyPassphrase = "pkcs8 pass"
			case "legacy encrypted PEM":
				o.TLS.KeyPassphrase = "legacy pass"
			}
			roundTrip(t, o)
		})
	}
	// Without a client certificate the listener refuses the handshake.
	o := testOptions(mqtt.SchemeMQTTS, "localhost", m.ports["mtls"], mqtt.MQTT5)
	o.TLS.CAFile, o.ConnectTimeout, o.Reconnect.Enabled = m.ca.CertPEM, 3, false
	s, err := NewSession(o, newRecorder())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Connect(ctx); err == nil {
		t.Fatal("connected without the client certificate the listener requires")
	}
	_ = s.Disconnect(ctx)
}
