package ui

import (
	"testing"
	"time"
)

// mainQueue stands in for the Fyne event loop in tests: functions posted
// through onMain run on the test goroutine when the test pumps the queue.
type mainQueue chan func()

func useMainQueue(t *testing.T) mainQueue {
	q := make(mainQueue, 1024)
	post := func(f func()) {
		select {
		case q <- f:
		default: // the test has ended and nothing drains the queue
		}
	}
	prev := mainRunner.Swap(&post)
	t.Cleanup(func() { mainRunner.Store(prev) })
	return q
}

// runUntil runs posted functions until cond holds, failing after 10 s.
func (q mainQueue) runUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case f := <-q:
			f()
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
