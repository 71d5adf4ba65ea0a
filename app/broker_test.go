package app

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqttdesk/mqttdesk/internal/testnet"
	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/storage"
)

func openApp(t *testing.T, dir string) *App {
	t.Helper()
	a, err := Open(Config{DataDir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

func testSettings(t *testing.T) BrokerSettings {
	s := DefaultBrokerSettings()
	s.TCPPort, s.WSPort = testnet.FreePort(t), testnet.FreePort(t)
	return s
}

func TestStartCreatesThenReusesTheLocalBrokerConnection(t *testing.T) {
	a := openApp(t, t.TempDir())
	s := testSettings(t)
	if err := a.SaveBrokerSettings(s); err != nil {
		t.Fatal(err)
	}
	p, err := a.StartLocalBroker(context.Background())
	if err != nil {
		t.Fatalf("StartLocalBroker: %v", err)
	}
	if !p.LocalBroker || p.Options.Host != "127.0.0.1" || p.Options.Port != s.TCPPort || p.Options.Name != "Local broker" {
		t.Fatalf("local broker connection %+v", p)
	}
	st := a.LocalBroker()
	if !st.Running || len(st.URLs) != 2 || !strings.HasPrefix(st.URLs[1], "ws://127.0.0.1:") {
		t.Fatalf("state %+v", st)
	}
	if err := a.StopLocalBroker(context.Background()); err != nil {
		t.Fatal(err)
	}

	s.TCPPort = testnet.FreePort(t) // the user moves the broker: the connection follows
	if err := a.SaveBrokerSettings(s); err != nil {
		t.Fatal(err)
	}
	p2, err := a.StartLocalBroker(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	list, _ := a.Profiles()
	if len(list) != 1 || p2.ID != p.ID || list[0].Options.Port != s.TCPPort {
		t.Fatalf("restart made %d connections (ids %s, %s), port %d", len(list), p.ID, p2.ID, list[0].Options.Port)
	}
}

func TestPortInUseIsOneSentenceAndTheAppRecovers(t *testing.T) {
	a := openApp(t, t.TempDir())
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	s := testSettings(t)
	s.TCPPort = taken.Addr().(*net.TCPAddr).Port
	if err := a.SaveBrokerSettings(s); err != nil {
		t.Fatal(err)
	}
	_, err = a.StartLocalBroker(context.Background())
	if !errors.Is(err, localbroker.ErrPortInUse) {
		t.Fatalf("start on a taken port: %v", err)
	}
	msg := UserMessage(a.LocalBroker().Err)
	if strings.Count(msg, ".") != 1 || !strings.HasPrefix(msg, "Port ") || !strings.Contains(msg, "choose another port") {
		t.Fatalf("user message %q", msg)
	}
	s.TCPPort = testnet.FreePort(t)
	if err := a.SaveBrokerSettings(s); err != nil {
		t.Fatal(err)
	}
	if _, err := a.StartLocalBroker(context.Background()); err != nil {
		t.Fatalf("start after choosing another port: %v", err)
	}
	if st := a.LocalBroker(); st.Err != nil || !st.Running {
		t.Fatalf("state after recovery %+v", st)
	}
}

func TestBrokerSettingsKeepThePasswordEncrypted(t *testing.T) {
	dir := t.TempDir()
	a := openApp(t, dir)
	s := testSettings(t)
	s.Username, s.Password = "dev", "broker-pass"
	if err := a.SaveBrokerSettings(s); err != nil {
		t.Fatal(err)
	}
	p, err := a.StartLocalBroker(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.Options.Username != "dev" || p.Options.Password != "broker-pass" {
		t.Fatalf("local broker connection lacks the credentials: %+v", p.Options)
	}
	_ = a.Close()
	a2 := openApp(t, dir)
	if got := a2.BrokerSettings(); got.Password != "broker-pass" || got.Username != "dev" {
		t.Fatalf("settings after reopen %+v", got)
	}
}

func TestBrokerSettingsValidate(t *testing.T) {
	for _, tc := range []struct {
		change func(*BrokerSettings)
		want   string
	}{
		{func(s *BrokerSettings) { s.TCPPort = 70000 }, "TCP port 70000 is out of range"},
		{func(s *BrokerSettings) { s.TCPPort, s.WSPort = 0, 0 }, "every listener is off"},
		{func(s *BrokerSettings) { s.Host = "my laptop" }, "not an IP address"},
	} {
		s := DefaultBrokerSettings()
		tc.change(&s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate() = %v, want %q", err, tc.want)
		}
	}
}

func TestSecondAppOnTheSameDirectory(t *testing.T) {
	dir := t.TempDir()
	openApp(t, dir)
	_, err := Open(Config{DataDir: dir})
	if !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if msg := UserMessage(err); !strings.HasPrefix(msg, "mqttdesk is already running with this data directory") {
		t.Fatalf("user message %q", msg)
	}
}

func TestDamagedDataFile(t *testing.T) {
	dir := t.TempDir()
	a := openApp(t, dir)
	_ = a.Close()
	if err := os.WriteFile(filepath.Join(dir, storage.FileName), []byte(strings.Repeat("x", 9000)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Config{DataDir: dir})
	if msg := UserMessage(err); !strings.Contains(msg, "damaged") || !strings.Contains(msg, "--recover") {
		t.Fatalf("message for a damaged file: %q", msg)
	}
	b, err := Open(Config{DataDir: dir, Recover: true})
	if err != nil {
		t.Fatalf("open with Recover: %v", err)
	}
	_ = b.Close()
}
