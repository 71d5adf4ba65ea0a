package localbroker

import (
	"net"
	"testing"
	"time"
)

// TestCoarseDeadlineNeverFiresEarly checks that the armed deadline is
// never before the one asked for, and at most twice the slack after it.
func TestCoarseDeadlineNeverFiresEarly(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &coarseDeadlineConn{Conn: a}
	base := time.Now()
	for _, step := range []time.Duration{0, 10 * time.Millisecond, 300 * time.Millisecond, 900 * time.Millisecond, 5 * time.Second, time.Second} {
		asked := base.Add(step)
		if err := c.SetDeadline(asked); err != nil {
			t.Fatal(err)
		}
		if c.armed.Before(asked) {
			t.Fatalf("asked %v, armed %v: fires early", asked.Sub(base), c.armed.Sub(base))
		}
		if late := c.armed.Sub(asked); late > 2*deadlineSlack {
			t.Fatalf("asked %v, armed %v: %v late", asked.Sub(base), c.armed.Sub(base), late)
		}
	}
	if err := c.SetDeadline(time.Time{}); err != nil || !c.armed.IsZero() {
		t.Fatalf("clearing the deadline: %v, armed %v", err, c.armed)
	}
}
