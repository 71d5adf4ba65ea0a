package storage

import (
	"slices"
	"testing"

	"github.com/mqttdesk/mqttdesk/mqttcore"
)

func TestAppSettings(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if got := s.AppSettings(); got != DefaultAppSettings() {
		t.Fatalf("defaults %+v", got)
	}
	want := AppSettings{Theme: ThemeDark, PayloadDisplayLimit: 4096, MessagesInMemory: 20_000}
	if err := s.SaveAppSettings(want); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAppSettings(AppSettings{Theme: "pink", PayloadDisplayLimit: 4096, MessagesInMemory: 500}); err == nil {
		t.Fatal("unknown theme saved")
	}
	_ = s.Close()
	if got := openTest(t, dir).AppSettings(); got != want {
		t.Fatalf("after reopen %+v", got)
	}
}

func TestFolders(t *testing.T) {
	s := openTest(t, t.TempDir())
	_, _ = s.SaveProfile(Profile{Folder: "Plant", Options: mqttcore.NewOptions("a", mqttcore.SchemeMQTT, "h")})
	p, _ := s.SaveProfile(Profile{Folder: "Lab", Options: mqttcore.NewOptions("b", mqttcore.SchemeMQTT, "h")})
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
