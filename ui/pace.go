package ui

import "time"

// busyEvery is how often the window redraws the core's state while it
// changes on every tick, as under a stream of messages. Fyne paints the
// whole window for any change, and under a stream such a frame costs
// about as long as the 50 ms tick, so that redrawing on every tick left
// the event loop no time for the user's input
// (BenchmarkEventLoopUnderLoad: p99 87 ms at 20 Hz, 60 ms at 10 Hz).
const busyEvery = 200 * time.Millisecond

// pace decides on the refresh loop whether a change is drawn at this tick.
// A change after a quiet tick is drawn at once, and so is the next; a run
// of changes is drawn busyEvery apart. A change not drawn stays unseen,
// so it is drawn at a later tick even if nothing else changes.
type pace struct {
	last   time.Time // when a change was last drawn
	streak int       // ticks in a row that found a change
}

// due reports whether a change found at now is drawn now.
func (p *pace) due(now time.Time) bool {
	p.streak++
	if p.streak <= 2 || now.Sub(p.last) >= busyEvery {
		p.last = now
		return true
	}
	return false
}

// quiet notes a tick that found no change.
func (p *pace) quiet() { p.streak = 0 }
