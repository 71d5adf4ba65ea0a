package storage

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

func TestExportImport(t *testing.T) {
	src := openTest(t, t.TempDir())
	ctx := context.Background()
	o := mqtt.NewOptions("Plant", mqtt.SchemeMQTTS, "plant.local")
	o.Password = "export-secret"
	p, _ := src.SaveProfile(model.Profile{Options: o, Color: "#00ff00"})
	_, _ = src.SaveSubscription(p.ID, model.Subscription{Filter: "plant/#", QoS: 1})
	for _, payload := range [][]byte{[]byte("text"), {0, 0xff, 0x80}} {
		_, _ = src.Append(ctx, p.ID, Message{Topic: "plant/x", Payload: payload, QoS: 1})
	}

	for _, tc := range []struct {
		opts        model.ExportOptions
		messages    int64
		withSecrets bool
	}{
		{model.ExportOptions{}, 0, false},
		{model.ExportOptions{Messages: true, Secrets: true}, 2, true},
	} {
		var buf bytes.Buffer
		if err := src.Export(ctx, &buf, tc.opts); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "export-secret") != tc.withSecrets {
			t.Fatalf("secrets in export: %v, want %v", !tc.withSecrets, tc.withSecrets)
		}
		dst := openTest(t, t.TempDir())
		sum, err := dst.Import(ctx, &buf)
		if err != nil || sum.Profiles != 1 || sum.Subscriptions != 1 || sum.Messages != tc.messages {
			t.Fatalf("import: %v %+v", err, sum)
		}
		list, _ := dst.Profiles()
		got := list[0]
		subs, _ := dst.Subscriptions(got.ID)
		msgs, _ := dst.NewestPage(got.ID, 10)
		if got.Options.Host != "plant.local" || got.Color != "#00ff00" || len(subs) != 1 || int64(len(msgs)) != tc.messages {
			t.Fatalf("imported %+v, %d subscriptions, %d messages", got, len(subs), len(msgs))
		}
		if tc.withSecrets && got.Options.Password != "export-secret" {
			t.Fatal("password not restored")
		}
		if tc.messages > 0 && !bytes.Equal(msgs[1].Payload, []byte{0, 0xff, 0x80}) {
			t.Fatalf("binary payload imported as %x", msgs[1].Payload)
		}
	}
	if _, err := src.Import(ctx, strings.NewReader(`{"hello": 1}`)); !errors.Is(err, ErrNotAnExport) {
		t.Fatalf("import of another file: %v", err)
	}
}
