package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestSearchOptions: the options row searches by topic filter, regular
// expression and direction; Esc in the search box clears the search and
// closes the detail pane.
func TestSearchOptions(t *testing.T) {
	q := useMainQueue(t)
	w := goldenWindow(t, q)
	l := w.view.messages
	test.Tap(findButtonWithIcon(t, l.view, "more"))
	if !l.options.row.Visible() {
		t.Fatal("the options button did not show the search options")
	}
	l.options.topic.SetText("lab/+")
	l.options.regexp.SetChecked(true)
	l.search.SetText("^(online|[{]\"speed)")
	l.startSearch()
	q.runUntil(t, "the search", func() bool { return l.searching && len(l.results) == 1 })
	if l.items[0].Topic != "lab/status" {
		t.Errorf("topic filter lab/+ and the expression found %s", l.items[0].Topic)
	}
	query := l.query(l.search.Text)
	if query.Regexp == "" || query.Text != "" || query.TopicFilter != "lab/+" {
		t.Errorf("query %+v", query)
	}

	l.selectMessage(&l.items[0])
	l.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if l.searching || l.search.Text != "" || l.selected != 0 || l.options.topic.Text != "" {
		t.Errorf("after Esc: searching %v, text %q, selected %d, topic %q", l.searching, l.search.Text, l.selected, l.options.topic.Text)
	}
}

// findButtonWithIcon returns the first button under o whose icon is named
// like icon (Fyne's icon resource names, such as "more").
func findButtonWithIcon(t *testing.T, o fyne.CanvasObject, icon string) *widget.Button {
	t.Helper()
	for _, c := range test.LaidOutObjects(o) {
		if b, ok := c.(*widget.Button); ok && b.Icon != nil && strings.Contains(b.Icon.Name(), icon) {
			return b
		}
	}
	t.Fatalf("no button with icon %q", icon)
	return nil
}

// TestSearchSaysWhatItLookedFor: the summary names the topic filter and
// the time range, not an empty text and "the whole history"; a bad
// regular expression is one sentence and no older results stay; Esc
// unticks the regular expression.
func TestSearchSaysWhatItLookedFor(t *testing.T) {
	q := useMainQueue(t)
	w := goldenWindow(t, q)
	l := w.view.messages
	l.options.topic.SetText("lab/+")
	l.options.since.SetSelectedIndex(3)
	l.startSearch()
	q.runUntil(t, "the search", func() bool { return l.searching && !strings.HasPrefix(l.info.Text, "Searching") })
	if want := "on lab/+ in the last 24 hours"; !strings.Contains(l.info.Text, want) || strings.Contains(l.info.Text, `""`) {
		t.Errorf("the summary says %q, want it to say %q", l.info.Text, want)
	}

	l.options.regexp.SetChecked(true)
	l.search.SetText("[(")
	l.startSearch()
	q.runUntil(t, "the refusal", func() bool { return !strings.HasPrefix(l.info.Text, "Searching") })
	if !strings.HasPrefix(l.info.Text, "That is not a regular expression: missing closing ]") || len(l.items) != 0 {
		t.Errorf("a bad expression: %q, %d results shown", l.info.Text, len(l.items))
	}
	l.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if l.options.regexp.Checked || l.searching {
		t.Errorf("after Esc: regular expression ticked %v, searching %v", l.options.regexp.Checked, l.searching)
	}
}
