package ui

import (
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
)

// mainRunner hands a function to the Fyne goroutine: fyne.Do. Tests
// replace it with a queue that the test goroutine drains, since Fyne's test
// driver runs fyne.Do inline on the calling goroutine; it is atomic because
// a command's goroutine may still post after its test has ended.
var mainRunner atomic.Pointer[func(func())]

func init() {
	do := fyne.Do
	mainRunner.Store(&do)
}

func runOnMain(f func()) { (*mainRunner.Load())(f) }

// windowGone is set on the Fyne goroutine when the main window closes.
// From then on onMain drops its work: once Fyne's loop has stopped it runs
// fyne.Do inline on the caller's goroutine, where two callers would touch
// the same widgets at once.
var windowGone atomic.Bool

// onMainTurn is held while posted work runs. On Fyne's loop it is never
// contended; should the loop have stopped without the main window's close
// (so that work runs inline on its callers' goroutines), it keeps two of
// them from touching widgets at once: the second one's work is dropped.
var onMainTurn sync.Mutex

// runPosted runs f for onMain and OnMainWait, unless the window is gone or
// other posted work is running off the loop. It reports whether f ran.
func runPosted(f func()) bool {
	if windowGone.Load() || !onMainTurn.TryLock() {
		return false
	}
	defer onMainTurn.Unlock()
	f()
	return true
}

// onMain runs f on the Fyne goroutine and returns at once. It is the only
// way code on another goroutine may touch a widget. Once the main window
// has closed, f does not run.
func onMain(f func()) {
	if windowGone.Load() {
		return
	}
	runOnMain(func() { runPosted(f) })
}

// OnMainWait runs f on the Fyne goroutine and waits for it to return. It
// reports false, without running f, once the main window has closed. Code
// outside this package that reads widgets from another goroutine, such as
// the UI map of the window tests, calls it instead of fyne.Do.
func OnMainWait(f func()) bool {
	if windowGone.Load() {
		return false
	}
	ran := make(chan bool, 1)
	runOnMain(func() { ran <- runPosted(f) })
	return <-ran
}

// inBackground runs work off the Fyne goroutine, then done with its result
// on the Fyne goroutine. Use it for every call into app that may block.
func inBackground[T any](work func() (T, error), done func(T, error)) {
	go func() {
		v, err := work()
		onMain(func() { done(v, err) })
	}()
}
