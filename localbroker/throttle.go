package localbroker

import (
	"sync"
	"time"
)

// Refusal slow-down: after an address's first refused CONNECT, its next
// attempt is checked 100 ms after it arrived, and each further refusal
// in a row doubles that, up to 5 s. At most maxWaiting attempts of one
// address wait at a time; the ones beyond are answered at once, busy,
// without their credentials being checked. An address can so have its
// credentials checked at most maxWaiting times per maxRefusalDelay (0.4
// guesses a second), and no attempt waits longer than maxRefusalDelay,
// whatever came before it: an attack keeps the other clients of its
// address out while it lasts, and 5 s at most after it. A good login
// resets the address; one forgotten for 10 minutes starts afresh. At most
// maxThrottled addresses are kept.
const (
	minRefusalDelay = 100 * time.Millisecond
	maxRefusalDelay = 5 * time.Second
	maxWaiting      = 2
	forgetRefusals  = 10 * time.Minute
	maxThrottled    = 10000
)

// throttle slows down the login attempts of addresses whose logins were
// refused. Safe for concurrent use.
type throttle struct {
	now func() time.Time

	mu    sync.Mutex
	addrs map[string]*throttled
}

type throttled struct {
	failures int       // consecutive refusals
	waiting  int       // attempts admitted and not yet done
	last     time.Time // the last refusal
	busyLog  time.Time // when a busy answer was last logged
}

func newThrottle() *throttle {
	return &throttle{now: time.Now, addrs: map[string]*throttled{}}
}

// refusalDelay is the wait after n consecutive refusals.
func refusalDelay(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	d := minRefusalDelay
	for i := 1; i < n && d < maxRefusalDelay; i++ {
		d *= 2
	}
	return min(d, maxRefusalDelay)
}

// admit returns how long an attempt from addr arriving now must wait
// before its credentials are checked, and false when maxWaiting attempts
// of addr already wait: it is then answered busy, unchecked. An admitted
// attempt with a wait must call done when its wait is over.
func (t *throttle) admit(addr string) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.addrs[addr]
	if !ok || st.failures == 0 {
		return 0, true
	}
	if t.now().Sub(st.last) > forgetRefusals {
		delete(t.addrs, addr)
		return 0, true
	}
	if st.waiting >= maxWaiting {
		return 0, false
	}
	st.waiting++
	return refusalDelay(st.failures), true
}

// done ends the wait of an attempt admit gave one.
func (t *throttle) done(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st, ok := t.addrs[addr]; ok && st.waiting > 0 {
		st.waiting--
	}
}

// logBusy reports whether a busy answer to addr should be logged: at
// most one a second per address.
func (t *throttle) logBusy(addr string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.addrs[addr]
	now := t.now()
	if !ok || now.Sub(st.busyLog) < time.Second {
		return false
	}
	st.busyLog = now
	return true
}

// refused counts a refusal from addr and returns the wait its next
// attempt will have.
func (t *throttle) refused(addr string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.addrs[addr]
	if !ok {
		t.makeRoom()
		st = &throttled{}
		t.addrs[addr] = st
	}
	st.failures++
	st.last = t.now()
	return refusalDelay(st.failures)
}

// accepted forgets addr's refusals; attempts still waiting keep theirs.
func (t *throttle) accepted(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st, ok := t.addrs[addr]; ok {
		st.failures = 0
		if st.waiting == 0 {
			delete(t.addrs, addr)
		}
	}
}

// makeRoom drops forgotten addresses when the map is full, and then the
// address refused longest ago if it still is.
func (t *throttle) makeRoom() {
	if len(t.addrs) < maxThrottled {
		return
	}
	now := t.now()
	oldest := ""
	for addr, st := range t.addrs {
		if now.Sub(st.last) > forgetRefusals {
			delete(t.addrs, addr)
		} else if oldest == "" || st.last.Before(t.addrs[oldest].last) {
			oldest = addr
		}
	}
	if len(t.addrs) >= maxThrottled {
		delete(t.addrs, oldest)
	}
}
