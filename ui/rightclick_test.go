package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// rowOf returns the first laid-out object of type T in w's content.
func rowOf[T fyne.CanvasObject](t *testing.T, w *Window) T {
	t.Helper()
	return firstOf[T](t, w.Canvas().Content())
}

// menuText is the labels of the pop-up menu on top of w.
func menuText(w *Window) string {
	var labels []string
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	for _, o := range test.LaidOutObjects(top) {
		switch l := o.(type) {
		case *widget.Label:
			labels = append(labels, l.Text)
		case *canvas.Text:
			labels = append(labels, l.Text)
		}
	}
	return strings.Join(labels, " ")
}

// TestRightClickMenus: a connection and a subscription open their menus
// where they are right-clicked.
func TestRightClickMenus(t *testing.T) {
	q := useMainQueue(t)
	w := goldenWindow(t, q)
	for name, row := range map[string]fyne.SecondaryTappable{
		"connection":   rowOf[*sidebarRow](t, w),
		"subscription": rowOf[*subRow](t, w),
	} {
		row.TappedSecondary(&fyne.PointEvent{AbsolutePosition: fyne.NewPos(100, 300)})
		want := map[string]string{"connection": "Move to folder", "subscription": "Copy filter"}[name]
		if got := menuText(w); !strings.Contains(got, want) {
			t.Errorf("right-click on a %s: menu %q, want %q in it", name, got, want)
		}
		w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	}
}

// TestRowsThatTakeRightClicksStillTakeClicks: Fyne gives a click to the
// innermost object that takes any kind of tap, so a row that takes
// right-clicks must pass a plain click on to its list.
func TestRowsThatTakeRightClicksStillTakeClicks(t *testing.T) {
	q := useMainQueue(t)
	w := goldenWindow(t, q)

	sub := rowOf[*subRow](t, w)
	sub.Tapped(&fyne.PointEvent{})
	if got := w.view.currentFilter().sub; got != sub.sub.Filter {
		t.Errorf("a click on subscription %q: the view shows %q only, want %q", sub.sub.Filter, got, sub.sub.Filter)
	}

	w.view.close()
	w.view, w.connections.selected = nil, ""
	rowOf[*sidebarRow](t, w).Tapped(&fyne.PointEvent{})
	if w.view == nil {
		t.Fatal("a click on the saved connection did not open it")
	}
}
