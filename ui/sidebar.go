package ui

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
)

// sidebarItem is one row of the connection list: a folder header or a
// connection.
type sidebarItem struct {
	folder  string // the header's folder, when profile is nil
	profile *model.Profile
	matched []int // byte offsets of the name's characters that matched the search
}

// connectionsCore is what the sidebar needs from the core: the saved
// connections, filtered, and their folders and order. FilterProfiles and
// Folders block briefly; the others write the store.
type connectionsCore interface {
	FilterProfiles(pattern string) ([]model.Profile, []model.FuzzyMatch, error)
	Folders() ([]string, error)
	AddFolder(name string) error
	MoveProfile(id, folder string, order int) error
	ReorderProfile(id string, delta int) error
}

// sidebar is the searchable list of saved connections under the broker
// card, grouped in folders.
type sidebar struct {
	w         *Window
	core      connectionsCore
	search    *entry
	list      *widget.List
	hint      *widget.Label
	view      fyne.CanvasObject
	items     []sidebarItem
	status    map[string]app.ConnSummary
	collapsed map[string]bool
	selected  string // the profile shown in the main area
	loaded    bool   // the list has been read once
}

func newSidebar(w *Window, core connectionsCore) *sidebar {
	s := &sidebar{w: w, core: core, status: map[string]app.ConnSummary{}, collapsed: map[string]bool{}}
	s.search = newEntry()
	s.search.SetPlaceHolder("Filter connections")
	s.search.OnChanged = func(string) { s.reload() }
	s.list = widget.NewList(func() int { return len(s.items) }, newSidebarRow, s.updateRow)
	s.list.OnSelected = s.tapped
	s.hint = widget.NewLabel("No saved connections yet: add one with +, or switch on the local broker.")
	s.hint.Wrapping = fyne.TextWrapWord
	s.hint.Importance = widget.MediumImportance
	title := widget.NewLabelWithStyle("Connections", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	add := widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { w.newConnection("") })
	folder := widget.NewButtonWithIcon("", theme.FolderNewIcon(), s.newFolder)
	add.Importance, folder.Importance = widget.LowImportance, widget.LowImportance
	head := container.NewBorder(nil, nil, nil, container.NewHBox(folder, add), title)
	top := container.NewVBox(widget.NewSeparator(), head, s.search, s.hint)
	s.view = container.NewBorder(top, nil, nil, nil, s.list)
	s.reload()
	return s
}

// reload reads the saved connections, filtered by the search box, off the
// Fyne goroutine and redraws.
func (s *sidebar) reload() {
	pattern := s.search.Text
	type result struct {
		profiles []model.Profile
		matches  []model.FuzzyMatch
		folders  []string
	}
	inBackground(func() (result, error) {
		p, m, err := s.core.FilterProfiles(pattern)
		if err != nil {
			return result{}, err
		}
		f, err := s.core.Folders()
		return result{p, m, f}, err
	}, func(r result, err error) {
		if err != nil {
			s.hint.SetText(app.UserMessage(err))
			s.hint.Show()
			return
		}
		s.items = groupByFolder(r.profiles, r.matches, r.folders, pattern != "", s.collapsed)
		if !s.loaded {
			s.loaded = true
			s.openLastUsed(r.profiles)
		}
		s.hint.Hidden = len(r.profiles) > 0 || pattern != ""
		s.hint.Refresh()
		s.list.UnselectAll()
		s.list.Refresh()
	})
}

// groupByFolder lays out the rows: connections without a folder first,
// then each folder's header and connections. While searching, folders
// without a match are left out and none is collapsed.
func groupByFolder(profiles []model.Profile, matches []model.FuzzyMatch, folders []string, searching bool, collapsed map[string]bool) []sidebarItem {
	var items []sidebarItem
	add := func(folder string) {
		for i := range profiles {
			if profiles[i].Folder == folder {
				items = append(items, sidebarItem{profile: &profiles[i], matched: matches[i].Matched})
			}
		}
	}
	add("")
	for _, f := range folders {
		start := len(items)
		items = append(items, sidebarItem{folder: f})
		if collapsed[f] && !searching {
			continue
		}
		add(f)
		if searching && len(items) == start+1 {
			items = items[:start]
		}
	}
	return items
}

// openLastUsed shows the connection used last, as the user left it.
func (s *sidebar) openLastUsed(profiles []model.Profile) {
	var last *model.Profile
	for i := range profiles {
		if p := &profiles[i]; !p.LastUsed.IsZero() && (last == nil || p.LastUsed.After(last.LastUsed)) {
			last = p
		}
	}
	if last != nil && s.w.view == nil {
		s.w.open(*last)
	}
}

// showStatus draws the connections' states and unread counts.
func (s *sidebar) showStatus(st map[string]app.ConnSummary) {
	if sameStatus(s.status, st) {
		return
	}
	s.status = st
	s.list.Refresh()
}

func sameStatus(a, b map[string]app.ConnSummary) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func (s *sidebar) tapped(id widget.ListItemID) {
	s.list.Unselect(id)
	item := s.items[id]
	if item.profile == nil {
		s.collapsed[item.folder] = !s.collapsed[item.folder]
		s.reload()
		return
	}
	s.w.open(*item.profile)
	s.list.Refresh()
}

// menu is the row's "…" menu.
func (s *sidebar) menu(p model.Profile) *fyne.Menu {
	w := s.w
	connectItem := fyne.NewMenuItem("Connect", func() { w.connect(p) })
	if st := s.status[p.ID]; st.State != "" && st.State != "disconnected" {
		connectItem = fyne.NewMenuItem("Disconnect", func() { w.disconnect(p.ID) })
	}
	return fyne.NewMenu("",
		connectItem,
		fyne.NewMenuItem("Edit…", func() { w.editConnection(p) }),
		fyne.NewMenuItem("Clone", func() { w.cloneConnection(p) }),
		fyne.NewMenuItem("Move to folder…", func() { s.moveToFolder(p) }),
		s.moveItem("Move up", p, -1),
		s.moveItem("Move down", p, 1),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Delete…", func() { w.deleteConnection(p) }),
	)
}

// moveItem is the menu item that moves p by delta within its folder,
// disabled where p already is first (or last) there.
func (s *sidebar) moveItem(label string, p model.Profile, delta int) *fyne.MenuItem {
	item := fyne.NewMenuItem(label, func() { s.reorder(p, delta) })
	item.Disabled = !s.canMove(p, delta)
	return item
}

// canMove reports whether p has a neighbour in its folder on the delta
// side. While searching, some rows are hidden, so moving is allowed.
func (s *sidebar) canMove(p model.Profile, delta int) bool {
	if s.search.Text != "" {
		return true
	}
	i := slices.IndexFunc(s.items, func(it sidebarItem) bool { return it.profile != nil && it.profile.ID == p.ID })
	j := i + delta
	return i >= 0 && j >= 0 && j < len(s.items) && s.items[j].profile != nil && s.items[j].profile.Folder == p.Folder
}

func (s *sidebar) reorder(p model.Profile, delta int) {
	inBackground(func() (struct{}, error) { return struct{}{}, s.core.ReorderProfile(p.ID, delta) },
		func(_ struct{}, err error) { s.w.afterCommand(err) })
}

// moveToFolder asks for a folder, existing or new; empty moves the
// connection to the top level.
func (s *sidebar) moveToFolder(p model.Profile) {
	folders, _ := s.core.Folders()
	choice := widget.NewSelectEntry(folders)
	choice.SetText(p.Folder)
	choice.SetPlaceHolder("Folder name; empty for none")
	items := []*widget.FormItem{{Text: "Folder", Widget: choice, HintText: "choose one, or type a new name"}}
	d := dialog.NewForm("Move "+p.Options.Name, "Move", "Cancel", items,
		func(ok bool) {
			if !ok {
				return
			}
			folder := strings.TrimSpace(choice.Text)
			inBackground(func() (struct{}, error) { return struct{}{}, s.core.MoveProfile(p.ID, folder, p.Order) },
				func(_ struct{}, err error) { s.w.afterCommand(err) })
		}, s.w.Window)
	d.Resize(fyne.NewSize(420, 0))
	s.w.showForm(d, items)
}

func (s *sidebar) newFolder() {
	name := newEntry()
	name.SetPlaceHolder("Production, Lab, Customer A…")
	items := []*widget.FormItem{{Text: "Name", Widget: name}}
	d := dialog.NewForm("New folder", "Create", "Cancel", items,
		func(ok bool) {
			folder := strings.TrimSpace(name.Text) // read here: the widget is the Fyne goroutine's
			if !ok || folder == "" {
				return
			}
			inBackground(func() (struct{}, error) { return struct{}{}, s.core.AddFolder(folder) },
				func(_ struct{}, err error) { s.w.afterCommand(err) })
		}, s.w.Window)
	d.Resize(fyne.NewSize(380, 0))
	s.w.showForm(d, items)
}

// countLabel says n in a badge: 999+ beyond that.
func countLabel(n int) string {
	if n > 999 {
		return "999+"
	}
	return fmt.Sprint(n)
}
