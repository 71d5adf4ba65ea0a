package ui

import (
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
)

func openCore(t *testing.T, settings func(*app.BrokerSettings)) *app.App {
	t.Helper()
	core, err := app.Open(app.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = core.Close() })
	s := app.DefaultBrokerSettings()
	s.TCPPort, s.WSPort = testnet.FreePort(t), testnet.FreePort(t)
	if settings != nil {
		settings(&s)
	}
	if err := core.SaveBrokerSettings(s); err != nil {
		t.Fatal(err)
	}
	return core
}

func newTestWindow(t *testing.T, core Core) *Window {
	t.Helper()
	test.NewTempApp(t)
	w := Create(test.NewTempApp(t), core)
	t.Cleanup(w.Close)
	return w
}

func TestSwitchStartsTheBrokerAndSavesItsConnection(t *testing.T) {
	q := useMainQueue(t)
	core := openCore(t, nil)
	w := newTestWindow(t, core)
	q.runUntil(t, "the empty connection list", func() bool { return !w.connections.hint.Hidden })

	test.Tap(w.broker.toggle)
	q.runUntil(t, "the broker to run", func() bool {
		if !w.broker.problem.Hidden && !w.broker.busy {
			t.Fatalf("the broker did not start: %s", w.broker.problem.Text)
		}
		return w.broker.status.Text == "Running"
	})
	if !w.broker.toggle.On || len(w.broker.urls.Objects) != 2 {
		t.Fatalf("running card: toggle %v, %d addresses", w.broker.toggle.On, len(w.broker.urls.Objects))
	}
	q.runUntil(t, "the saved connection", func() bool { return len(w.connections.items) == 1 })
	if p := w.connections.items[0].profile; p.Options.Name != "Local broker" || !w.connections.hint.Hidden {
		t.Fatalf("connection list shows %q, hint hidden %v", p.Options.Name, w.connections.hint.Hidden)
	}
	q.runUntil(t, "live counters", func() bool { return strings.Contains(w.broker.counters.Text, "0 clients") })

	test.Tap(w.broker.toggle)
	q.runUntil(t, "the broker to stop", func() bool { return w.broker.status.Text == "Off" && !w.broker.busy })
	if core.LocalBroker().Running || w.broker.toggle.On || !strings.HasPrefix(w.broker.counters.Text, "Not running") {
		t.Fatal("card or broker still running after switching off")
	}
	if len(w.broker.urls.Objects) != 2 {
		t.Fatalf("switched off, the card lists %d addresses, want the 2 it will take (no jump)", len(w.broker.urls.Objects))
	}
	if w.view == nil || w.view.profile.Options.Name != "Local broker" {
		t.Fatal("starting the broker did not open its connection")
	}
}

func TestPortInUseShowsOneSentence(t *testing.T) {
	q := useMainQueue(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	core := openCore(t, func(s *app.BrokerSettings) { s.TCPPort = port })
	w := newTestWindow(t, core)

	test.Tap(w.broker.toggle)
	q.runUntil(t, "the error", func() bool { return !w.broker.problem.Hidden && !w.broker.busy })
	want := "is in use; stop the other broker or choose another port."
	if got := w.broker.problem.Text; !strings.Contains(got, want) || w.broker.toggle.On {
		t.Fatalf("problem %q, toggle on %v", got, w.broker.toggle.On)
	}
}

// fixedPorts gives the broker its default ports, for goldens: it is not
// started, so nothing binds them.
func fixedPorts(s *app.BrokerSettings) {
	d := app.DefaultBrokerSettings()
	s.TCPPort, s.WSPort = d.TCPPort, d.WSPort
}

func TestWindowLooksRight(t *testing.T) {
	useMainQueue(t)
	w := newTestWindow(t, openCore(t, fixedPorts))
	w.Resize(w.Canvas().Size())
	test.AssertImageMatches(t, "window_broker_off.png", w.Canvas().Capture())
}

// TestRefreshWaitsForTheLoop leaves what the window posts undrained, as a
// Fyne loop busy painting does: the refresh loop must post no second
// update before the first has run, or clicks would wait behind a backlog.
func TestRefreshWaitsForTheLoop(t *testing.T) {
	q := useMainQueue(t)
	w := newTestWindow(t, openCore(t, nil))
	q.runUntil(t, "the empty connection list", func() bool { return !w.connections.hint.Hidden })
	for len(q) > 0 {
		(<-q)()
	}
	time.Sleep(3 * brokerEvery) // the broker card alone is due three times
	if n := len(q); n > 1 {
		t.Fatalf("%d updates queued while the loop was busy, want at most 1", n)
	}
}
