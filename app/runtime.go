package app

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings of the mqttdesk process.
const (
	// gcPercent: streams of small messages make short-lived garbage over a
	// small live heap, so at Go's default of 100 the collector runs all the
	// time. 400 raised the broker's 1-to-1 throughput by about a third and a
	// session's receive rate from 0.75x to 0.9x-1.0x of mosquitto_sub (see
	// make bench).
	gcPercent = 400
	// memoryLimit makes the collector work harder, rather than the heap
	// grow, when the process nears it.
	memoryLimit = 1 << 30
)

// TuneRuntime applies mqttdesk's garbage collector settings, unless the
// user set GOGC or GOMEMLIMIT. main calls it once, before anything starts.
func TuneRuntime() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
