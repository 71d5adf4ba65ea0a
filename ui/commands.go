package ui

import (
	"context"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// commandTimeout bounds a command that waits for the network.
const commandTimeout = 30 * time.Second

// do runs a command of the core off the Fyne goroutine, then reloads the
// sidebar and shows the error, if any.
func (w *Window) do(command func(ctx context.Context) error) {
	inBackground(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		return struct{}{}, command(ctx)
	}, func(_ struct{}, err error) { w.afterCommand(err) })
}

// afterCommand redraws what a command may have changed and reports its error.
func (w *Window) afterCommand(err error) {
	w.connections.reload()
	if err != nil {
		w.showError(err)
	}
}

// connect opens connection p and shows it. A failed first attempt is shown
// in the connection's header, where the reconnect loop's later errors
// appear too.
func (w *Window) connect(p model.Profile) {
	w.open(p)
	inBackground(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		return struct{}{}, w.core.Connect(ctx, p.ID)
	}, func(struct{}, error) { w.connections.reload() })
}

func (w *Window) disconnect(id string) {
	w.do(func(ctx context.Context) error { return w.core.Disconnect(ctx, id) })
}

// newConnection opens the editor on a new connection in folder.
func (w *Window) newConnection(folder string) *editorForm {
	p := model.Profile{Options: mqtt.NewOptions("New connection", mqtt.SchemeMQTT, "127.0.0.1"), Folder: folder}
	return w.showEditor(p)
}

func (w *Window) editConnection(p model.Profile) { w.showEditor(p) }

func (w *Window) cloneConnection(p model.Profile) {
	w.do(func(context.Context) error {
		_, err := w.core.CloneProfile(p.ID)
		return err
	})
}

// deleteConnection asks, then deletes p with its history.
func (w *Window) deleteConnection(p model.Profile) {
	w.confirm("Delete "+p.Options.Name+"?",
		"The connection, its subscriptions and its whole message history will be deleted. This cannot be undone.",
		"Delete", func() {
			if w.view != nil && w.view.profile.ID == p.ID {
				w.closeView()
			}
			w.do(func(ctx context.Context) error { return w.core.DeleteProfile(ctx, p.ID) })
		})
}

// saved is called when the editor saved p.
func (w *Window) saved(p model.Profile) {
	w.connections.reload()
	if w.view != nil && w.view.profile.ID == p.ID {
		w.open(p)
	}
}
