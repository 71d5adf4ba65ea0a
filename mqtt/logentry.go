package mqtt

import (
	"fmt"
	"strings"
	"time"
)

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
