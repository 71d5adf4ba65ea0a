package ui

import (
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// viewFilter says which messages the view shows.
type viewFilter struct {
	direction string // "", "received" or "published"
	sub       string // a subscription's topic filter, or ""
}

func (f viewFilter) keep(m *app.ViewMessage) bool {
	switch {
	case f.direction == "received" && m.Outgoing, f.direction == "published" && !m.Outgoing:
		return false
	case f.sub != "" && !mqtt.MatchTopic(f.sub, m.Topic):
		return false
	}
	return true
}

// viewSnapshot is what one refresh tick read for the view.
type viewSnapshot struct {
	state    app.ConnState
	messages []app.ViewMessage
	filter   viewFilter // the filter the messages were read with
	stored   int64      // -1: not read this tick
	err      error
}

// conversationCore is what a connection's view needs from the core: its
// state and newest messages for the refresh loop, and what its parts
// need. Messages and HistoryCount block briefly; see each part for the
// rest.
type conversationCore interface {
	State(id string) app.ConnState
	Messages(id string, keep func(*app.ViewMessage) bool) ([]app.ViewMessage, error)
	MarkRead(id string)
	HistoryCount(id string) (int64, error)
	historyReader
	publisher
	subscriber
	historyKeeper
	payloadSettings
}

// connView is one connection's view: header, subscriptions, messages,
// composer and status bar.
type connView struct {
	w        *Window
	core     conversationCore
	id       string        // profile.ID, fixed: the refresh loop reads it off the Fyne goroutine
	profile  model.Profile // touched on the Fyne goroutine only
	content  fyne.CanvasObject
	header   *viewHeader
	subs     *subsPanel
	messages *messageList
	composer *composer
	status   *widget.Label

	mu         sync.Mutex // guards filter and lastStored, read by the refresh loop
	filter     viewFilter
	lastStored time.Time
	flashUntil time.Time // the status line shows a notice until then
}

func newConnView(w *Window, core conversationCore, p model.Profile) *connView {
	v := &connView{w: w, core: core, id: p.ID, profile: p}
	v.header = newViewHeader(v, core)
	v.subs = newSubsPanel(v, core)
	v.messages = newMessageList(v, core, core)
	v.composer = newComposer(v, core)
	v.status = widget.NewLabel("")
	v.status.SizeName = theme.SizeNameCaptionText
	v.status.Importance = widget.MediumImportance
	center := container.NewHSplit(v.subs.view, v.messages.view)
	center.Offset = 0.24
	// The composer's problem shows in the status line's place, so that
	// nothing moves when one comes or goes.
	statusRow := container.NewStack(v.status, v.composer.problem)
	bottom := container.NewVBox(widget.NewSeparator(), v.composer.view, statusRow)
	v.content = container.NewBorder(v.header.view, bottom, nil, nil, center)
	v.header.show(p)
	w.current.Store(v)
	go v.w.refreshView() // the first frame does not wait for a change
	return v
}

// close stops the view's updates.
func (v *connView) close() {
	v.w.current.CompareAndSwap(v, nil)
}

// setFilter changes what the message list shows and reads it again.
func (v *connView) setFilter(change func(*viewFilter)) {
	v.mu.Lock()
	change(&v.filter)
	v.mu.Unlock()
	go v.w.refreshView()
}

func (v *connView) currentFilter() viewFilter {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.filter
}

// read gathers the view's data. It runs on the refresh loop, off the Fyne
// goroutine, and clears the unread count since the user is looking.
func (v *connView) read() viewSnapshot {
	id := v.id
	f := v.currentFilter()
	snap := viewSnapshot{state: v.core.State(id), filter: f, stored: -1}
	snap.messages, snap.err = v.core.Messages(id, f.keep)
	if snap.state.Unread > 0 {
		v.core.MarkRead(id)
	}
	v.mu.Lock()
	due := time.Since(v.lastStored) >= time.Second
	if due {
		v.lastStored = time.Now()
	}
	v.mu.Unlock()
	if due {
		snap.stored, _ = v.core.HistoryCount(id)
	}
	return snap
}

// show draws a snapshot on the Fyne goroutine.
func (v *connView) show(s viewSnapshot) {
	if v.w.current.Load() != v {
		return
	}
	v.header.showState(s.state)
	v.composer.stateShown(s.state.State)
	v.subs.show(s.state.Subscriptions)
	if s.filter == v.currentFilter() {
		v.messages.showLive(s.messages)
	}
	if s.stored >= 0 {
		v.showStatus(s.state, s.stored)
	}
}

func (v *connView) showStatus(st app.ConnState, stored int64) {
	if time.Now().Before(v.flashUntil) {
		return
	}
	v.status.SetText(fmt.Sprintf("In %s · Out %s · %s stored · %s in and %s out since connecting",
		rate(st.InRate), rate(st.OutRate), thousands(stored), thousands(st.MessagesIn), thousands(st.MessagesOut)))
}

// thousands writes n with thousands separators: 1,234,567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
