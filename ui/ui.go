package ui

import (
	"context"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/assets"
)

// Core is what the window needs from app.App. Methods that may block are
// called off the Fyne goroutine (see inBackground).
type Core interface {
	brokerCore
	Version() uint64
	AutoConnect(ctx context.Context)

	Profiles() ([]app.Profile, error)
	FilterProfiles(pattern string) ([]app.Profile, []app.FuzzyMatch, error)
	Folders() ([]string, error)
	AddFolder(name string) error
	SaveProfile(p app.Profile) (app.Profile, error)
	DeleteProfile(ctx context.Context, id string) error
	CloneProfile(id string) (app.Profile, error)
	MoveProfile(id, folder string, order int) error
	ReorderProfile(id string, delta int) error
	TestConnection(ctx context.Context, o app.Options) error

	Overview() map[string]app.ConnSummary
	Connect(ctx context.Context, id string) error
	Disconnect(ctx context.Context, id string) error
	State(id string) app.ConnState
	ConnectionLog(id string) []app.LogEntry
	MarkRead(id string)

	Subscribe(ctx context.Context, id string, sub app.Subscription) (string, error)
	Unsubscribe(ctx context.Context, id, subID string) error
	SetSubscriptionEnabled(ctx context.Context, id, subID string, on bool) error

	Messages(id string, keep func(*app.ViewMessage) bool) ([]app.ViewMessage, error)
	Older(id string, seq uint64, n int) ([]app.ViewMessage, error)
	Search(ctx context.Context, id string, q app.Query, before uint64, limit int) ([]app.ViewMessage, uint64, error)
	HistoryCount(id string) (int64, error)
	ClearHistory(ctx context.Context, id string) error
	ExportProfile(ctx context.Context, w io.Writer, id string, messages bool) error

	Publish(ctx context.Context, id string, m app.Message) (app.PublishResult, error)
	PublishHistory(id string) ([]app.PublishEntry, error)

	AppSettings() app.AppSettings
	SaveAppSettings(s app.AppSettings) error
	Retention() app.Retention
	SaveRetention(r app.Retention) error
}

// refreshEvery is how often the window reads the core's state: 20 times a
// second, whatever the message rate.
const refreshEvery = 50 * time.Millisecond

// brokerEvery is how often the local broker card is redrawn.
const brokerEvery = 500 * time.Millisecond

// Window is mqttdesk's main window.
type Window struct {
	fyne.Window
	core        Core
	broker      *brokerCard
	connections *sidebar
	main        *fyne.Container // the empty state or the open connection's view
	view        *connView       // nil while no connection is shown
	dialogs     dialogStack
	probe       *startupProbe // nil unless ProbeStartUp was called
}

// Create builds the main window for core. The window refreshes itself until
// it is closed.
func Create(a fyne.App, core Core) *Window {
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	applyTheme(a, core.AppSettings().Theme)
	w := &Window{Window: a.NewWindow("mqttdesk"), core: core}
	w.connections = newSidebar(w)
	w.broker = newBrokerCard(core, w.Window, w.connections.reload)
	side := container.NewBorder(w.broker.card, nil, nil, nil, w.connections.view)
	w.main = container.NewStack(newEmptyState())
	split := container.NewHSplit(side, w.main)
	split.Offset = 0.26
	w.SetContent(split)
	w.SetMainMenu(w.menu())
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
		stop()
		<-done
		if w.view != nil {
			w.view.close()
		}
	})
	return w
}

// open shows connection p in the main area.
func (w *Window) open(p app.Profile) {
	if w.view != nil && w.view.profile.ID == p.ID {
		w.view.profile = p
		w.view.header.show(p)
		return
	}
	if w.view != nil {
		w.view.close()
	}
	w.view = newConnView(w, p)
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

// refreshLoop reads the core's state on a ticker and hands one update per
// tick to the Fyne goroutine, whatever happens in between.
func (w *Window) refreshLoop(ctx context.Context) {
	t := time.NewTicker(refreshEvery)
	defer t.Stop()
	var seen uint64
	var lastBroker time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if now.Sub(lastBroker) >= brokerEvery {
				lastBroker = now
				st := w.core.LocalBroker()
				onMain(func() { w.broker.show(st) })
			}
			v := w.core.Version()
			if v == seen {
				continue
			}
			seen = v
			w.refresh()
		}
	}
}

// refresh reads what changed off the Fyne goroutine and draws it in one
// update on it.
func (w *Window) refresh() {
	overview := w.core.Overview()
	onMain(func() { w.connections.showStatus(overview) })
	w.refreshView()
}

// refreshView reads the shown connection's messages and state for the
// next tick.
func (w *Window) refreshView() {
	view := currentView.Load()
	if view == nil {
		return
	}
	snap := view.read()
	onMain(func() { view.show(snap) })
}
