package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

func widgetVBox(objects ...fyne.CanvasObject) *fyne.Container {
	return container.NewVBox(objects...)
}

// flowLayout places its objects left to right at their own width, as an
// HBox does, and wraps them onto more rows when the width it is given is
// too small, so that a row of buttons never makes a pane wider than the
// window. Its height is that of the rows at the width it was last laid
// out at: put it in a headLayout, which lays the head out at its width
// before it measures it.
type flowLayout struct{ rows int }

func (f *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	cell := largest(objs)
	rows := float32(max(f.rows, 1))
	return fyne.NewSize(cell.Width, rows*cell.Height+(rows-1)*theme.Padding())
}

func (f *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad, height := theme.Padding(), largest(objs).Height
	var x, y float32
	f.rows = 1
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		w := o.MinSize().Width
		if x > 0 && x+w > size.Width {
			x, y = 0, y+height+pad
			f.rows++
		}
		o.Resize(fyne.NewSize(w, height))
		o.Move(fyne.NewPos(x, y))
		x += w + pad
	}
}

// largest is the widest and the tallest of the visible objects' minimum
// sizes.
func largest(objs []fyne.CanvasObject) fyne.Size {
	var size fyne.Size
	for _, o := range objs {
		if o.Visible() {
			size = size.Max(o.MinSize())
		}
	}
	return size
}

// headLayout is a Border layout with a top only: its first object, the
// head, over the second, which takes the rest. It lays the head out at
// the full width before it measures its height, so that a head whose
// height follows its width (a flowLayout in it) is placed right in one
// pass.
type headLayout struct{}

func (headLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	head, body := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(head.Width, body.Width), head.Height+theme.Padding()+body.Height)
}

func (headLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	head, body := objs[0], objs[1]
	head.Resize(fyne.NewSize(size.Width, head.MinSize().Height))
	h := head.MinSize().Height // now at this width
	head.Resize(fyne.NewSize(size.Width, h))
	head.Move(fyne.NewPos(0, 0))
	body.Move(fyne.NewPos(0, h+theme.Padding()))
	body.Resize(fyne.NewSize(size.Width, max(size.Height-h-theme.Padding(), 0)))
}
