package instrument

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/ui"
)

// The UI map lets a test drive the real window as a user does, with the
// pointer and the keyboard under Xvfb: it lists what the window shows that
// a user can act on, where it is, and what it says. mqttdesk writes it when
// the MQTTDESK_UI_MAP environment variable names a file.

// UIMap is what PublishUIMap writes: every window, newest state.
type UIMap struct {
	Seq     int        `json:"seq"`
	Windows []UIWindow `json:"windows"`
}

// UIWindow is one window and what it shows.
type UIWindow struct {
	Title    string      `json:"title"`
	Scale    float32     `json:"scale"` // pixels per Fyne unit
	Width    float32     `json:"width"` // in Fyne units
	Height   float32     `json:"height"`
	Text     string      `json:"text"`     // what the window's content shows, its first few thousand characters
	Overlays []UIOverlay `json:"overlays"` // the dialogs and pop-ups open, oldest first; the top one takes the input
	Elements []UIElement `json:"elements"`
}

// UIOverlay is a dialog or pop-up: an ID that stays while it is open, and
// the text it shows (its title first, for a dialog).
type UIOverlay struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// UIElement is something a user can tap or type into. Its position and
// size are in Fyne units from the window's top left, clipped to what is
// visible.
type UIElement struct {
	Kind     string  `json:"kind"` // the Go type, such as "*widget.Button"
	Text     string  `json:"text"` // the text it and its parts show
	Icon     string  `json:"icon,omitempty"`
	Layer    int     `json:"layer"` // 0 the window's content, 1 its menu bar, 2 and up its overlays, oldest first
	Disabled bool    `json:"disabled,omitempty"`
	Danger   bool    `json:"danger,omitempty"` // a button that deletes or cannot be undone
	Focused  bool    `json:"focused,omitempty"`
	X        float32 `json:"x"`
	Y        float32 `json:"y"`
	W        float32 `json:"w"`
	H        float32 `json:"h"`
}

// uiMapEvery is how often the map is brought up to date.
const uiMapEvery = 150 * time.Millisecond

// PublishUIMap keeps path up to date with the map of every window of the
// app, rewriting it (atomically) whenever it changes. mqttdesk calls it
// when MQTTDESK_UI_MAP names a file, for the tests that drive the window.
func PublishUIMap(path string) {
	go func() {
		var last []byte
		seq := 0
		for range time.Tick(uiMapEvery) {
			var m UIMap
			if !ui.OnMainWait(func() { m = readUIMap() }) {
				return // the window has closed
			}
			b, _ := json.Marshal(m.Windows)
			if bytes.Equal(b, last) {
				continue
			}
			last, seq = b, seq+1
			m.Seq = seq
			writeUIMap(path, m)
		}
	}()
}

func writeUIMap(path string, m UIMap) {
	b, err := json.MarshalIndent(m, "", " ")
	if err == nil {
		err = os.WriteFile(path+".tmp", b, 0o600)
	}
	if err == nil {
		err = os.Rename(path+".tmp", path)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "mqttdesk: UI map: %v\n", err)
	}
}

// readUIMap maps every window. Call it on the Fyne goroutine.
func readUIMap() UIMap {
	var m UIMap
	for _, win := range fyne.CurrentApp().Driver().AllWindows() {
		c := win.Canvas()
		uw := UIWindow{Title: win.Title(), Scale: c.Scale(), Width: c.Size().Width, Height: c.Size().Height}
		var texts map[int]string
		uw.Elements, texts = mapCanvas(c)
		uw.Text = texts[0]
		for i, o := range c.Overlays().List() {
			uw.Overlays = append(uw.Overlays, UIOverlay{ID: fmt.Sprintf("%p", o), Text: texts[firstOverlayLayer+i]})
		}
		m.Windows = append(m.Windows, uw)
	}
	return m
}

// mapper collects the elements of one canvas as its object trees are
// walked, depth first.
type mapper struct {
	focused  fyne.Focusable
	texts    map[int]string // the text shown on each layer
	layer    int
	roots    int
	stack    []frame
	elements []UIElement
}

// frame is an object being walked: its visible rectangle, the rectangle
// it shows its children in, and the element it is part of (an index into
// elements, or -1).
type frame struct {
	obj      fyne.CanvasObject
	min, max fyne.Position // the visible part
	clipMin  fyne.Position // what its children may show in
	clipMax  fyne.Position
	element  int
}

// firstOverlayLayer is the layer of the oldest overlay.
const firstOverlayLayer = 2

// mapCanvas returns what c shows that a user can act on, and the text
// each layer shows.
func mapCanvas(c fyne.Canvas) ([]UIElement, map[int]string) {
	m := &mapper{focused: c.Focused(), texts: map[int]string{}}
	hasMenu := false
	if t, ok := c.(interface{ ObjectTrees() []fyne.CanvasObject }); ok {
		hasMenu = len(t.ObjectTrees()) > 1+len(c.Overlays().List())
	}
	window := frame{clipMax: fyne.Position{X: c.Size().Width, Y: c.Size().Height}, element: -1}
	walkCanvas(c, func(obj fyne.CanvasObject, pos fyne.Position) {
		parent := window
		if len(m.stack) == 0 {
			m.layer = m.roots
			if m.roots > 0 && !hasMenu {
				m.layer++
			}
			m.roots++
		} else {
			parent = m.stack[len(m.stack)-1]
		}
		m.enter(obj, pos, parent)
	}, func() { m.stack = m.stack[:len(m.stack)-1] })
	return m.elements, m.texts
}

// enter records obj, at pos inside parent, on the way down the tree.
func (m *mapper) enter(obj fyne.CanvasObject, pos fyne.Position, parent frame) {
	f := frame{obj: obj, element: parent.element}
	f.min, f.max = maxPos(pos, parent.clipMin), minPos(pos.Add(obj.Size()), parent.clipMax)
	f.clipMin, f.clipMax = parent.clipMin, parent.clipMax
	if isScroll(obj) {
		f.clipMin, f.clipMax = f.min, f.max
	}
	visible := f.max.X > f.min.X && f.max.Y > f.min.Y
	if visible && interactive(obj) {
		f.element = len(m.elements)
		m.elements = append(m.elements, m.element(obj, f))
	}
	if f.element >= 0 && visible {
		m.describe(&m.elements[f.element], obj)
	}
	if t, ok := obj.(*canvas.Text); ok && visible && len(m.texts[m.layer]) < m.textLimit() {
		m.texts[m.layer] = strings.TrimSpace(m.texts[m.layer] + " " + t.Text)
	}
	m.stack = append(m.stack, f)
}

// textLimit bounds the text kept of the current layer: more of the
// window's content, where the messages are, than of a dialog.
func (m *mapper) textLimit() int {
	if m.layer == 0 {
		return 8000
	}
	return 500
}

func (m *mapper) element(obj fyne.CanvasObject, f frame) UIElement {
	e := UIElement{Kind: reflect.TypeOf(obj).String(), Layer: m.layer, X: f.min.X, Y: f.min.Y, W: f.max.X - f.min.X, H: f.max.Y - f.min.Y}
	if d, ok := obj.(fyne.Disableable); ok {
		e.Disabled = d.Disabled()
	}
	if b, ok := obj.(*widget.Button); ok {
		e.Danger = b.Importance == widget.DangerImportance
	}
	if fo, ok := obj.(fyne.Focusable); ok && m.focused != nil && fo == m.focused {
		e.Focused = true
	}
	return e
}

// describe adds what obj shows to element e: its text and icon names.
func (m *mapper) describe(e *UIElement, obj fyne.CanvasObject) {
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && len(e.Text) < 300 {
			e.Text = strings.TrimSpace(e.Text + " " + s)
		}
	}
	switch o := obj.(type) {
	case *canvas.Text:
		add(o.Text)
	case *canvas.Image:
		if o.Resource != nil && e.Icon == "" {
			e.Icon = o.Resource.Name()
		}
	}
}

func interactive(obj fyne.CanvasObject) bool {
	switch obj.(type) {
	case fyne.Tappable, fyne.Focusable, fyne.SecondaryTappable, fyne.DoubleTappable:
		return true
	}
	return false
}

// isScroll reports whether obj clips what it shows, as Fyne's scrolling
// containers do.
func isScroll(obj fyne.CanvasObject) bool {
	_, ok := obj.(fyne.Scrollable)
	return ok
}

func minPos(a, b fyne.Position) fyne.Position {
	return fyne.Position{X: min(a.X, b.X), Y: min(a.Y, b.Y)}
}

func maxPos(a, b fyne.Position) fyne.Position {
	return fyne.Position{X: max(a.X, b.X), Y: max(a.Y, b.Y)}
}

// walkCanvas walks every visible object of c (content, menu bar and
// overlays, in that order), giving each object's absolute position, with
// after called once an object's children are done. Fyne keeps this walk,
// the one its painter uses, behind an exported method of its internal
// canvas type, reached here through reflection; it reports false when the
// canvas has none (Fyne's test driver).
func walkCanvas(c fyne.Canvas, before func(fyne.CanvasObject, fyne.Position), after func()) bool {
	walk := reflect.ValueOf(c).MethodByName("WalkTrees")
	if !walk.IsValid() || walk.Type().NumIn() != 2 {
		return false
	}
	callback := func(fn func(reflect.Value, fyne.Position)) reflect.Value {
		return reflect.MakeFunc(walk.Type().In(0), func(args []reflect.Value) []reflect.Value {
			fn(args[0], args[1].Interface().(fyne.Position))
			return nil
		})
	}
	walk.Call([]reflect.Value{
		callback(func(node reflect.Value, pos fyne.Position) {
			obj, _ := node.MethodByName("Obj").Call(nil)[0].Interface().(fyne.CanvasObject)
			if obj == nil {
				obj = canvas.NewRectangle(nil) // keeps before and after paired
			}
			before(obj, pos)
		}),
		callback(func(reflect.Value, fyne.Position) { after() }),
	})
	return true
}

// Window returns the window titled title, or nil.
func (m UIMap) Window(title string) *UIWindow {
	for i := range m.Windows {
		if m.Windows[i].Title == title {
			return &m.Windows[i]
		}
	}
	return nil
}

// TopLayer returns the layer that takes the input: the newest overlay, or
// 0 (the content and the menu bar) when none is open.
func (w *UIWindow) TopLayer() int {
	if len(w.Overlays) == 0 {
		return 0
	}
	return firstOverlayLayer + len(w.Overlays) - 1
}

// Find returns the first element on layer (-1: any) whose text contains
// text, or false.
func (w *UIWindow) Find(layer int, text string) (UIElement, bool) {
	for _, e := range w.Elements {
		if (layer < 0 || e.Layer == layer) && strings.Contains(e.Text, text) {
			return e, true
		}
	}
	return UIElement{}, false
}
