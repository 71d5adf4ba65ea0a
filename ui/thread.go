package ui

import "fyne.io/fyne/v2"

// runOnMain hands a function to the Fyne goroutine. Tests replace it with a
// queue that the test goroutine drains, since Fyne's test driver runs
// fyne.Do inline on the calling goroutine.
var runOnMain = fyne.Do

// onMain runs f on the Fyne goroutine and returns at once. It is the only
// way code on another goroutine may touch a widget.
func onMain(f func()) {
	runOnMain(f)
}

// inBackground runs work off the Fyne goroutine, then done with its result
// on the Fyne goroutine. Use it for every call into app that may block.
func inBackground[T any](work func() (T, error), done func(T, error)) {
	go func() {
		v, err := work()
		onMain(func() { done(v, err) })
	}()
}
