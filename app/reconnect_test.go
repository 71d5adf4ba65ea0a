package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// connects counts the CONNECT packets in connection id's protocol log.
func connects(a *App, id string) int {
	n := 0
	for _, e := range a.ConnectionLog(id) {
		if e.Sent && e.Type == "CONNECT" {
			n++
		}
	}
	return n
}

// TestConnectAfterARefusalTriesAgain: a broker that refused credentials
// ends the session (retrying cannot help); pressing Connect again must
// try again, and saving the right password must connect with it.
func TestConnectAfterARefusalTriesAgain(t *testing.T) {
	a := openApp(t, t.TempDir())
	s := testSettings(t)
	s.Username, s.Password = "alice", "right"
	if err := a.SaveBrokerSettings(s); err != nil {
		t.Fatal(err)
	}
	p, err := a.StartLocalBroker(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.Options.Password = "wrong"
	if p, err = a.SaveProfile(p); err != nil {
		t.Fatal(err)
	}
	if err := a.Connect(context.Background(), p.ID); err == nil {
		t.Fatal("connected with a wrong password")
	}
	waitUntil(t, "the session to give up", func() bool { return a.State(p.ID).GaveUp })
	before := connects(a, p.ID)
	_ = a.Connect(context.Background(), p.ID)
	waitUntil(t, "a second CONNECT after Connect", func() bool { return connects(a, p.ID) > before })

	p.Options.Password = "right"
	if _, err := a.SaveProfile(p); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "saving the right password to connect", func() bool { return a.State(p.ID).State == "connected" })
}

// TestConnectWhileRetryingTriesNow: a session waiting out its backoff
// connects at once on Connect, and its state says when the next attempt
// would have been.
func TestConnectWhileRetryingTriesNow(t *testing.T) {
	a := openApp(t, t.TempDir())
	port := testnet.FreePort(t)
	o := mqtt.NewOptions("later", mqtt.SchemeMQTT, "127.0.0.1")
	o.Port = port
	o.Reconnect.InitialDelay, o.Reconnect.MaxDelay = time.Minute, time.Minute
	p, err := a.SaveProfile(model.Profile{Options: o})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Connect(context.Background(), p.ID); err == nil {
		t.Fatal("connected to a port nothing listens on")
	}
	st := a.State(p.ID)
	if st.GaveUp || st.RetryAt.IsZero() || st.Attempt != 1 || !strings.Contains(st.Err, "Nothing accepted") {
		t.Fatalf("waiting state %+v", st)
	}
	s := testSettings(t)
	s.TCPPort = port
	if err := a.SaveBrokerSettings(s); err != nil {
		t.Fatal(err)
	}
	if _, err := a.StartLocalBroker(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.Connect(context.Background(), p.ID); err != nil {
		t.Fatalf("Connect while the session waits a minute: %v", err)
	}
	if st := a.State(p.ID); st.State != "connected" || !st.RetryAt.IsZero() {
		t.Fatalf("after Connect: %+v", st)
	}
}

// TestDisconnectStopsRetrying: after Disconnect no attempt follows.
func TestDisconnectStopsRetrying(t *testing.T) {
	a := openApp(t, t.TempDir())
	o := mqtt.NewOptions("nowhere", mqtt.SchemeMQTT, "127.0.0.1")
	o.Port = testnet.FreePort(t)
	o.Reconnect.InitialDelay = 50 * time.Millisecond
	p, err := a.SaveProfile(model.Profile{Options: o})
	if err != nil {
		t.Fatal(err)
	}
	_ = a.Connect(context.Background(), p.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Disconnect(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if st := a.State(p.ID); st.State != "disconnected" || !st.RetryAt.IsZero() {
		t.Fatalf("after Disconnect: %+v", st)
	}
}

// TestPublishOutcomeSurvivesARestart: a publish refused while the
// connection is down still says so after mqttdesk restarts.
func TestPublishOutcomeSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	p := withLocalConnection(t, a, "#")
	if err := a.StopLocalBroker(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the connection to drop", func() bool { return a.State(p.ID).State != "connected" })
	if _, err := a.Publish(context.Background(), p.ID, mqtt.Message{Topic: "t", Payload: []byte("lost")}); err == nil {
		t.Fatal("a QoS 0 publish while disconnected succeeded")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a, err = Open(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	msgs, err := a.Messages(p.ID, nil)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	last := msgs[len(msgs)-1]
	if !last.Outgoing || last.Status == "sent" || !strings.Contains(strings.ToLower(last.Status), "not connected") {
		t.Fatalf("after a restart the refused publish reads %q", last.Status)
	}
}
