package storage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

func TestSubscriptions(t *testing.T) {
	s := openTest(t, t.TempDir())
	a, err := s.SaveSubscription("p", model.Subscription{Filter: "b/#", QoS: 1, Enabled: true, Color: "#ff0000", Identifier: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSubscription("p", model.Subscription{Filter: "a/+", Alias: "all a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSubscription("p", model.Subscription{Filter: "a/#/b"}); err == nil {
		t.Fatal("invalid filter saved")
	}
	a.QoS = 2
	if _, err := s.SaveSubscription("p", a); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Subscriptions("p")
	if len(list) != 2 || list[0].Filter != "a/+" || list[1].QoS != 2 || list[1].Identifier != 4 {
		t.Fatalf("subscriptions %+v", list)
	}
	_ = s.DeleteSubscription("p", a.ID)
	if list, _ := s.Subscriptions("p"); len(list) != 1 {
		t.Fatalf("%d subscriptions after delete", len(list))
	}
}

func TestPublishHistory(t *testing.T) {
	s := openTest(t, t.TempDir())
	for i := range 250 {
		if err := s.AddPublished("p", model.PublishEntry{Topic: "t", Payload: []byte(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.AddPublished("p", model.PublishEntry{Topic: "t", Payload: []byte("100")}) // repeat: moves to the front
	list, _ := s.PublishHistory("p")
	if len(list) != 200 || string(list[0].Payload) != "100" || string(list[1].Payload) != "249" {
		t.Fatalf("%d entries, first %q %q", len(list), list[0].Payload, list[1].Payload)
	}
	seen := 0
	for _, e := range list {
		if string(e.Payload) == "100" {
			seen++
		}
	}
	if seen != 1 {
		t.Fatalf("repeated entry kept %d times", seen)
	}
}

func TestDeleteProfileRemovesEverything(t *testing.T) {
	s := openTest(t, t.TempDir())
	o := mqtt.NewOptions("gone", mqtt.SchemeMQTT, "h")
	o.Password, o.TLS.KeyPassphrase, o.Proxy.Password = "pw-marker-1", "pw-marker-2", "pw-marker-3"
	p, _ := s.SaveProfile(model.Profile{Options: o})
	got, _ := s.Profile(p.ID)
	if got.Options.TLS.KeyPassphrase != "pw-marker-2" || got.Options.Proxy.Password != "pw-marker-3" {
		t.Fatalf("secrets read back: %+v %+v", got.Options.TLS, got.Options.Proxy)
	}
	_, _ = s.SaveSubscription(p.ID, model.Subscription{Filter: "x"})
	_ = s.AddPublished(p.ID, model.PublishEntry{Topic: "x"})
	_, _ = s.Append(context.Background(), p.ID, Message{Topic: "x", Payload: []byte("y")})
	if err := s.DeleteProfile(p.ID); err != nil {
		t.Fatal(err)
	}
	subs, _ := s.Subscriptions(p.ID)
	pubs, _ := s.PublishHistory(p.ID)
	msgs, _ := s.NewestPage(p.ID, 10)
	if len(subs)+len(pubs)+len(msgs) != 0 {
		t.Fatalf("left behind: %d subscriptions, %d publishes, %d messages", len(subs), len(pubs), len(msgs))
	}
	_ = s.Close()
	raw, _ := os.ReadFile(s.Path())
	for _, secret := range []string{"pw-marker-1", "pw-marker-2", "pw-marker-3"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatalf("%s in plain text in the file", secret)
		}
	}
}
