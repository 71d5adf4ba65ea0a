package localbroker

// events is a set of mochi hook events, what a hook's Provides answers
// from. mochi asks every hook for every packet it reads, encodes and
// sends, so the answer is one bit test.
type events uint64

// eventsOf returns the set of the given mochi events (each below 64, as
// all of mochi's are).
func eventsOf(list ...byte) events {
	var e events
	for _, b := range list {
		e |= 1 << b
	}
	return e
}

// has reports whether event b is in the set.
func (e events) has(b byte) bool { return b < 64 && e&(1<<b) != 0 }
