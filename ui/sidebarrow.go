package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/model"
)

// sidebarRow draws one sidebarItem: a folder header, or a connection with
// its status dot, name (search matches highlighted), address, unread
// badge and menu.
type sidebarRow struct {
	widget.BaseWidget
	header     *fyne.Container
	selection  *canvas.Rectangle // behind the open connection's row
	folderName *widget.Label
	body       *fyne.Container
	dot        *canvas.Circle
	name       *widget.RichText
	host       *widget.Label
	badge      *fyne.Container
	badgeText  *canvas.Text
	menuButton *widget.Button
	profile    model.Profile
	onMenu     func(model.Profile, *widget.Button)
	menuAt     func(model.Profile, fyne.Position) // the right-click menu; nil on folder headers
	onTap      func()                             // what a tap on the row does: the list's own
}

// Tapped does what a tap on the list row does. Fyne hands a click to the
// row, not to the list item under it, once the row takes right-clicks.
func (r *sidebarRow) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap()
	}
}

// TappedSecondary opens the connection's menu where the user right-clicked.
func (r *sidebarRow) TappedSecondary(e *fyne.PointEvent) {
	if r.menuAt != nil && !r.body.Hidden {
		r.menuAt(r.profile, e.AbsolutePosition)
	}
}

func newSidebarRow() fyne.CanvasObject {
	r := &sidebarRow{}
	r.folderName = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.header = container.NewBorder(nil, nil, widget.NewIcon(theme.FolderIcon()), nil,
		container.NewVBox(layout.NewSpacer(), r.folderName, layout.NewSpacer()))
	r.dot = newDot(stateColor("", false), 10)
	r.name = widget.NewRichText()
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.host = widget.NewLabel("")
	r.host.SizeName = theme.SizeNameCaptionText
	r.host.Truncation = fyne.TextTruncateEllipsis
	r.badgeText = canvas.NewText("", theme.Color(theme.ColorNameForegroundOnPrimary))
	r.badgeText.TextSize = theme.CaptionTextSize()
	r.badgeText.TextStyle.Bold = true
	bg := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	bg.CornerRadius = 8
	r.badge = container.NewStack(bg, container.New(badgeLayout{}, r.badgeText))
	r.menuButton = widget.NewButtonWithIcon("", theme.MoreHorizontalIcon(), func() {
		if r.onMenu != nil {
			r.onMenu(r.profile, r.menuButton)
		}
	})
	r.menuButton.Importance = widget.LowImportance
	texts := container.New(tightVBox{}, r.name, r.host)
	right := container.NewHBox(container.NewCenter(r.badge), r.menuButton)
	r.body = container.NewBorder(nil, nil, container.New(dotBox{10}, r.dot), right, texts)
	r.selection = canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
	r.selection.CornerRadius = theme.InputRadiusSize()
	r.ExtendBaseWidget(r)
	return r
}

func (r *sidebarRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(r.selection, r.header, r.body))
}

// showSelected marks the row as the open connection's, or not.
func (r *sidebarRow) showSelected(selected bool) {
	r.selection.Hidden = !selected
	r.selection.FillColor = theme.Color(theme.ColorNameSelection)
	r.selection.Refresh()
}

func (s *sidebar) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r := o.(*sidebarRow)
	item := s.items[id]
	r.onTap = func() { s.list.Select(id) }
	r.header.Hidden, r.body.Hidden = item.profile != nil, item.profile == nil
	if item.profile == nil {
		name := item.folder
		if s.collapsed[item.folder] {
			name += " (folded)"
		}
		r.folderName.SetText(name)
		r.showSelected(false)
		return
	}
	p := *item.profile
	r.profile = p
	r.onMenu = func(p model.Profile, b *widget.Button) { showMenuBelow(s.menu(p), b) }
	r.menuAt = func(p model.Profile, at fyne.Position) { showMenuAt(s.menu(p), r, at) }
	st := s.status[p.ID]
	r.dot.FillColor = stateColor(st.State, st.Err != "")
	r.dot.Refresh()
	r.showSelected(p.ID == s.selected)
	r.name.Segments = highlighted(p.Options.Name, item.matched, p.ID == s.selected)
	r.name.Refresh()
	r.host.SetText(p.Options.URL())
	r.badge.Hidden = st.Unread == 0 || p.ID == s.selected
	r.badgeText.Text = countLabel(st.Unread)
	r.badge.Refresh()
}

// highlighted splits name into segments, the matched characters in the
// primary colour.
func highlighted(name string, matched []int, bold bool) []widget.RichTextSegment {
	isMatch := map[int]bool{}
	for _, i := range matched {
		isMatch[i] = true
	}
	var segs []widget.RichTextSegment
	run, runMatch := "", false
	flush := func() {
		if run == "" {
			return
		}
		style := widget.RichTextStyleStrong
		style.Inline = true
		style.TextStyle.Bold = bold || runMatch
		if runMatch {
			style.ColorName = theme.ColorNamePrimary
		}
		segs = append(segs, &widget.TextSegment{Text: run, Style: style})
		run = ""
	}
	for i, c := range name {
		if isMatch[i] != runMatch {
			flush()
			runMatch = isMatch[i]
		}
		run += string(c)
	}
	flush()
	if len(segs) == 0 {
		segs = append(segs, &widget.TextSegment{Text: " ", Style: widget.RichTextStyleInline})
	}
	return segs
}

// badgeLayout pads the badge text into a pill.
type badgeLayout struct{}

func (badgeLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := objs[0].MinSize()
	return fyne.NewSize(max(s.Width+12, 20), s.Height+4)
}

func (badgeLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	s := objs[0].MinSize()
	objs[0].Resize(s)
	objs[0].Move(fyne.NewPos((size.Width-s.Width)/2, (size.Height-s.Height)/2))
}

// tightVBox stacks objects with no padding between them, for a title over
// its caption.
type tightVBox struct{}

func (tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if o.Visible() {
			m := o.MinSize()
			s.Width = max(s.Width, m.Width)
			s.Height += m.Height - 2*theme.Padding()
		}
	}
	s.Height += 2 * theme.Padding()
	return s
}

func (tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h - 2*theme.Padding()
	}
}
