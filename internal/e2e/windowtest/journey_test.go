package windowtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/ui/instrument"
)

// TestANewUsersFirstDay walks the real window as a new user does on the
// first day: the empty first start, the local broker (its ports set in its
// settings, then switched on), a connection to mosquitto, a subscription,
// a publish and a message from outside, a search, the settings, an export,
// an import of that export and a restart. Each step checks what the user
// would see; an error dialog nobody expects, a click that changes nothing
// or a crash fails it.
func TestANewUsersFirstDay(t *testing.T) {
	bin := binary(t)
	dir := outDir(t, "journey")
	display := startXvfb(t)
	mosquitto := startMosquitto(t, dir)
	data := filepath.Join(dir, "data")
	j := &journey{session: launch(t, bin, display, dir, data)}

	j.firstStart()
	brokerPort := j.localBroker()
	j.connectToMosquitto(mosquitto)
	j.subscribe("journey/#")
	j.publish("journey/hello", `{"from": "mqttdesk"}`)
	publish(t, mosquitto, "journey/outside", "from mosquitto_pub")
	j.waitText("the message from mosquitto_pub", "from mosquitto_pub")
	j.search("outside", `1 message matching "outside"`)
	j.lightTheme()
	export := j.exportConnection()
	j.importFile(export)
	quit(j.session)

	j.session = launch(t, bin, display, dir, data)
	j.waitText("the local broker running again after the restart", "Running", fmt.Sprintf("127.0.0.1:%d", brokerPort))
	j.waitText("the connection used last, with its history, after the restart", "Mosquitto", "from mosquitto_pub")
	j.shot("journey-restarted")
	quit(j.session)
}

// journey is a session driven step by step, each step checked.
type journey struct{ *session }

// startMosquitto runs Debian's mosquitto on a free loopback port, anonymous
// clients allowed.
func startMosquitto(t *testing.T, dir string) int {
	t.Helper()
	port := freePort(t)
	conf := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, "listener %d 127.0.0.1\nallow_anonymous true\n", port), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("mosquitto", "-c", conf)
	if err := cmd.Start(); err != nil {
		t.Fatalf("mosquitto: %v (make test installs it)", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitListening(t, port)
	return port
}

// mainText is what the main window's content shows.
func (j *journey) mainText(m instrument.UIMap) string {
	if w := m.Window(mainWindow); w != nil {
		return w.Text
	}
	return ""
}

// waitText waits until the main window shows every one of words, with no
// error dialog on it.
func (j *journey) waitText(what string, words ...string) {
	j.t.Helper()
	j.waitMap(what, 20*time.Second, func(m instrument.UIMap) bool {
		j.noErrorDialog(m, what)
		text := j.mainText(m)
		for _, w := range words {
			if !strings.Contains(text, w) {
				return false
			}
		}
		return true
	})
}

// noErrorDialog fails the test if an error dialog is open.
func (j *journey) noErrorDialog(m instrument.UIMap, during string) {
	j.t.Helper()
	w := m.Window(mainWindow)
	if w == nil {
		return
	}
	for _, o := range w.Overlays {
		if strings.Contains(o.Text, "Something went wrong") {
			j.shot("unexpected-error")
			j.t.Fatalf("an error dialog opened while waiting for %s: %s", during, o.Text)
		}
	}
}

// act clicks the enabled control of the top layer that match picks, and
// fails unless the window changes within changeWithin: a click that does
// nothing is a bug. (A race-detector build can take seconds to redraw the
// whole window, as after a change of theme.)
func (j *journey) act(what string, match func(instrument.UIElement) bool) {
	j.t.Helper()
	j.settled("before clicking " + what) // a dialog may still be moving into place
	e, w := j.find(mainWindow, what, match)
	before := j.snapshot().Seq
	j.click(mainWindow, w.Scale, e)
	deadline := time.Now().Add(changeWithin)
	for j.snapshot().Seq == before {
		j.alive("clicking " + what)
		if time.Now().After(deadline) {
			j.shot("nothing-changed")
			j.t.Fatalf("clicking %s changed nothing in the window within %v", what, changeWithin)
		}
		time.Sleep(50 * time.Millisecond)
	}
	j.noErrorDialog(j.settled("clicking "+what), "clicking "+what)
}

const changeWithin = 15 * time.Second

// tap clicks the control labelled text.
func (j *journey) tap(text string) {
	j.t.Helper()
	j.act(text, func(e instrument.UIElement) bool {
		return !slices.Contains(notControls, e.Kind) && (e.Text == text || strings.HasPrefix(e.Text, text+" "))
	})
}

// fill clicks the entry showing shows, selects what it holds and types
// text over it.
func (j *journey) fill(shows, text string) {
	j.t.Helper()
	e, w := j.find(mainWindow, "the field showing "+shows, func(e instrument.UIElement) bool {
		return strings.HasSuffix(strings.ToLower(e.Kind), "entry") && strings.HasPrefix(e.Text, shows)
	})
	j.click(mainWindow, w.Scale, e)
	j.key(mainWindow, "ctrl+a")
	j.typeText(mainWindow, text)
}

func (j *journey) firstStart() {
	j.waitText("the first start's empty window", "No connection open", "No saved connections yet")
	j.shot("journey-first-start")
}

// localBroker moves the broker to free ports in its settings, switches it
// on and checks that its connection opens, connected.
func (j *journey) localBroker() int {
	j.t.Helper()
	tcp, ws := freePort(j.t), freePort(j.t)
	j.act("the local broker's settings", func(e instrument.UIElement) bool { return strings.Contains(e.Icon, "settings") })
	j.expectOverlay(mainWindow, "Bind address", "TCP port")
	j.fill("1883", fmt.Sprint(tcp))
	j.fill("8083", fmt.Sprint(ws))
	j.tap("Save")
	j.waitText("the new port on the broker card", fmt.Sprintf("mqtt://127.0.0.1:%d", tcp))
	j.act("the local broker's switch", func(e instrument.UIElement) bool { return e.Kind == "*ui.toggle" })
	j.waitText("the broker running and its connection open and connected", "Running", "Local broker", "Connected")
	j.shot("journey-local-broker")
	return tcp
}

func (j *journey) connectToMosquitto(port int) {
	j.t.Helper()
	j.key(mainWindow, "ctrl+n")
	j.expectOverlay(mainWindow, "General", "TLS")
	j.key(mainWindow, "ctrl+a")
	j.typeText(mainWindow, "Mosquitto")
	j.fill("1883", fmt.Sprint(port))
	j.tap("Save and connect")
	j.waitText("the connection to mosquitto, connected", "Mosquitto", fmt.Sprintf("127.0.0.1:%d", port), "Connected")
}

func (j *journey) subscribe(filter string) {
	j.t.Helper()
	j.act("the new subscription button", func(e instrument.UIElement) bool {
		return strings.Contains(e.Icon, "content-add") && e.X > 370 && e.Y > 100
	})
	j.expectOverlay(mainWindow, "Topic filter", "Colour")
	j.typeText(mainWindow, filter)
	j.key(mainWindow, "Return")
	j.waitText("the subscription granted", filter, "granted")
}

func (j *journey) publish(topic, payload string) {
	j.t.Helper()
	j.fill("Topic to publish to", topic)
	j.fill("Payload", payload)
	j.tap("Send")
	j.waitText("the message published and received back", topic, "mqttdesk")
	j.shot("journey-published")
}

// search looks for text in the history and waits for the results to say
// found; Esc then clears the search.
func (j *journey) search(text, found string) {
	j.t.Helper()
	j.key(mainWindow, "ctrl+f")
	j.typeText(mainWindow, text)
	j.key(mainWindow, "Return")
	j.waitText("the search results", found)
	j.shot("journey-search")
	j.key(mainWindow, "Escape")
	j.waitMap("Esc to clear the search", 10*time.Second, func(m instrument.UIMap) bool {
		return !strings.Contains(j.mainText(m), found)
	})
}

// lightTheme switches the theme to light in the settings and checks that
// the window is brighter for it.
func (j *journey) lightTheme() {
	j.t.Helper()
	dark := j.brightness("before-light")
	j.key(mainWindow, "ctrl+comma")
	j.expectOverlay(mainWindow, "Theme", "Payload shown up to")
	j.act("the theme select", func(e instrument.UIElement) bool { return e.Kind == "*ui.selectBox" && e.Layer >= 2 })
	j.act("Light", func(e instrument.UIElement) bool { return e.Text == "Light" })
	j.tap("Save")
	j.waitMap("the settings to close", 10*time.Second, func(m instrument.UIMap) bool { return len(m.Window(mainWindow).Overlays) == 0 })
	if light := j.brightness("light"); light <= dark+0.2 {
		j.t.Fatalf("the light theme did not brighten the window: mean %.2f, was %.2f", light, dark)
	}
}

// brightness is the mean grey of a screenshot, from 0 to 1.
func (j *journey) brightness(name string) float64 {
	j.t.Helper()
	path := filepath.Join(j.dir, "journey-"+name+".png")
	screenshot(j.display, path)
	out, err := exec.Command("convert", path, "-colorspace", "Gray", "-format", "%[fx:mean]", "info:").Output()
	if err != nil {
		j.t.Fatalf("convert: %v", err)
	}
	var v float64
	if _, err := fmt.Sscan(string(out), &v); err != nil {
		j.t.Fatalf("convert printed %q", out)
	}
	return v
}

// exportConnection saves the open connection with its history through
// the header's menu and returns the file's path.
func (j *journey) exportConnection() string {
	j.t.Helper()
	j.act("the header's menu", func(e instrument.UIElement) bool { return strings.Contains(e.Icon, "more-vertical") && e.Y < 100 })
	j.tap("Export connection and history…")
	j.expectOverlay(mainWindow, "Save File", "Mosquitto.mqttdesk.json")
	j.tap("Save")
	var path string
	deadline := time.Now().Add(20 * time.Second)
	for path == "" {
		path = findFile(filepath.Join(j.dir, "home"), "Mosquitto.mqttdesk.json")
		if time.Now().After(deadline) {
			j.t.Fatal("the export file did not appear under the home directory")
		}
		time.Sleep(100 * time.Millisecond)
	}
	j.waitMap("the export to finish", 20*time.Second, func(m instrument.UIMap) bool {
		j.noErrorDialog(m, "the export")
		return len(m.Window(mainWindow).Overlays) == 0
	})
	return path
}

// importFile imports path through File → Import… and checks what it
// says it added.
func (j *journey) importFile(path string) {
	j.t.Helper()
	j.tap("File")
	j.tap("Import…")
	j.expectOverlay(mainWindow, "Open File")
	name := filepath.Base(path)
	j.act("the export file", func(e instrument.UIElement) bool {
		return e.Kind == "*dialog.fileDialogItem" && strings.Contains(e.Text, name[:8]) // the grid cuts long names
	})
	j.tap("Open")
	id := j.expectOverlay(mainWindow, "Import finished", "Added 1 connection, 1 subscription and")
	j.shot("journey-imported")
	j.escape(mainWindow, id)
	j.waitMap("two Mosquitto connections in the sidebar", 10*time.Second, func(m instrument.UIMap) bool {
		n := 0
		for _, e := range m.Window(mainWindow).Elements {
			if e.Kind == "*ui.sidebarRow" && strings.HasPrefix(e.Text, "Mosquitto") {
				n++
			}
		}
		return n == 2
	})
}

// findFile returns the path of the first file called name under root, or "".
func findFile(root, name string) string {
	var found string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == name {
			found = p
			return filepath.SkipAll
		}
		return nil
	})
	return found
}
