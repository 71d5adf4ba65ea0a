package app

import "sync"

// ring keeps the newest messages of one connection, up to a fixed number;
// older ones are read from storage on demand. Safe for concurrent use.
type ring struct {
	mu    sync.Mutex
	buf   []ViewMessage
	start int // index of the oldest
	n     int
}

func newRing(size int) *ring { return &ring{buf: make([]ViewMessage, size)} }

func (r *ring) push(m ViewMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = m
		r.n++
		return
	}
	r.buf[r.start] = m
	r.start = (r.start + 1) % len(r.buf)
}

// update changes the message with seq, if it is still in the ring.
func (r *ring) update(seq uint64, change func(*ViewMessage)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := r.n - 1; i >= 0; i-- { // recent messages are at the end
		m := &r.buf[(r.start+i)%len(r.buf)]
		if m.Seq == seq {
			change(m)
			return
		}
	}
}

// snapshot returns the messages that keep, oldest first; keep nil keeps all.
func (r *ring) snapshot(keep func(*ViewMessage) bool) []ViewMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]ViewMessage, 0, r.n)
	for i := range r.n {
		m := &r.buf[(r.start+i)%len(r.buf)]
		if keep == nil || keep(m) {
			out = append(out, *m)
		}
	}
	return out
}

// clear empties the ring.
func (r *ring) clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.start, r.n = 0, 0
}
