package storage

import (
	"slices"
	"testing"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

func TestAppSettings(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if got := s.AppSettings(); got != model.DefaultAppSettings() {
		t.Fatalf("defaults %+v", got)
	}
	want := model.AppSettings{Theme: model.ThemeDark, PayloadDisplayLimit: 4096, MessagesInMemory: 20_000}
	if err := s.SaveAppSettings(want); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAppSettings(model.AppSettings{Theme: "pink", PayloadDisplayLimit: 4096, MessagesInMemory: 500}); err == nil {
		t.Fatal("unknown theme saved")
	}
	_ = s.Close()
	if got := openTest(t, dir).AppSettings(); got != want {
		t.Fatalf("after reopen %+v", got)
	}
}

func TestFolders(t *testing.T) {
	s := openTest(t, t.TempDir())
	_, _ = s.SaveProfile(model.Profile{Folder: "Plant", Options: mqtt.NewOptions("a", mqtt.SchemeMQTT, "h")})
	p, _ := s.SaveProfile(model.Profile{Folder: "Lab", Options: mqtt.NewOptions("b", mqtt.SchemeMQTT, "h")})
	_ = s.AddFolder("Empty")
	if f, _ := s.Folders(); !slices.Equal(f, []string{"Empty", "Lab", "Plant"}) {
		t.Fatalf("folders %v", f)
	}
	_ = s.RemoveFolder("Lab")
	if got, _ := s.Profile(p.ID); got.Folder != "" {
		t.Fatalf("profile still in the removed folder %q", got.Folder)
	}
	if f, _ := s.Folders(); !slices.Equal(f, []string{"Empty", "Plant"}) {
		t.Fatalf("folders after removing Lab: %v", f)
	}
}
