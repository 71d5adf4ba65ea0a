package ui

import (
	"cmp"
	"context"
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/ui/payload"
)

// olderPage is how many messages "Load older" and a search page read.
const olderPage = 500

// messageList is the chat of a connection: a filter bar, the virtualized
// list of messages and, for the selected one, the detail pane.
// historyReader is what the message list needs from the core: older
// pages of the history and searches of it. Both block.
type historyReader interface {
	Older(id string, seq uint64, n int) ([]app.ViewMessage, error)
	Search(ctx context.Context, id string, q model.Query, before uint64, limit int) ([]app.ViewMessage, uint64, error)
}

type messageList struct {
	v    *connView
	core historyReader
	view fyne.CanvasObject
	list *widget.List
	body *fyne.Container
	// listPart is the list with the "new messages below" marker over it.
	listPart *fyne.Container
	newBelow *messagesBelow
	// builtHeight is the row height rows were built for: the scroll offset
	// is in it until the list is drawn again.
	builtHeight float32
	// detailOffset is where the user left the splitter over the detail pane.
	detailOffset float64

	live, older []app.ViewMessage
	results     []app.ViewMessage // search results, while searching
	searching   bool
	searchNext  uint64
	items       []app.ViewMessage // what the list shows
	rows        []rowRef          // the list's rows: parts of items
	previews    previewCache
	compact     bool // one row a message
	format      payload.Format
	subs        []app.SubState
	colors      map[string]color.Color // topic → colour of its first subscription
	selected    uint64                 // Seq of the selected message, 0 for none
	detail      *messageDetail

	direction *selectBox
	search    *entry
	options   *searchOptions
	info      *widget.Label
	more      *widget.Button
	olderBtn  *widget.Button
	formatSel *selectBox
}

func newMessageList(v *connView, core historyReader, settings payloadSettings) *messageList {
	l := &messageList{v: v, core: core, format: payload.Plain, colors: map[string]color.Color{}}
	l.compact = settings.AppSettings().CompactMessages
	l.list = widget.NewList(func() int { return len(l.rows) }, l.newRow, l.updateRow)
	l.list.OnSelected = l.tapped
	l.list.HideSeparators = true
	l.detail = newMessageDetail(l, settings)
	watch := &widthWatch{changed: l.relayout}
	l.newBelow = newMessagesBelow(l.scrollToNewest)
	l.listPart = container.NewStack(container.New(watch, container.NewThemeOverride(l.list, padlessTheme{})), l.newBelow.layer)
	l.body = container.NewStack(l.listPart)
	l.view = container.NewBorder(l.filterBar(), nil, nil, nil, l.body)
	return l
}

// subsChanged recolours the messages after the subscriptions changed.
func (l *messageList) subsChanged(subs []app.SubState) {
	l.subs = subs
	clear(l.colors)
	l.list.Refresh()
}

// colorOf returns the colour of the most specific (longest) subscription
// matching the message's topic, cached per topic.
func (l *messageList) colorOf(m *app.ViewMessage) color.Color {
	if m.Outgoing {
		return theme.Color(theme.ColorNamePrimary)
	}
	if c, ok := l.colors[m.Topic]; ok {
		return c
	}
	c := color.Color(theme.Color(theme.ColorNameDisabled))
	best := -1
	for i, s := range l.subs {
		if mqtt.MatchTopic(s.Filter, m.Topic) && len(s.Filter) > best {
			c, best = subColor(s.Subscription, i), len(s.Filter)
		}
	}
	l.colors[m.Topic] = c
	return c
}

func (l *messageList) newRow() fyne.CanvasObject {
	r := newMessageRow().(*messageRow)
	r.layout.compact = l.compact
	r.onTap = l.tapped
	r.onMenu = l.menuAt
	return r
}

func (l *messageList) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	ref := l.rows[i]
	m := &l.items[ref.item]
	text := ""
	if lines := l.previewLines(m, currentRowMetrics()); ref.line < len(lines) {
		text = lines[ref.line]
	}
	r := o.(*messageRow)
	r.index = i
	r.show(ref, m, text, l.colorOf(m), m.Seq == l.selected)
}

// relayout wraps the previews again, as after the list's width, the
// format or the mode changed.
func (l *messageList) relayout() {
	atBottom, top := l.atBottom(), l.topItem()
	l.buildRows()
	l.list.Refresh()
	switch {
	case atBottom:
		l.list.ScrollToBottom()
	case top >= 0: // the message at the top stays there
		l.list.ScrollToOffset(float32(l.firstRowOf(top)) * l.builtHeight)
	}
}

// topItem is the index of the message at the top of the list, or -1.
func (l *messageList) topItem() int {
	if l.builtHeight <= 0 {
		return -1
	}
	if i := int(l.list.GetScrollOffset() / l.builtHeight); i < len(l.rows) {
		return l.rows[i].item
	}
	return -1
}

// showLive draws the newest messages the refresh loop read, keeping the
// list at the bottom if it was there.
func (l *messageList) showLive(msgs []app.ViewMessage) {
	l.live = msgs
	if !l.searching {
		l.setItems(l.liveItems())
	}
}

func (l *messageList) liveItems() []app.ViewMessage {
	if len(l.older) == 0 {
		return l.live
	}
	keep := l.v.currentFilter().keep
	items := make([]app.ViewMessage, 0, len(l.older)+len(l.live))
	for i := range l.older {
		if keep(&l.older[i]) && (len(l.live) == 0 || l.older[i].Seq < l.live[0].Seq) {
			items = append(items, l.older[i])
		}
	}
	return append(items, l.live...)
}

// setItems replaces the list's messages and scrolls to the newest when the
// user was looking at the newest.
func (l *messageList) setItems(items []app.ViewMessage) {
	atBottom := l.atBottom()
	l.newBelow.arrived(l.items, items, atBottom)
	l.items = items
	l.buildRows()
	l.list.Refresh()
	if atBottom {
		l.list.ScrollToBottom()
	}
	if len(items) > 0 && l.v.w.onMessagesShown != nil {
		l.v.w.onMessagesShown()
	}
}

func (l *messageList) atBottom() bool {
	h := cmp.Or(l.builtHeight, l.rowHeight())
	content := float32(len(l.rows)) * h
	return l.list.GetScrollOffset()+l.list.Size().Height >= content-h
}

// filterChanged drops what was read with the previous filter.
func (l *messageList) filterChanged() {
	if l.searching {
		l.startSearch()
	}
}

// tapped opens the message of row i in the detail pane, or closes the
// pane when that message is open.
func (l *messageList) tapped(i widget.ListItemID) {
	l.list.Unselect(i)
	if i >= len(l.rows) {
		return
	}
	m := l.items[l.rows[i].item]
	if m.Seq == l.selected {
		l.selectMessage(nil)
		return
	}
	l.selectMessage(&m)
}

// selectMessage shows m in the detail pane; nil closes it.
func (l *messageList) selectMessage(m *app.ViewMessage) {
	if open, ok := l.body.Objects[0].(*container.Split); ok {
		l.detailOffset = open.Offset // kept for the next message opened
	}
	if m == nil {
		l.selected = 0
		l.body.Objects = []fyne.CanvasObject{l.listPart}
	} else {
		l.selected = m.Seq
		l.detail.show(*m)
		split := container.NewVSplit(l.listPart, l.detail.view)
		split.Offset = cmp.Or(l.detailOffset, 0.5)
		l.body.Objects = []fyne.CanvasObject{split}
	}
	l.body.Refresh()
	l.list.Refresh()
}

// loadOlder reads the page of history before the oldest message shown.
func (l *messageList) loadOlder() {
	if len(l.items) == 0 || l.searching {
		return
	}
	first := l.items[0].Seq
	id := l.v.profile.ID
	l.olderBtn.Disable()
	inBackground(func() ([]app.ViewMessage, error) { return l.core.Older(id, first, olderPage) },
		func(page []app.ViewMessage, err error) {
			l.olderBtn.Enable()
			if err != nil {
				l.v.w.showError(err)
				return
			}
			if len(page) == 0 {
				l.info.SetText("This is the beginning of the history.")
				l.info.Show()
				return
			}
			l.older = append(page, l.older...)
			l.items = l.liveItems()
			l.buildRows()
			l.list.Refresh()
			l.list.ScrollTo(l.firstRowOf(len(page)))
		})
}

// clearOlder forgets the pages read from history, as when it is cleared.
func (l *messageList) clearOlder() {
	l.older = nil
	l.selectMessage(nil)
}

// startSearch searches the whole history with the search box's text,
// the search options and the current filter.
func (l *messageList) startSearch() {
	text := strings.TrimSpace(l.search.Text)
	if text == "" && !l.options.set() {
		l.stopSearch()
		return
	}
	l.searching, l.results, l.searchNext = true, nil, 0
	l.newBelow.button.Hide() // results are no live messages
	l.runSearch(text)
}

func (l *messageList) searchMore() {
	if l.searching && l.searchNext != 0 {
		l.runSearch(strings.TrimSpace(l.search.Text))
	}
}

func (l *messageList) runSearch(text string) {
	q := l.query(text)
	id, before := l.v.profile.ID, l.searchNext
	l.info.SetText("Searching the history…")
	l.info.Show()
	type page struct {
		msgs []app.ViewMessage
		next uint64
	}
	inBackground(func() (page, error) {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		msgs, next, err := l.core.Search(ctx, id, q, before, olderPage)
		return page{msgs, next}, err
	}, func(p page, err error) {
		if !l.searching || strings.TrimSpace(l.search.Text) != text {
			return // the search changed meanwhile
		}
		if err != nil { // such as a bad regular expression
			l.info.SetText(app.UserMessage(err))
			l.more.Hide()
			l.items = l.results // this search's pages so far, no older search's
			l.buildRows()
			l.list.Refresh()
			return
		}
		l.results = append(p.msgs, l.results...)
		l.searchNext = p.next
		l.info.SetText(searchSummary(len(l.results), l.searchWhat(text), p.next != 0))
		l.more.Hidden = p.next == 0
		l.more.Refresh()
		l.items = l.results
		l.buildRows()
		l.list.Refresh()
		l.list.ScrollToBottom()
	})
}

// searchSummary says how many messages were found, and what for: what
// is searchWhat's words.
func searchSummary(n int, what string, more bool) string {
	if more {
		return fmt.Sprintf("The newest %s %s; older ones may match too", plural(int64(n), "message"), what)
	}
	return fmt.Sprintf("%s %s", plural(int64(n), "message"), what)
}

// searchWhat says in words what the search box's text and the options
// look for: `matching "abc" on lab/+ in the last hour`.
func (l *messageList) searchWhat(text string) string {
	var parts []string
	switch {
	case text != "" && l.options.regexp.Checked:
		parts = append(parts, fmt.Sprintf("matching /%s/", text))
	case text != "":
		parts = append(parts, fmt.Sprintf("matching %q", text))
	}
	if t := strings.TrimSpace(l.options.topic.Text); t != "" {
		parts = append(parts, "on "+t)
	}
	if i := l.options.since.SelectedIndex(); i > 0 {
		parts = append(parts, "in the "+strings.ToLower(searchRanges[i].label))
	} else {
		parts = append(parts, "in the whole history")
	}
	return strings.Join(parts, " ")
}

// stopSearch goes back to the live messages.
func (l *messageList) stopSearch() {
	l.searching, l.results, l.searchNext = false, nil, 0
	l.info.Hide()
	l.more.Hide()
	l.setItems(l.liveItems())
	l.list.ScrollToBottom()
	l.newBelow.button.Hide() // the newest are in sight
}
