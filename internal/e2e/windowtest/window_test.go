package windowtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/ui/instrument"
)

// outDir is where a test leaves its screenshots, the app's log and its
// report: the folder name in MQTTDESK_WINDOW_OUT, or a temporary directory.
func outDir(t *testing.T, name string) string {
	if root := os.Getenv("MQTTDESK_WINDOW_OUT"); root != "" {
		dir := filepath.Join(root, name)
		_ = os.RemoveAll(dir) // a fresh start: no connections or screenshots of an earlier run
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startBroker runs `mqttdesk broker` on a free loopback port.
func startBroker(t *testing.T, bin, dir string) int {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(bin, "--data-dir", filepath.Join(dir, "broker"), "broker", "--tcp", fmt.Sprintf("127.0.0.1:%d", port), "--ws", "off")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitListening(t, port)
	return port
}

// waitListening waits up to 10 s for something to listen on the loopback
// port.
func waitListening(t *testing.T, port int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			_ = c.Close()
			return
		}
	}
	t.Fatalf("nothing listened on port %d within 10 s", port)
}

// demoExport is a connection as `mqttdesk import` reads it: to the broker
// on port, connecting at start, subscribed to #.
func demoExport(port int) string {
	return fmt.Sprintf(`{"format":"mqttdesk-export","version":1,"exported":"2026-01-01T00:00:00Z","profiles":[
{"profile":{"id":"demo","options":{"name":"Lab broker","scheme":"mqtt","host":"127.0.0.1","port":%d,
 "version":"5.0","keepAlive":60,"connectTimeout":10,"clean":true,
 "reconnect":{"enabled":true,"initialDelay":1000000000,"maxDelay":5000000000,"maxAttempts":0},"tls":{},"proxy":{}},
 "order":0,"created":"2026-01-01T00:00:00Z","autoConnect":true},
 "subscriptions":[{"id":"all","filter":"#","qos":1,"color":"#34c388","enabled":true,"order":0}],
 "messages":[]}]}`, port)
}

func prepareData(t *testing.T, bin, dir string, port int) string {
	t.Helper()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "demo.json")
	if err := os.WriteFile(file, []byte(demoExport(port)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--data-dir", data, "import", file)
	cmd.Env = append(os.Environ(), "MQTTDESK_KEYRING=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import: %v: %s", err, out)
	}
	return data
}

// publish sends messages from outside with mosquitto_pub.
func publish(t *testing.T, port int, topic, payload string) {
	t.Helper()
	out, err := exec.Command("mosquitto_pub", "-p", fmt.Sprint(port), "-q", "1", "-t", topic, "-m", payload).CombinedOutput()
	if err != nil {
		t.Fatalf("mosquitto_pub: %v: %s", err, out)
	}
}

const mainWindow = "mqttdesk"

// TestEveryControlOfTheWindow opens the real window on a connection with
// messages, and clicks every button, menu item, tab and list row it
// shows, and what those open, with the pointer; presses every shortcut;
// and opens and closes every dialog, the file dialogs included. The app
// must not crash, report a race or a threading error, and must exit
// cleanly on SIGTERM at the end.
func TestEveryControlOfTheWindow(t *testing.T) {
	bin := binary(t)
	dir := outDir(t, "crawl")
	display := startXvfb(t)
	port := startBroker(t, bin, dir)
	s := launch(t, bin, display, dir, prepareData(t, bin, dir, port))

	openConnection(s)
	publish(t, port, "lab/kitchen/temperature", `{"celsius": 21.5, "sensor": "k1"}`)
	publish(t, port, "lab/long", strings.Repeat("w", 3000))
	s.waitMap("the messages", 15*time.Second, func(m instrument.UIMap) bool {
		_, ok := m.Window(mainWindow).Find(0, "lab/kitchen/temperature")
		return ok
	})
	s.shot("connection")
	fileDialogs(s)
	shortcuts(s)

	c := newCrawler(s)
	c.explore(windowScope(mainWindow, 0))
	report(t, dir, c)
	for _, words := range mustOpen {
		if !c.sawOverlay(words...) {
			t.Errorf("clicking through the window never opened the one showing %q (see %s/report.txt)", words, dir)
		}
	}
	quit(s)
}

// mustOpen are words of every dialog, menu and window the steps and the
// crawl must have opened between them: a control that stops opening its
// dialog fails the test.
var mustOpen = [][]string{
	{"menu File"},
	{"menu Connection"},
	{"window: Protocol log"},
	{"General", "TLS", "Advanced"},   // the connection editor
	{"Theme", "Payload shown up to"}, // settings
	{"Bind address", "TCP port"},     // the local broker's settings
	{"Save File"},
	{"Open File"},              // file dialogs
	{"Topic filter", "Colour"}, // a subscription
	{"This cannot be undone"},  // deleting a connection
	{"Clear the history"},      // clearing a history
	{"Folder name"},
	{"New folder"},                     // folders
	{"Move to folder…", "Delete…"},     // a connection's menu
	{"Export connection and history…"}, // the header's menu
	{"Copy filter", "Remove"},          // a subscription's menu
	{"QoS 0", "QoS 1", "QoS 2"},        // a select
}

// openConnection clicks the demo connection in the sidebar. The first
// click may come before the new window takes input, so it clicks again
// until the connection's view is there.
func openConnection(s *session) {
	s.t.Helper()
	for range 10 {
		m := s.waitMap("the connection in the sidebar", 20*time.Second, func(m instrument.UIMap) bool {
			_, ok := m.Window(mainWindow).Find(0, "Lab broker")
			return ok
		})
		w := m.Window(mainWindow)
		if _, ok := w.Find(0, "Send"); ok {
			return
		}
		row, _ := w.Find(0, "Lab broker")
		s.click(mainWindow, w.Scale, row)
		time.Sleep(time.Second)
	}
	s.t.Fatal("clicking the connection did not open it")
}

// report writes every click and what it opened to report.txt.
func report(t *testing.T, dir string, c *crawler) {
	var b strings.Builder
	for _, line := range c.log {
		b.WriteString(line + "\n")
	}
	b.WriteString("\nopened:\n")
	for _, text := range c.texts {
		fmt.Fprintf(&b, "  %s\n", text)
	}
	b.WriteString("\nby first words:\n")
	for sig, n := range c.opened {
		fmt.Fprintf(&b, "  %3d× %s\n", n, sig)
	}
	_ = os.WriteFile(filepath.Join(dir, "report.txt"), []byte(b.String()), 0o600)
	t.Logf("%d clicks, %d different dialogs, menus and windows opened; report in %s", c.clicks, len(c.opened), dir)
}

// quit ends the app with SIGTERM, as a desktop session does; it must exit
// cleanly within 10 s.
func quit(s *session) {
	s.t.Helper()
	s.alive("the last click")
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.t.Fatal("mqttdesk still running 10 s after SIGTERM")
	}
	if !s.cmd.ProcessState.Success() {
		s.t.Fatalf("mqttdesk exited with %v after SIGTERM:\n%s", s.cmd.ProcessState, tail(s.out.String()))
	}
	if loc := problems.FindStringIndex(s.out.String()); loc != nil {
		s.t.Fatalf("mqttdesk reported a problem:\n%s", tail(s.out.String()[loc[0]:]))
	}
}
