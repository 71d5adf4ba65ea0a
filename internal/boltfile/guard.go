package boltfile

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Recovered returns a *DamageError for r when r is a fault on memory that
// is not nil (bbolt's memory map of a file shorter than it claims) or a
// panic raised inside bbolt, and nil for anything else, which is a bug to
// panic with again. It must be called by the deferred function that
// recovered r, while the panicking frames are still on the stack, and a
// fault is only a panic while debug.SetPanicOnFault is on (see Guard).
func Recovered(r any) error {
	if f, ok := r.(interface{ Addr() uintptr }); ok && f.Addr() != 0 {
		return damage("%v", r)
	}
	if panicSite(3) == "bbolt" {
		return damage("bbolt: %v", r)
	}
	return nil
}

// Guard runs fn with faults turned into panics, and returns the
// *DamageError of a fault or of a panic inside bbolt; any other panic goes
// on up. fn must not leave goroutines of its own: SetPanicOnFault covers
// only the calling one.
func Guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if err = Recovered(r); err == nil {
				panic(r)
			}
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return fn()
}

// panicSite returns "bbolt" when the innermost function below
// runtime.gopanic on the stack belongs to bbolt, and that function's name
// otherwise.
func panicSite(skip int) string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(skip, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			if strings.HasPrefix(f.Function, "go.etcd.io/bbolt") {
				return "bbolt"
			}
			return f.Function
		}
		if !more {
			return ""
		}
	}
}
