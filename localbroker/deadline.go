package localbroker

import (
	"net"
	"time"
)

// deadlineSlack is how much later than asked a keep-alive deadline may
// fire. Keep-alives are whole seconds with 50% grace, so half a second
// changes nothing a client can notice.
const deadlineSlack = 500 * time.Millisecond

// coarseDeadlineConn re-arms the socket deadline only when the requested
// one passes the armed one, and then arms it deadlineSlack later. mochi
// resets the deadline on every packet it reads; this makes that nearly
// free while the deadline that fires is never earlier than the one asked
// for. Only the reader goroutine sets deadlines, so no lock is needed.
type coarseDeadlineConn struct {
	net.Conn
	armed time.Time
}

// SetDeadline arms t (plus slack) unless the armed deadline already covers
// it. A zero t clears the deadline.
func (c *coarseDeadlineConn) SetDeadline(t time.Time) error {
	if t.IsZero() || c.armed.IsZero() || t.After(c.armed) || c.armed.Sub(t) > 2*deadlineSlack {
		if !t.IsZero() {
			t = t.Add(deadlineSlack)
		}
		c.armed = t
		return c.Conn.SetDeadline(t)
	}
	return nil
}
