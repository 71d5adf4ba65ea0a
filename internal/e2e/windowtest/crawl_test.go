package windowtest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mqttdesk/mqttdesk/ui/instrument"
)

// crawler clicks every control the window shows, one at a time, as a
// curious user would: whatever opens (a dialog, a pop-up menu, a window)
// is explored in turn, to a depth, and closed again with Esc or its
// Cancel button. Buttons that delete are not pressed; their dialogs are
// opened and cancelled.
type crawler struct {
	s          *session
	visited    map[string]bool
	present    map[string]int // when each control was first seen: the generation
	generation int
	perKind    map[string]int
	opened     map[string]int // what opened, by its first words
	texts      []string       // the text of each overlay opened
	log        []string
	clicks     int
}

const (
	exploreDepth    = 2   // the window, and what it opens; deeper dialogs are opened and closed
	clicksPerScope  = 130 // a bound for each window, dialog or menu explored
	clicksPerKind   = 8   // list rows and the like: a few of each kind are enough
	closeAttempts   = 5
	signatureLength = 40
)

// notControls are interactive to Fyne but not controls a user aims at:
// the backdrop of an overlay, whole lists, scroll areas.
var notControls = []string{
	"*widget.OverlayContainer", "*widget.PopUp", "*widget.PopUpMenu", "*widget.Menu", "*glfw.menuBarUnderlay",
	"*widget.List", "*widget.Scroll", "*widget.scrollBarArea", "*widget.Table", "*widget.GridWrap", "*widget.Tree",
}

// endsSession reports whether e quits the app.
func endsSession(e instrument.UIElement) bool { return strings.HasPrefix(e.Text, "Quit") }

// closers are the labels of buttons that close a dialog: they are
// clicked after everything else in it.
var closers = []string{"Cancel", "Close", "OK", "Save", "Save and connect", "Subscribe", "Create", "Yes", "No", "Delete", "Clear", "Open", "Done"}

func closes(e instrument.UIElement) int {
	if slices.Contains(closers, e.Text) || strings.Contains(e.Icon, "cancel") {
		return 1
	}
	return 0
}

// switches reports, as 1, whether e changes which connection the window
// shows (a row of the sidebar, the local broker's switch): those come
// after the open connection's own controls.
func switches(w *instrument.UIWindow, e instrument.UIElement) int {
	if e.X < w.Width*0.3 && (e.Kind == "*widget.listItem" || e.Kind == "*ui.toggle") {
		return 1
	}
	return 0
}

// everyOneCounts reports whether each control of e's kind is clicked,
// not only the first clicksPerKind: buttons, and the items of a menu,
// which are few and each do something else.
func everyOneCounts(e instrument.UIElement) bool {
	return e.Kind == "*widget.Button" || e.Kind == "*widget.menuItem"
}

func newCrawler(s *session) *crawler {
	return &crawler{s: s, visited: map[string]bool{}, present: map[string]int{}, perKind: map[string]int{}, opened: map[string]int{}}
}

var digits = regexp.MustCompile(`[0-9]+`)

// key names e within scope: counters and times are left out, so a row
// whose numbers moved is the same row, and its place tells apart controls
// that look the same (the three Browse buttons of the TLS tab, the menu
// buttons of the header and of a subscription).
func key(scope string, e instrument.UIElement) string {
	text := digits.ReplaceAllString(e.Text, "#")
	if len(text) > 60 {
		text = text[:60]
	}
	return fmt.Sprintf("%s|%d|%s|%s|%s|%d,%d", scope, e.Layer, e.Kind, text, e.Icon, int(e.X)/100, int(e.Y)/30)
}

// keys names each candidate (see key).
func keys(scope string, candidates []instrument.UIElement) []string {
	out := make([]string, len(candidates))
	for i, e := range candidates {
		out[i] = key(scope, e)
	}
	return out
}

// next picks the next control of w to click in scope: on the top layer,
// the menu bar's open menus first.
func (c *crawler) next(w *instrument.UIWindow, scope string) (instrument.UIElement, bool) {
	top := w.TopLayer()
	menu := top == 0 && menuActive(w) // the menu covers the content and takes the click
	var candidates []instrument.UIElement
	for _, e := range w.Elements {
		onTop := e.Layer == top || (top == 0 && e.Layer == 1)
		if menu {
			onTop = e.Layer == 1 && e.Kind != "*glfw.menuBarItem"
		}
		if !onTop || e.Disabled || slices.Contains(notControls, e.Kind) || endsSession(e) {
			continue
		}
		candidates = append(candidates, e)
	}
	slices.SortStableFunc(candidates, func(a, b instrument.UIElement) int {
		if a.Layer != b.Layer {
			return b.Layer - a.Layer
		}
		if ma, mb := a.Kind == "*widget.menuItem", b.Kind == "*widget.menuItem"; ma != mb {
			if ma {
				return -1
			}
			return 1
		}
		if sa, sb := switches(w, a), switches(w, b); sa != sb {
			return sa - sb
		}
		return closes(a) - closes(b)
	})
	// What the latest clicks brought (a tab's page, a pane) comes first.
	c.generation++
	names := keys(scope, candidates)
	for _, k := range names {
		if c.present[k] == 0 {
			c.present[k] = c.generation
		}
	}
	order := make([]int, len(candidates))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return c.present[names[b]] - c.present[names[a]] })
	for _, i := range order {
		e, k := candidates[i], names[i]
		kind := fmt.Sprintf("%s|%s|%d", scope, e.Kind, int(e.X)/300) // rows of one list
		if c.visited[k] || (!everyOneCounts(e) && c.perKind[kind] >= clicksPerKind) {
			continue
		}
		c.visited[k] = true
		if e.Danger {
			c.note("%s: not pressing %q (it deletes)", scope, e.Text)
			continue
		}
		c.perKind[kind]++
		return e, true
	}
	return instrument.UIElement{}, false
}

// scope is what is being explored: a window, or a dialog, pop-up or menu
// in it, which stays explored while open says so.
type scope struct {
	name  string
	title string // the window
	depth int
	open  func(*instrument.UIWindow) bool
	files bool // a file dialog: opened and closed, never explored, so nothing is saved over a real file
}

func windowScope(title string, depth int) scope {
	return scope{name: title, title: title, depth: depth, open: func(w *instrument.UIWindow) bool { return len(w.Overlays) == 0 && !menuActive(w) }}
}

// menuActive reports whether a menu of w's menu bar is open.
func menuActive(w *instrument.UIWindow) bool {
	for _, e := range w.Elements {
		if e.Kind == "*glfw.menuBarUnderlay" {
			return true
		}
	}
	return false
}

// explore clicks through sc until none of its controls is left to click,
// and reports whether it ended because sc closed instead (a menu closes
// when one of its items is clicked). A window whose dialogs were left
// open is brought back first.
func (c *crawler) explore(sc scope) (closed bool) {
	for range clicksPerScope {
		m := c.s.snapshot()
		w := m.Window(sc.title)
		if w == nil {
			return true
		}
		if !sc.open(w) {
			if sc.depth > 0 {
				return true
			}
			c.closeOverlays(sc.title, &instrument.UIWindow{})
			c.closeMenu(sc.title, &instrument.UIWindow{})
			continue
		}
		e, ok := c.next(w, sc.name)
		if !ok {
			return false
		}
		c.clicks++
		what := fmt.Sprintf("clicking %s %q (icon %s) in %s", e.Kind, e.Text, e.Icon, sc.name)
		c.note("%s", what)
		c.s.click(sc.title, w.Scale, e)
		c.react(m, c.s.settled(what), sc, e)
	}
	c.note("%s: stopped after %d clicks", sc.name, clicksPerScope)
	return false
}

// reopenings bounds how often a menu is opened again to reach its other
// items.
const reopenings = 20

// react explores and closes whatever clicking opener opened in sc. A menu
// that closed when one of its items was clicked is opened again, by the
// same click, until each of its items has been clicked.
func (c *crawler) react(before, after instrument.UIMap, sc scope, opener instrument.UIElement) {
	for _, w := range after.Windows {
		if before.Window(w.Title) == nil {
			c.newWindow(w.Title, sc)
		}
	}
	bw := before.Window(sc.title)
	if bw == nil {
		return
	}
	defer c.closeMenu(sc.title, bw)
	defer c.closeOverlays(sc.title, bw)
	for range reopenings {
		child, ok := c.opening(bw, after.Window(sc.title), sc, opener)
		if !ok || sc.depth+1 >= exploreDepth || child.files || !c.explore(child) {
			return
		}
		c.closeOverlays(sc.title, bw)
		c.closeMenu(sc.title, bw)
		c.note("%s: opening it again", child.name)
		w := c.s.snapshot().Window(sc.title)
		c.s.click(sc.title, w.Scale, opener)
		after = c.s.settled("opening " + child.name + " again")
	}
}

// opening returns the scope of what a click on opener opened in sc: a
// dialog or pop-up (a new overlay), or a menu of the menu bar.
func (c *crawler) opening(before, after *instrument.UIWindow, sc scope, opener instrument.UIElement) (scope, bool) {
	if after == nil {
		return scope{}, false
	}
	// The opener's column tells apart menus opened by alike buttons (a
	// sidebar row's, the header's): each is explored in full.
	name := fmt.Sprintf("%s > [%s %s%s @%d]", sc.name, opener.Kind, digits.ReplaceAllString(opener.Text, "#"), opener.Icon, int(opener.X)/300)
	if top, ok := newOverlay(before, after); ok {
		c.record(sc, top.Text)
		files := strings.Contains(top.Text, "Save File") || strings.Contains(top.Text, "Open File")
		return scope{name: name, title: sc.title, depth: sc.depth + 1, open: func(w *instrument.UIWindow) bool { return topOverlay(w) == top.ID }, files: files}, true
	}
	if menuActive(after) && !menuActive(before) {
		c.record(sc, "menu "+opener.Text)
		return scope{name: name, title: sc.title, depth: sc.depth + 1, open: func(w *instrument.UIWindow) bool { return menuActive(w) && len(w.Overlays) == 0 }}, true
	}
	return scope{}, false
}

func (c *crawler) record(sc scope, text string) {
	sig := signature(text)
	if c.opened[sig] == 0 {
		c.texts = append(c.texts, text)
		c.s.shot(sig)
	}
	c.opened[sig]++
	c.note("%s: opened %q", sc.name, sig)
}

// topOverlay returns the ID of w's top overlay, or "".
func topOverlay(w *instrument.UIWindow) string {
	if len(w.Overlays) == 0 {
		return ""
	}
	return w.Overlays[len(w.Overlays)-1].ID
}

// newWindow explores a window that a click in sc opened, then closes it
// with Esc.
func (c *crawler) newWindow(title string, sc scope) {
	c.record(sc, "window: "+title)
	c.s.shot(title)
	if sc.depth+1 < exploreDepth {
		c.explore(windowScope(title, sc.depth+1))
	}
	c.s.key(title, "Escape")
	c.s.waitMap("the window "+title+" to close on Esc", 5*time.Second, func(m instrument.UIMap) bool { return m.Window(title) == nil })
	delete(c.s.windows, title)
}

// closeMenu closes a menu of window title's menu bar that before did not
// have open, with a click beside it.
func (c *crawler) closeMenu(title string, before *instrument.UIWindow) {
	w := c.s.snapshot().Window(title)
	if w == nil || !menuActive(w) || menuActive(before) {
		return
	}
	c.s.clickAt(title, int((w.Width-3)*w.Scale), int((w.Height-3)*w.Scale))
	c.s.settled("closing a menu")
}

// newOverlay returns the top overlay of after when before did not have it.
func newOverlay(before, after *instrument.UIWindow) (instrument.UIOverlay, bool) {
	if len(after.Overlays) == 0 {
		return instrument.UIOverlay{}, false
	}
	top := after.Overlays[len(after.Overlays)-1]
	for _, o := range before.Overlays {
		if o.ID == top.ID {
			return instrument.UIOverlay{}, false
		}
	}
	return top, true
}

// signature names an overlay by its first words.
func signature(text string) string {
	text = digits.ReplaceAllString(text, "#")
	if len(text) > signatureLength {
		text = text[:signatureLength]
	}
	return strings.TrimSpace(text)
}

// closeOverlays closes, top first, every overlay of window title that
// before did not have: with Esc, else its Cancel or Close button, else a
// click beside it.
func (c *crawler) closeOverlays(title string, before *instrument.UIWindow) {
	c.s.t.Helper()
	for attempt := 0; ; attempt++ {
		w := c.s.snapshot().Window(title)
		if w == nil {
			return
		}
		top, ok := newOverlay(before, w)
		if !ok {
			if len(w.Overlays) > len(before.Overlays) { // an older new one
				w.Overlays = w.Overlays[:len(w.Overlays)-1]
				if top, ok = newOverlay(before, w); !ok {
					return
				}
			} else {
				return
			}
		}
		if attempt == closeAttempts {
			c.s.shot("cannot-close")
			c.s.t.Fatalf("could not close %q with Esc, Cancel or a click beside it", signature(top.Text))
		}
		c.close(title, w, attempt)
		c.s.settled("closing " + signature(top.Text))
	}
}

func (c *crawler) close(title string, w *instrument.UIWindow, attempt int) {
	if attempt == 0 {
		c.s.key(title, "Escape")
		return
	}
	for _, label := range []string{"Cancel", "Close", "No", "OK", "Dismiss"} {
		for _, e := range w.Elements {
			if e.Layer == w.TopLayer() && e.Text == label {
				c.s.click(title, w.Scale, e)
				return
			}
		}
	}
	c.s.clickAt(title, int((w.Width-3)*w.Scale), int((w.Height-3)*w.Scale))
}

func (c *crawler) note(format string, args ...any) {
	c.log = append(c.log, fmt.Sprintf(format, args...))
}

// sawOverlay reports whether an overlay showing all of words was opened.
func (c *crawler) sawOverlay(words ...string) bool {
	for _, text := range append(c.texts, c.s.opened...) {
		all := true
		for _, w := range words {
			all = all && strings.Contains(text, w)
		}
		if all {
			return true
		}
	}
	return false
}
