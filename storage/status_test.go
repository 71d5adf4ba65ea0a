package storage

import (
	"context"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// TestPublishOutcomeIsKept: a publish stored as sending, then refused, is
// read back refused after a restart, and its payload is intact.
func TestPublishOutcomeIsKept(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	p, err := s.SaveProfile(model.Profile{Options: mqtt.NewOptions("p", mqtt.SchemeMQTT, "h")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	seqs := map[string]uint64{}
	for _, name := range []string{"sent", "refused", "received"} {
		m := Message{Time: time.Now(), Direction: model.Published, Topic: "t/" + name, Payload: []byte(name), Status: StatusSending}
		if name == "received" {
			m.Direction, m.Status = model.Received, ""
		}
		if seqs[name], err = s.Append(ctx, p.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetStatus(ctx, p.ID, seqs["sent"], ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(ctx, p.ID, seqs["refused"], "Not connected."); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(ctx, p.ID, seqs["received"], "x"); err == nil {
		t.Error("a received message took a publish status")
	}
	_ = s.Close()
	s = openTest(t, dir)
	page, err := s.NewestPage(p.ID, 10)
	if err != nil || len(page) != 3 {
		t.Fatalf("%d messages, %v", len(page), err)
	}
	want := map[string]string{"t/sent": "", "t/refused": "Not connected.", "t/received": ""}
	for _, m := range page {
		if m.Status != want[m.Topic] || string(m.Payload) != m.Topic[2:] {
			t.Errorf("%s: status %q payload %q", m.Topic, m.Status, m.Payload)
		}
	}
	if found, _, err := s.Search(ctx, p.ID, model.Query{Text: "Not connected"}, 0, 10); err != nil || len(found) != 0 {
		t.Errorf("a status is searched as payload: %d found, %v", len(found), err)
	}
}
