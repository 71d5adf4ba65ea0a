package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/assets"
)

// Core is what the main window needs from app.App.
type Core interface {
	brokerCore
	Profiles() ([]app.Profile, error)
}

// refreshEvery is how often the window reads the core's state.
const refreshEvery = 500 * time.Millisecond

// Window is mqttdesk's main window.
type Window struct {
	fyne.Window
	core        Core
	broker      *brokerCard
	connections *connectionList
}

// Create builds the main window for core. The window refreshes itself until
// it is closed.
func Create(a fyne.App, core Core) *Window {
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := &Window{Window: a.NewWindow("mqttdesk"), core: core}
	w.connections = newConnectionList(core)
	w.broker = newBrokerCard(core, w.Window, w.connections.reload)
	sidebar := container.NewBorder(w.broker.card, nil, nil, nil, w.connections.view)
	split := container.NewHSplit(sidebar, newEmptyState())
	split.Offset = 0.3
	w.SetContent(split)
	w.Resize(fyne.NewSize(1100, 700))
	w.SetMaster()

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.refreshLoop(ctx)
	}()
	w.SetOnClosed(func() { // the loop has ended when the window is gone
		stop()
		<-done
	})
	return w
}

// refreshLoop reads the core's state on a ticker and hands one update per
// tick to the Fyne goroutine, whatever happens in between.
func (w *Window) refreshLoop(ctx context.Context) {
	t := time.NewTicker(refreshEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			st := w.core.LocalBroker()
			onMain(func() { w.broker.show(st) })
		}
	}
}
