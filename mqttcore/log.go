package mqttcore

import (
	"sync"
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// logSize is how many packets the protocol log keeps per session.
const logSize = 2000

// protocolLog is a ring of the newest logSize entries. Safe for concurrent use.
type protocolLog struct {
	mu      sync.Mutex
	entries []mqtt.LogEntry
	next    int
	full    bool
}

func newProtocolLog() *protocolLog { return &protocolLog{entries: make([]mqtt.LogEntry, logSize)} }

func (l *protocolLog) add(e mqtt.LogEntry) {
	l.mu.Lock()
	l.entries[l.next] = e
	l.next = (l.next + 1) % len(l.entries)
	l.full = l.full || l.next == 0
	l.mu.Unlock()
}

func (l *protocolLog) note(text string) {
	l.add(mqtt.LogEntry{Time: time.Now(), Type: "•", Note: text})
}

// snapshot returns the entries, oldest first.
func (l *protocolLog) snapshot() []mqtt.LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]mqtt.LogEntry(nil), l.entries[:l.next]...)
	}
	return append(append([]mqtt.LogEntry(nil), l.entries[l.next:]...), l.entries[:l.next]...)
}
