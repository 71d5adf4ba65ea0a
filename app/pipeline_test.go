package app

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// withLocalConnection starts the local broker of a and returns its saved
// connection, subscribed to filter and open.
func withLocalConnection(t *testing.T, a *App, filter string) model.Profile {
	t.Helper()
	if err := a.SaveBrokerSettings(testSettings(t)); err != nil {
		t.Fatal(err)
	}
	p, err := a.StartLocalBroker(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.Options.Reconnect.InitialDelay = 300 * time.Millisecond
	if p, err = a.SaveProfile(p); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Subscribe(context.Background(), p.ID, model.Subscription{Filter: filter, QoS: 1}); err != nil {
		t.Fatal(err)
	}
	if err := a.Connect(context.Background(), p.ID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the subscription", func() bool {
		st := a.State(p.ID)
		return len(st.Subscriptions) == 1 && st.Subscriptions[0].Granted
	})
	return p
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHundredThousandMessagesLandInOrder(t *testing.T) {
	a := openApp(t, t.TempDir())
	p := withLocalConnection(t, a, mqttload.Topic)
	const n = 100_000
	in := func() int64 { return a.State(p.ID).MessagesIn }
	addr := strings.TrimPrefix(a.LocalBroker().URLs[0], "mqtt://")
	sc := mqttload.Scenario{Messages: n, PayloadSize: 64, Numbered: true, Window: 5000, Consumers: []func() int64{in}}
	if _, err := mqttload.Run(addr, sc, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := a.store.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.store.HistoryStats(p.ID); st.Count != n {
		t.Fatalf("%d of %d messages stored", st.Count, n)
	}
	next := uint64(0)
	for after := uint64(0); ; {
		page, err := a.store.PageAfter(p.ID, after, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, m := range page {
			if got := binary.BigEndian.Uint64(m.Payload); got != next {
				t.Fatalf("message %d stored where %d was expected", got, next)
			}
			next++
		}
		after = page[len(page)-1].Seq
	}
	view, _ := a.Messages(p.ID, nil)
	stored, _ := a.store.NewestPage(p.ID, len(view))
	if len(view) != a.store.AppSettings().MessagesInMemory || view[len(view)-1].Seq != stored[len(stored)-1].Seq || view[0].Seq != stored[0].Seq {
		t.Fatalf("view ring (%d, seqs %d..%d) disagrees with the store (seqs %d..%d)",
			len(view), view[0].Seq, view[len(view)-1].Seq, stored[0].Seq, stored[len(stored)-1].Seq)
	}
	if topics := a.Topics(p.ID); len(topics) != 1 || topics[0].Count != n {
		t.Fatalf("topic table %+v", topics)
	}
}

func TestPublishWhileDownReachesTheViewAfterReconnect(t *testing.T) {
	a := openApp(t, t.TempDir())
	p := withLocalConnection(t, a, "echo/#")
	ctx := context.Background()
	if err := a.StopLocalBroker(ctx); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the connection to drop", func() bool { return a.State(p.ID).State != "connected" })

	done := make(chan error, 2)
	for _, qos := range []byte{1, 2} {
		go func() {
			_, err := a.Publish(ctx, p.ID, mqtt.Message{Topic: "echo/down", Payload: []byte{'q', '0' + qos}, QoS: qos})
			done <- err
		}()
	}
	waitUntil(t, "the outgoing messages in the view", func() bool {
		v, _ := a.Messages(p.ID, func(m *ViewMessage) bool { return m.Outgoing && m.Status == "sending" })
		return len(v) == 2
	})
	if _, err := a.StartLocalBroker(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatalf("publish after reconnect: %v", err)
		}
	}
	waitUntil(t, "both messages back from the broker", func() bool {
		v, _ := a.Messages(p.ID, func(m *ViewMessage) bool { return !m.Outgoing && m.Topic == "echo/down" })
		return len(v) == 2
	})
	if v, _ := a.Messages(p.ID, func(m *ViewMessage) bool { return m.Outgoing && m.Status == "sent" }); len(v) != 2 {
		t.Fatalf("%d outgoing messages marked sent", len(v))
	}
}

func TestRestartShowsTheSameState(t *testing.T) {
	dir := t.TempDir()
	a := openApp(t, dir)
	p := withLocalConnection(t, a, "same/#")
	for _, payload := range []string{"one", "two", "three"} {
		if _, err := a.Publish(context.Background(), p.ID, mqtt.Message{Topic: "same/x", Payload: []byte(payload), QoS: 1}); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "the echoes", func() bool { return a.State(p.ID).MessagesIn == 3 })
	before, _ := a.Messages(p.ID, nil)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	b := openApp(t, dir)
	profiles, _ := b.Profiles()
	after, _ := b.Messages(p.ID, nil)
	st := b.State(p.ID)
	if len(profiles) != 1 || profiles[0].ID != p.ID || len(st.Subscriptions) != 1 || st.Subscriptions[0].Filter != "same/#" {
		t.Fatalf("after restart: %d profiles, subscriptions %+v", len(profiles), st.Subscriptions)
	}
	if len(after) != len(before) || len(after) != 6 {
		t.Fatalf("history after restart: %d messages, before %d", len(after), len(before))
	}
	for i := range after {
		if after[i].Seq != before[i].Seq || string(after[i].Payload) != string(before[i].Payload) || after[i].Outgoing != before[i].Outgoing {
			t.Fatalf("message %d differs after restart: %+v vs %+v", i, after[i], before[i])
		}
	}

	// Open again, the connection shows the history it had, then what arrives.
	if _, err := b.StartLocalBroker(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.Connect(context.Background(), p.ID); err != nil {
		t.Fatal(err)
	}
	if open, _ := b.Messages(p.ID, nil); len(open) != 6 || open[5].Seq != before[5].Seq {
		t.Fatalf("an open connection shows %d messages of its history of 6", len(open))
	}
}

func TestCommandsRefuseBadInput(t *testing.T) {
	a := openApp(t, t.TempDir())
	ctx := context.Background()
	if err := a.Connect(ctx, "no-such-id"); !errors.Is(err, ErrUnknownProfile) || !strings.Contains(UserMessage(err), "does not exist any more") {
		t.Fatalf("connect to an unknown profile: %v / %q", err, UserMessage(err))
	}
	p := withLocalConnection(t, a, "bad/#")
	for topic, words := range map[string]string{"bad/+": "wildcard", "": "empty"} {
		_, err := a.Publish(ctx, p.ID, mqtt.Message{Topic: topic, Payload: []byte("x")})
		if err == nil || !strings.Contains(UserMessage(err), words) {
			t.Errorf("publish to %q: %v", topic, err)
		}
	}
	if _, err := a.Subscribe(ctx, p.ID, model.Subscription{Filter: "a/#/b"}); err == nil {
		t.Error("invalid filter accepted")
	}
	_ = a.Disconnect(ctx, p.ID)
	if _, err := a.Publish(ctx, p.ID, mqtt.Message{Topic: "x"}); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("publish on a closed connection: %v", err)
	}
	if _, err := a.Messages(p.ID, nil); err != nil {
		t.Fatalf("history of a closed connection: %v", err)
	}
}

func TestSearchExportAndEnable(t *testing.T) {
	a := openApp(t, t.TempDir())
	p := withLocalConnection(t, a, "find/#")
	ctx := context.Background()
	for _, payload := range []string{"needle one", "hay", "needle two"} {
		if _, err := a.Publish(ctx, p.ID, mqtt.Message{Topic: "find/x", Payload: []byte(payload), QoS: 1}); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "the echoes", func() bool { return a.State(p.ID).MessagesIn == 3 })
	received := model.Received
	found, _, err := a.Search(ctx, p.ID, model.Query{Text: "needle", Direction: &received}, 0, 10)
	if err != nil || len(found) != 2 || found[0].Outgoing {
		t.Fatalf("search: %v %+v", err, found)
	}
	if h, _ := a.PublishHistory(p.ID); len(h) != 3 || string(h[0].Payload) != "needle two" {
		t.Fatalf("publish history %+v", h)
	}
	var buf strings.Builder
	if err := a.Export(ctx, &buf, model.ExportOptions{}); err != nil || !strings.Contains(buf.String(), "find/#") {
		t.Fatalf("export: %v", err)
	}
	sub := a.State(p.ID).Subscriptions[0]
	if err := a.SetSubscriptionEnabled(ctx, p.ID, sub.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Publish(ctx, p.ID, mqtt.Message{Topic: "find/x", Payload: []byte("unseen"), QoS: 1}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if st := a.State(p.ID); st.MessagesIn != 3 || st.Subscriptions[0].Enabled {
		t.Fatalf("after disabling the subscription: %d received, %+v", st.MessagesIn, st.Subscriptions[0])
	}
	if st := a.StoreState(); st.Waiting || st.DiskError != "" {
		t.Fatalf("store state %+v", st)
	}
}
