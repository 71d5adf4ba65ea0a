package mqttcore

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// logSize is how many packets the protocol log keeps per session.
const logSize = 2000

// LogEntry is one packet sent or received, or a line about the connection.
type LogEntry struct {
	Time     time.Time
	Sent     bool // false: received
	Type     string
	Size     int // bytes on the wire
	Topic    string
	PacketID uint16
	QoS      byte
	Note     string // for connection lines: what happened
}

// String formats the entry as one line of the log view.
func (e LogEntry) String() string {
	arrow := "←"
	if e.Sent {
		arrow = "→"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", e.Time.Format("15:04:05.000"), arrow, e.Type)
	if e.Type == "PUBLISH" {
		fmt.Fprintf(&b, " q%d", e.QoS)
	}
	if e.PacketID != 0 {
		fmt.Fprintf(&b, " id=%d", e.PacketID)
	}
	if e.Topic != "" {
		fmt.Fprintf(&b, " %s", e.Topic)
	}
	if e.Size > 0 {
		fmt.Fprintf(&b, " (%d B)", e.Size)
	}
	if e.Note != "" {
		fmt.Fprintf(&b, " %s", e.Note)
	}
	return b.String()
}

// protocolLog is a ring of the newest logSize entries. Safe for concurrent use.
type protocolLog struct {
	mu      sync.Mutex
	entries []LogEntry
	next    int
	full    bool
}

func newProtocolLog() *protocolLog { return &protocolLog{entries: make([]LogEntry, logSize)} }

func (l *protocolLog) add(e LogEntry) {
	l.mu.Lock()
	l.entries[l.next] = e
	l.next = (l.next + 1) % len(l.entries)
	l.full = l.full || l.next == 0
	l.mu.Unlock()
}

func (l *protocolLog) note(text string) {
	l.add(LogEntry{Time: time.Now(), Type: "•", Note: text})
}

// snapshot returns the entries, oldest first.
func (l *protocolLog) snapshot() []LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]LogEntry(nil), l.entries[:l.next]...)
	}
	return append(append([]LogEntry(nil), l.entries[l.next:]...), l.entries[:l.next]...)
}
