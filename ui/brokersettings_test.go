package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/mqttdesk/mqttdesk/app"
)

func TestBrokerSettingsFormRoundTrip(t *testing.T) {
	test.NewTempApp(t)
	in := app.DefaultBrokerSettings()
	in.Username, in.Password, in.Persist = "dev", "secret", true
	f := newBrokerSettingsForm(in)
	if got := f.settings(); got != in {
		t.Fatalf("form gives back %+v, want %+v", got, in)
	}
	if !f.tls.Disabled() || !f.wss.Disabled() {
		t.Fatal("TLS ports editable while TLS is off")
	}
	test.Tap(f.useTLS)
	if f.tls.Disabled() || !f.settings().TLS {
		t.Fatal("turning TLS on did not enable its ports")
	}
	f.tcp.SetText("18830")
	if got := f.settings().TCPPort; got != 18830 {
		t.Fatalf("TCP port %d after typing", got)
	}
	f.tcp.SetText("70000")
	if f.tcp.Validate() == nil {
		t.Fatal("port 70000 passes validation")
	}
	in.ACLFile, in.MaxPacketSizeMiB = "/etc/mqttdesk/acl", 4
	if got := newBrokerSettingsForm(in).settings(); got != in {
		t.Fatalf("access list and packet size: %+v, want %+v", got, in)
	}
	f.maxPacket.SetText("256")
	if f.maxPacket.Validate() == nil {
		t.Fatal("a 256 MiB maximum packet size passes validation")
	}
}
