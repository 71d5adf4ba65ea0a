package windowtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/ui/instrument"
)

// binary returns the mqttdesk binary to drive: MQTTDESK_BIN, which `make
// window` sets. Without it the test is skipped, unless
// MQTTDESK_REQUIRE_WINDOW is set, when it fails.
func binary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("MQTTDESK_BIN")
	if bin == "" {
		if os.Getenv("MQTTDESK_REQUIRE_WINDOW") != "" {
			t.Fatal("MQTTDESK_BIN does not name the mqttdesk binary to drive")
		}
		t.Skip("drives the real window: run `make window` (needs Xvfb and xdotool)")
	}
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run `make deps-test`", tool)
		}
	}
	return bin
}

// lockedBuffer collects a process's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// session is one run of the window.
type session struct {
	t       *testing.T
	display string
	dir     string // the test's files: data, map, screenshots
	mapPath string
	cmd     *exec.Cmd
	out     *lockedBuffer
	exited  chan struct{}
	windows map[string]string // window title → X window ID
	opened  []string          // the text of every dialog the steps opened on purpose
}

// launch starts bin with the window on display and data in dataDir.
func launch(t *testing.T, bin, display, dir, dataDir string) *session {
	t.Helper()
	s := &session{t: t, display: display, dir: dir, mapPath: filepath.Join(dir, "uimap.json"), out: &lockedBuffer{}, exited: make(chan struct{}), windows: map[string]string{}}
	home := filepath.Join(dir, "home") // where file dialogs open and save
	runtimeDir := filepath.Join(dir, "run")
	for _, d := range []string{filepath.Join(home, ".cache"), filepath.Join(home, ".config"), runtimeDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	_ = os.Remove(s.mapPath) // an earlier run's map would pass for this one's
	s.cmd = exec.Command(bin, "--data-dir", dataDir)
	s.cmd.Env = append(os.Environ(), "DISPLAY="+display, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_RUNTIME_DIR="+runtimeDir,
		"MQTTDESK_KEYRING=off", "MQTTDESK_UI_MAP="+s.mapPath)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
		_ = os.WriteFile(filepath.Join(dir, "app.log"), []byte(s.out.String()), 0o600)
	})
	s.waitMap("the main window", 30*time.Second, func(m instrument.UIMap) bool { return m.Window("mqttdesk") != nil })
	return s
}

// problems are what the app must never print.
var problems = regexp.MustCompile(`panic:|DATA RACE|fatal error:|should have been called in fyne.Do`)

// alive fails the test if the app has exited or reported a crash.
func (s *session) alive(after string) {
	s.t.Helper()
	select {
	case <-s.exited:
		s.t.Fatalf("mqttdesk exited after %s (%v):\n%s", after, s.cmd.ProcessState, tail(s.out.String()))
	default:
	}
	if loc := problems.FindStringIndex(s.out.String()); loc != nil {
		s.t.Fatalf("mqttdesk reported a problem after %s:\n%s", after, tail(s.out.String()[loc[0]:]))
	}
}

func tail(s string) string {
	if len(s) > 6000 {
		return s[:6000] + "\n…"
	}
	return s
}

// snapshot reads the newest map.
func (s *session) snapshot() instrument.UIMap {
	s.t.Helper()
	var m instrument.UIMap
	for range 50 {
		b, err := os.ReadFile(s.mapPath)
		if err == nil && json.Unmarshal(b, &m) == nil {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("no UI map at %s", s.mapPath)
	return m
}

// waitMap waits until cond holds for the map and returns that map.
func (s *session) waitMap(what string, limit time.Duration, cond func(instrument.UIMap) bool) instrument.UIMap {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if _, err := os.Stat(s.mapPath); err == nil {
			if m := s.snapshot(); cond(m) {
				return m
			}
		}
		s.alive("waiting for " + what)
		if time.Now().After(deadline) {
			s.shot("timeout")
			s.t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// settled waits for the window to react to an action, until its map has
// stopped changing for a moment (at most a few seconds: a race-detector
// build is slow to open a dialog), and returns the map.
func (s *session) settled(after string) instrument.UIMap {
	s.t.Helper()
	time.Sleep(300 * time.Millisecond)
	m := s.snapshot()
	still := time.Now()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		now := s.snapshot()
		if now.Seq != m.Seq {
			m, still = now, time.Now()
		} else if time.Since(still) >= 350*time.Millisecond {
			break
		}
	}
	s.alive(after)
	return m
}

// xid returns the X window ID of the window titled title.
func (s *session) xid(title string) string {
	s.t.Helper()
	if id, ok := s.windows[title]; ok {
		return id
	}
	var out string
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		out, err = xdotool(s.display, "search", "--onlyvisible", "--name", "^"+regexp.QuoteMeta(title)+"$")
		if err == nil && out != "" {
			break
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no X window titled %q: %v", title, err)
		}
	}
	id := strings.Fields(out)[0]
	s.windows[title] = id
	return id
}

// click moves the pointer to the middle of e in window title and clicks.
func (s *session) click(title string, scale float32, e instrument.UIElement) {
	s.t.Helper()
	s.clickAt(title, int((e.X+e.W/2)*scale), int((e.Y+e.H/2)*scale))
}

// clickAt clicks at a point of window title, in pixels. The pointer
// rests there a moment first, as a hand's does: a press that arrives with
// the motion can reach Fyne before it has seen the pointer move, and land
// where the pointer was.
func (s *session) clickAt(title string, x, y int) {
	s.t.Helper()
	if _, err := xdotool(s.display, "mousemove", "--window", s.xid(title), fmt.Sprint(x), fmt.Sprint(y)); err != nil {
		s.t.Fatal(err)
	}
	time.Sleep(80 * time.Millisecond)
	if _, err := xdotool(s.display, "click", "1"); err != nil {
		s.t.Fatal(err)
	}
}

// key gives window title the focus and presses keys (xdotool names, such
// as "ctrl+n" or "Escape").
func (s *session) key(title string, keys ...string) {
	s.t.Helper()
	if _, err := xdotool(s.display, "windowfocus", "--sync", s.xid(title)); err != nil {
		s.t.Fatal(err)
	}
	if _, err := xdotool(s.display, append([]string{"key", "--clearmodifiers"}, keys...)...); err != nil {
		s.t.Fatal(err)
	}
}

// typeText types text into whatever has the focus in window title.
func (s *session) typeText(title, text string) {
	s.t.Helper()
	if _, err := xdotool(s.display, "windowfocus", "--sync", s.xid(title)); err != nil {
		s.t.Fatal(err)
	}
	if _, err := xdotool(s.display, "type", "--delay", "20", text); err != nil {
		s.t.Fatal(err)
	}
}

var shotCount int

// shot saves a screenshot named after what it shows.
func (s *session) shot(name string) {
	shotCount++
	screenshot(s.display, filepath.Join(s.dir, fmt.Sprintf("%03d-%s.png", shotCount, sanitize(name))))
}

func sanitize(s string) string {
	s = regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(s, "-")
	if len(s) > 40 {
		s = s[:40]
	}
	return strings.Trim(s, "-")
}
