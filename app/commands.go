package app

import (
	"context"
	"errors"
	"io"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqttcore"
	"github.com/mqttdesk/mqttdesk/storage"
)

// SetSubscriptionEnabled turns a saved subscription of connection id on or
// off, subscribing or unsubscribing when the connection is open.
func (a *App) SetSubscriptionEnabled(ctx context.Context, id, subID string, on bool) error {
	subs, err := a.store.Subscriptions(id)
	if err != nil {
		return err
	}
	for _, s := range subs {
		if s.ID != subID {
			continue
		}
		s.Enabled = on
		if _, err := a.store.SaveSubscription(id, s); err != nil {
			return err
		}
		if c := a.conn(id); c != nil {
			c.setEnabled(s)
			if on {
				_, err = c.sess().Subscribe(ctx, toCoreSubscription(s))
			} else {
				err = c.sess().Unsubscribe(ctx, s.Filter)
			}
			if err != nil && err != mqttcore.ErrNotConnected {
				return err
			}
		}
		a.changed()
		return nil
	}
	return nil
}

func (c *conn) setEnabled(s model.Subscription) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.subs {
		if c.subs[i].ID == s.ID {
			c.subs[i].Subscription = s
			c.subs[i].Result, c.subs[i].Granted = "", false
		}
	}
}

// Search searches connection id's whole history, not just what is in
// memory, including messages received a moment ago; see
// storage.Store.Search for paging. It stops when ctx ends.
func (a *App) Search(ctx context.Context, id string, q model.Query, before uint64, limit int) ([]ViewMessage, uint64, error) {
	if before == 0 {
		if err := a.store.Flush(ctx); err != nil {
			return nil, 0, err
		}
	}
	page, next, err := a.store.Search(ctx, id, q, before, limit)
	out := make([]ViewMessage, len(page))
	for i, m := range page {
		out[i] = viewFromHistory(m)
	}
	return out, next, err
}

// PublishHistory returns connection id's recent publishes, newest first,
// for the composer.
func (a *App) PublishHistory(id string) ([]model.PublishEntry, error) {
	return a.store.PublishHistory(id)
}

// Export writes the saved connections and their subscriptions (and, as o
// says, messages and secrets) as JSON to w.
func (a *App) Export(ctx context.Context, w io.Writer, o model.ExportOptions) error {
	return a.store.Export(ctx, w, o)
}

// Import adds the connections an export holds, never replacing any.
func (a *App) Import(ctx context.Context, r io.Reader) (model.ImportSummary, error) {
	sum, err := a.store.Import(ctx, r)
	a.changed()
	return sum, err
}

// StoreState says how the history store keeps up.
type StoreState struct {
	Backlog     int    // messages waiting to be written
	Waiting     bool   // the disk is behind: incoming messages wait, and so does the broker
	DiskError   string // the disk refuses to write (full, read-only); retried, nothing dropped
	Rejected    uint64 // messages the store could not take
	StoredTotal uint64 // messages written since start
	Damage      string // the data file is damaged where messages go: they show, but are not stored
}

// StoreState returns how the history store keeps up.
func (a *App) StoreState() StoreState {
	w := a.store.WriterStats()
	st := StoreState{Backlog: w.Queued, Waiting: w.Queued > storage.QueueCapacity*9/10, Rejected: w.Rejected, StoredTotal: w.Committed}
	switch {
	case w.Retrying:
		st.DiskError = UserMessage(w.LastError)
	case errors.Is(w.LastError, storage.ErrCorrupt):
		st.Damage = UserMessage(w.LastError)
	}
	return st
}
