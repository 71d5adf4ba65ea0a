package app

import (
	"context"
	"errors"
	"io"
	"slices"

	"github.com/mqttdesk/mqttdesk/mqttcore"
	"github.com/mqttdesk/mqttdesk/storage"
)

// ConnSummary is what the sidebar shows of one connection.
type ConnSummary struct {
	State  string // "disconnected", "connecting" or "connected"
	Err    string // the last error, as a sentence
	Unread int
}

// Overview returns the summary of every open connection by profile ID;
// connections not listed are disconnected. It does not touch the disk.
func (a *App) Overview() map[string]ConnSummary {
	a.mu.Lock()
	conns := make([]*conn, 0, len(a.conns))
	for _, c := range a.conns {
		conns = append(conns, c)
	}
	a.mu.Unlock()
	out := make(map[string]ConnSummary, len(conns))
	for _, c := range conns {
		c.mu.Lock()
		out[c.id] = ConnSummary{State: c.state.String(), Err: UserMessage(c.err), Unread: c.unread}
		c.mu.Unlock()
	}
	return out
}

// ConnectionLog returns connection id's protocol log, oldest first: every
// packet sent and received with its size, and lines about the connection.
// It is empty while the connection is not open.
func (a *App) ConnectionLog(id string) []LogEntry {
	if c := a.conn(id); c != nil {
		return c.session.Log()
	}
	return nil
}

// testHandler drops what a trial connection receives.
type testHandler struct{}

func (testHandler) HandleMessage(mqttcore.Message) {}
func (testHandler) HandleEvent(mqttcore.Event)     {}

// TestConnection connects once with o, without reconnecting and without
// saving anything, then disconnects cleanly. It returns nil when the broker
// accepted the connection, otherwise the reason (see UserMessage).
func (a *App) TestConnection(ctx context.Context, o Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	o.Reconnect.Enabled = false
	s, err := mqttcore.NewSession(o, testHandler{})
	if err != nil {
		return err
	}
	err = s.Connect(ctx)
	return errors.Join(err, s.Disconnect(context.WithoutCancel(ctx)))
}

// AppSettings returns the user's preferences.
func (a *App) AppSettings() AppSettings { return a.store.AppSettings() }

// SaveAppSettings checks and saves s. How many messages stay in memory
// applies to connections opened afterwards.
func (a *App) SaveAppSettings(s AppSettings) error {
	if err := a.store.SaveAppSettings(s); err != nil {
		return err
	}
	a.changed()
	return nil
}

// Retention returns how much history is kept for connections without a
// retention of their own.
func (a *App) Retention() Retention { return a.store.GlobalRetention() }

// SaveRetention sets the history kept for connections without a retention
// of their own; zero fields mean no limit of that kind.
func (a *App) SaveRetention(r Retention) error {
	if r.MaxMessages < 0 || r.MaxBytes < 0 || r.MaxAge < 0 {
		return errors.New("history limits cannot be negative; use 0 for no limit")
	}
	return a.store.SetDefaultRetention(r)
}

// Folders returns the names of the folders of connections, sorted.
func (a *App) Folders() ([]string, error) { return a.store.Folders() }

// AddFolder keeps a folder even while no connection is in it.
func (a *App) AddFolder(name string) error {
	defer a.changed()
	return a.store.AddFolder(name)
}

// ReorderProfile moves profile id up (delta < 0) or down (delta > 0) among
// the connections of its folder, numbering the folder's order afresh.
func (a *App) ReorderProfile(id string, delta int) error {
	all, err := a.store.Profiles()
	if err != nil {
		return err
	}
	i := slices.IndexFunc(all, func(p Profile) bool { return p.ID == id })
	if i < 0 {
		return ErrUnknownProfile
	}
	folder := all[i].Folder
	same := slices.DeleteFunc(slices.Clone(all), func(p Profile) bool { return p.Folder != folder })
	from := slices.IndexFunc(same, func(p Profile) bool { return p.ID == id })
	to := min(max(from+delta, 0), len(same)-1)
	moved := same[from]
	same = slices.Insert(slices.Delete(same, from, from+1), to, moved)
	for order, p := range same {
		if p.Order == order {
			continue
		}
		p.Order = order
		if _, err := a.store.SaveProfile(p); err != nil {
			return err
		}
	}
	a.changed()
	return nil
}

// HistoryCount returns how many messages connection id's history keeps.
func (a *App) HistoryCount(id string) (int64, error) {
	st, err := a.store.HistoryStats(id)
	return st.Count, err
}

// FilterProfiles returns the connections whose names fuzzily match
// pattern, best first, each with the positions of the matched characters;
// an empty pattern returns all, in sidebar order.
func (a *App) FilterProfiles(pattern string) ([]Profile, []FuzzyMatch, error) {
	if pattern == "" {
		list, err := a.store.Profiles()
		return list, make([]FuzzyMatch, len(list)), err
	}
	return a.store.FuzzyProfiles(pattern)
}

// ExportProfile writes connection id with its subscriptions (and, when
// messages is set, its whole history) as JSON to w; secrets are left out.
func (a *App) ExportProfile(ctx context.Context, w io.Writer, id string, messages bool) error {
	if _, err := a.profile(id); err != nil {
		return err
	}
	return a.store.Export(ctx, w, storage.ExportOptions{Messages: messages, ProfileID: id})
}
