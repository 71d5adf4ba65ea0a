package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// toggle is an on/off switch. Tapping it, or pressing Space while it has
// focus, flips it and calls OnChanged.
type toggle struct {
	widget.DisableableWidget
	On        bool
	OnChanged func(on bool)
	focused   bool
}

var (
	_ fyne.Tappable  = (*toggle)(nil)
	_ fyne.Focusable = (*toggle)(nil)
)

func newToggle(changed func(bool)) *toggle {
	t := &toggle{OnChanged: changed}
	t.ExtendBaseWidget(t)
	return t
}

// SetOn sets the state without calling OnChanged.
func (t *toggle) SetOn(on bool) {
	if t.On != on {
		t.On = on
		t.Refresh()
	}
}

func (t *toggle) Tapped(*fyne.PointEvent) {
	if t.Disabled() {
		return
	}
	t.On = !t.On
	t.Refresh()
	if t.OnChanged != nil {
		t.OnChanged(t.On)
	}
}

func (t *toggle) FocusGained()     { t.focused = true; t.Refresh() }
func (t *toggle) FocusLost()       { t.focused = false; t.Refresh() }
func (t *toggle) TypedRune(r rune) {}
func (t *toggle) TypedKey(e *fyne.KeyEvent) {
	if e.Name == fyne.KeySpace {
		t.Tapped(nil)
	}
}

func (t *toggle) CreateRenderer() fyne.WidgetRenderer {
	r := &toggleRenderer{t: t, track: canvas.NewRectangle(color.Transparent), knob: canvas.NewCircle(color.White)}
	r.Refresh()
	return r
}

type toggleRenderer struct {
	t     *toggle
	track *canvas.Rectangle
	knob  *canvas.Circle
}

var toggleSize = fyne.NewSize(44, 24)

func (r *toggleRenderer) MinSize() fyne.Size { return toggleSize }

func (r *toggleRenderer) Layout(size fyne.Size) {
	top := (size.Height - toggleSize.Height) / 2
	r.track.Move(fyne.NewPos(0, top))
	r.track.Resize(toggleSize)
	d := toggleSize.Height - 6
	x := float32(3)
	if r.t.On {
		x = toggleSize.Width - d - 3
	}
	r.knob.Move(fyne.NewPos(x, top+3))
	r.knob.Resize(fyne.NewSize(d, d))
}

func (r *toggleRenderer) Refresh() {
	r.track.CornerRadius = toggleSize.Height / 2
	r.track.FillColor = theme.Color(theme.ColorNameInputBorder)
	if r.t.On {
		r.track.FillColor = theme.Color(theme.ColorNamePrimary)
	}
	if r.t.Disabled() {
		r.track.FillColor = theme.Color(theme.ColorNameDisabled)
	}
	r.track.StrokeWidth = 0
	if r.t.focused {
		r.track.StrokeColor, r.track.StrokeWidth = theme.Color(theme.ColorNameFocus), 2
	}
	r.knob.FillColor = theme.Color(theme.ColorNameBackground)
	r.Layout(r.t.Size())
	r.track.Refresh()
	r.knob.Refresh()
}

func (r *toggleRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.track, r.knob} }
func (r *toggleRenderer) Destroy()                     {}
