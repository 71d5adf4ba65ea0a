package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/ui/payload"
)

// searchOptions are the search's refinements beyond its text: a topic
// filter with MQTT wildcards, a regular expression instead of plain text,
// and a time range. They sit in a row the options button shows.
type searchOptions struct {
	row    *fyne.Container
	topic  *entry
	regexp *widget.Check
	since  *selectBox
}

// searchRanges are the time ranges the search offers, newest first.
var searchRanges = []struct {
	label string
	back  time.Duration
}{{"Any time", 0}, {"Last 15 minutes", 15 * time.Minute}, {"Last hour", time.Hour}, {"Last 24 hours", 24 * time.Hour}, {"Last 7 days", 7 * 24 * time.Hour}}

func newSearchOptions(changed func()) *searchOptions {
	o := &searchOptions{topic: newEntry(), regexp: widget.NewCheck("Regular expression", func(bool) { changed() })}
	o.topic.SetPlaceHolder("Topic filter: lab/+/temp, lab/#")
	o.topic.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		return mqtt.ValidateFilter(strings.TrimSpace(s))
	}
	o.topic.OnSubmitted = func(string) { changed() }
	labels := make([]string, len(searchRanges))
	for i, r := range searchRanges {
		labels[i] = r.label
	}
	o.since = newSelect(labels, nil)
	o.since.SetSelectedIndex(0)
	o.since.OnChanged = func(string) { changed() }
	return o
}

// layOut builds the options row: direction, topic filter, regular
// expression, time range and extra, hidden until the options button
// shows it.
func (o *searchOptions) layOut(direction, extra fyne.CanvasObject) {
	// Two rows, so that the options fit a 1024 px screen beside the sidebar.
	o.row = container.NewVBox(
		container.NewBorder(nil, nil, direction, nil, o.topic),
		container.NewHBox(o.regexp, o.since, extra),
	)
	o.row.Hide()
}

// set reports whether an option narrows the search without any text.
func (o *searchOptions) set() bool {
	return strings.TrimSpace(o.topic.Text) != "" || o.since.SelectedIndex() > 0
}

// apply adds the options to q, text being the search box's text.
func (o *searchOptions) apply(q *model.Query, text string) {
	if t := strings.TrimSpace(o.topic.Text); t != "" && o.topic.Validate() == nil {
		q.TopicFilter = t
	}
	if o.regexp.Checked {
		q.Text, q.Regexp = "", text
	}
	if i := o.since.SelectedIndex(); i > 0 {
		q.From = time.Now().Add(-searchRanges[i].back)
	}
}

// filterBar is the row over the messages: search box, the button that
// shows the options row (direction, topic filter, regular expression,
// time range, "Load older") and the payload format; the search summary
// appears under it when used.
func (l *messageList) filterBar() fyne.CanvasObject {
	l.direction = newSelect([]string{"All", "Received", "Published"}, func(s string) {
		l.v.setFilter(func(f *viewFilter) { f.direction = strings.ToLower(strings.TrimPrefix(s, "All")) })
		l.filterChanged()
	})
	l.direction.SetSelected("All")
	l.formatSel = newSelect(payload.Formats, func(s string) {
		l.format = payload.Format(s)
		l.relayout()
		l.detail.refresh()
	})
	l.formatSel.SetSelected(string(payload.Plain))
	l.search = newEntry()
	l.search.SetPlaceHolder("Search the history (Ctrl+F)")
	l.search.OnSubmitted = func(string) { l.startSearch() }
	l.search.OnChanged = func(s string) {
		if s == "" && l.searching && !l.options.set() {
			l.stopSearch()
		}
	}
	l.search.onKey = l.searchKey
	l.options = newSearchOptions(l.optionsChanged)
	find := widget.NewButtonWithIcon("", theme.SearchIcon(), l.startSearch)
	more := widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), func() {
		l.options.row.Hidden = !l.options.row.Hidden
		l.view.Refresh()
	})
	l.info = widget.NewLabel("")
	l.info.Importance = widget.MediumImportance
	l.info.Hide()
	l.more = widget.NewButton("More results", l.searchMore)
	l.more.Hide()
	l.olderBtn = widget.NewButtonWithIcon("Load older", theme.MoveUpIcon(), l.loadOlder)
	l.olderBtn.Importance = widget.LowImportance
	l.options.layOut(l.direction, l.olderBtn)
	right := container.NewHBox(find, more, l.formatSel)
	searchRow := container.NewBorder(nil, nil, nil, right, l.search)
	return container.NewVBox(searchRow, l.options.row, container.NewHBox(l.info, l.more))
}

// optionsChanged searches again when a search is shown or an option now
// narrows it.
func (l *messageList) optionsChanged() {
	if l.searching || l.options.set() || strings.TrimSpace(l.search.Text) != "" {
		l.startSearch()
	}
}

// query is the storage query for the search box's text, the options and
// the view's filter.
func (l *messageList) query(text string) model.Query {
	f := l.v.currentFilter()
	q := model.Query{Text: text, IgnoreCase: true, TopicFilter: f.sub}
	switch f.direction {
	case "received":
		d := model.Received
		q.Direction = &d
	case "published":
		d := model.Published
		q.Direction = &d
	}
	l.options.apply(&q, text)
	return q
}

// searchKey makes Esc in the search box clear the search and close the
// detail pane.
func (l *messageList) searchKey(k *fyne.KeyEvent) bool {
	if k.Name != fyne.KeyEscape {
		return false
	}
	l.escape()
	return true
}

// escape clears the search and its options and closes the detail pane. It
// reports false when there was nothing of that to undo, so that Esc can go
// on to whatever else it does.
func (l *messageList) escape() bool {
	open := l.search.Text != "" || l.searching || l.selected != 0 || l.options.topic.Text != "" || l.options.regexp.Checked
	l.search.SetText("")
	l.options.topic.SetText("")
	l.options.since.SetSelectedIndex(0)
	l.options.regexp.SetChecked(false)
	if l.searching {
		l.stopSearch()
	}
	if l.selected != 0 {
		l.selectMessage(nil)
	}
	return open
}
