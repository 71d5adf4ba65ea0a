package ui

import (
	"context"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/assets"
	"github.com/mqttdesk/mqttdesk/model"
)

// Core is what the window needs from app.App: what each view declares
// beside it (connectionsCore, conversationCore, editorCore, settingsCore,
// brokerCore, logSource), connection commands, and the change counter the
// refresh loop polls. Methods that may block are called off the Fyne
// goroutine (see inBackground).
type Core interface {
	connectionsCore
	conversationCore
	editorCore
	settingsCore
	brokerCore
	connectionCommands
	importer
	Version() uint64
	DataDir() string // where connections, history and broker files live
	Overview() map[string]app.ConnSummary
	AutoConnect(ctx context.Context)
}

// connectionCommands are the window's commands on a saved connection:
// all block, Connect for up to the connect timeout.
type connectionCommands interface {
	Connect(ctx context.Context, id string) error
	Disconnect(ctx context.Context, id string) error
	CloneProfile(id string) (model.Profile, error)
	DeleteProfile(ctx context.Context, id string) error
}

// refreshEvery is how often the window looks for changes in the core's
// state: 20 times a second; a stream of changes is drawn at busyEvery.
const refreshEvery = 50 * time.Millisecond

// brokerEvery is how often the local broker card is redrawn.
const brokerEvery = 500 * time.Millisecond

// Window is mqttdesk's main window.
type Window struct {
	fyne.Window
	core        Core
	broker      *brokerCard
	connections *sidebar
	main        *fyne.Container          // the empty state or the open connection's view
	view        *connView                // nil while no connection is shown
	current     atomic.Pointer[connView] // view, for the refresh loop
	dialogs     dialogStack
	logs        logWindows // protocol log windows open
	// unzoomed is the window's size before zooming in grew it; zooming
	// back gives it that size again, as Fyne never shrinks a window.
	unzoomed fyne.Size
	// onMessagesShown, when set, is called on the Fyne goroutine each time
	// the shown connection's message list is filled (see OnMessagesShown).
	onMessagesShown func()
}

// Create builds the main window for core. The window refreshes itself until
// it is closed.
func Create(a fyne.App, core Core) *Window {
	windowGone.Store(false)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	applyTheme(a, core.AppSettings().Theme)
	w := &Window{Window: a.NewWindow("mqttdesk"), core: core}
	w.connections = newSidebar(w, core)
	w.broker = newBrokerCard(core, w.Window, &w.dialogs, w.brokerStarted)
	side := container.NewBorder(w.broker.card, nil, nil, nil, w.connections.view)
	w.main = container.NewStack(newEmptyState())
	split := container.NewHSplit(side, w.main)
	split.Offset = 0.26
	w.SetContent(split)
	w.SetMainMenu(w.menu())
	w.SetOnDropped(w.dropped)
	w.listenForEscape()
	w.Resize(fyne.NewSize(1280, 800))
	w.SetMaster()

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.refreshLoop(ctx)
	}()
	go core.AutoConnect(ctx)
	w.SetOnClosed(func() { // the loop has ended when the window is gone
		windowGone.Store(true)
		stop()
		<-done
		if w.view != nil {
			w.view.close()
		}
	})
	return w
}

// open shows connection p in the main area.
func (w *Window) open(p model.Profile) {
	if w.view != nil && w.view.profile.ID == p.ID {
		w.view.profile = p
		w.view.header.show(p)
		return
	}
	if w.view != nil {
		w.view.close()
	}
	w.view = newConnView(w, w.core, p)
	w.main.Objects = []fyne.CanvasObject{w.view.content}
	w.main.Refresh()
	w.connections.selected = p.ID
	w.core.MarkRead(p.ID)
}

// closeView goes back to the empty state, as when the shown connection
// is deleted.
func (w *Window) closeView() {
	if w.view != nil {
		w.view.close()
	}
	w.view = nil
	w.main.Objects = []fyne.CanvasObject{newEmptyState()}
	w.main.Refresh()
}

// refreshLoop reads the core's state on a ticker and hands at most one
// update per tick to the Fyne goroutine, whatever happens in between.
// While the last update has not run (the loop is busy painting), the tick
// is skipped: Fyne runs one posted function per turn of its loop, so
// posting faster than it paints would queue clicks and keys behind a
// growing backlog of redraws.
func (w *Window) refreshLoop(ctx context.Context) {
	t := time.NewTicker(refreshEvery)
	defer t.Stop()
	var seen uint64
	var changes pace
	var lastBroker time.Time
	var pending atomic.Bool
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if pending.Load() {
				continue
			}
			var draws []func()
			if now.Sub(lastBroker) >= brokerEvery {
				lastBroker = now
				draws = append(draws, w.readBroker(now))
			}
			if v := w.core.Version(); v == seen {
				changes.quiet()
			} else if changes.due(now) {
				seen = v
				draws = append(draws, w.readChanges()...)
			}
			if len(draws) == 0 {
				continue
			}
			pending.Store(true)
			onMain(func() {
				defer pending.Store(false)
				for _, draw := range draws {
					draw()
				}
			})
		}
	}
}

// readBroker reads the local broker's state and returns what draws it,
// with the countdown to the open connection's next attempt.
func (w *Window) readBroker(now time.Time) (draw func()) {
	st := w.core.LocalBroker()
	return func() {
		w.broker.show(st)
		if w.view != nil {
			w.view.header.tick(now)
		}
	}
}

// readChanges reads what changed, off the Fyne goroutine, and returns
// what draws it on it: the sidebar's statuses and the shown connection.
func (w *Window) readChanges() []func() {
	overview := w.core.Overview()
	draws := []func(){func() { w.connections.showStatus(overview) }}
	if view := w.current.Load(); view != nil {
		snap := view.read()
		draws = append(draws, func() { view.show(snap) })
	}
	return draws
}

// refreshView reads the shown connection's messages and state for the
// next tick.
func (w *Window) refreshView() {
	view := w.current.Load()
	if view == nil {
		return
	}
	snap := view.read()
	onMain(func() { view.show(snap) })
}

// OnMessagesShown has f called on the Fyne goroutine whenever the open
// connection's message list is filled with messages: the next frame
// painted shows them. The start-up benchmark uses it (ui/instrument).
// Call it before the window is shown.
func (w *Window) OnMessagesShown(f func()) { w.onMessagesShown = f }

// brokerStarted opens the local broker's saved connection once the
// broker has started: the sidebar lists it, the main area shows it, and it
// connects, so that a user who switched the broker on can publish at once.
func (w *Window) brokerStarted(p model.Profile) {
	w.connections.reload()
	if p.ID != "" {
		w.connect(p)
	}
}
