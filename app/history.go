package app

import (
	"context"
	"io"

	"github.com/mqttdesk/mqttdesk/model"
)

// HistoryCount returns how many messages connection id's history keeps.
func (a *App) HistoryCount(id string) (int64, error) {
	st, err := a.store.HistoryStats(id)
	return st.Count, err
}

// ExportProfile writes connection id with its subscriptions (and, when
// messages is set, its whole history) as JSON to w; secrets are left out.
func (a *App) ExportProfile(ctx context.Context, w io.Writer, id string, messages bool) error {
	if _, err := a.profile(id); err != nil {
		return err
	}
	return a.store.Export(ctx, w, model.ExportOptions{Messages: messages, ProfileID: id})
}
