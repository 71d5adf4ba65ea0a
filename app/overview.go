package app

import "github.com/mqttdesk/mqttdesk/mqtt"

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
func (a *App) ConnectionLog(id string) []mqtt.LogEntry {
	if c := a.conn(id); c != nil {
		return c.log()
	}
	return nil
}
