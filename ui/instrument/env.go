package instrument

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/mqttdesk/mqttdesk/ui"
)

// FromEnv turns on what the environment asks for, for the benchmarks and
// the window tests:
//
//	MQTTDESK_STARTUP_PROBE=FILE  when the first frames were painted (ProbeStartUp)
//	MQTTDESK_PROBE=FILE          how late the event loop runs (ProbeEventLoop)
//	MQTTDESK_UI_MAP=FILE         what the window shows, where (PublishUIMap)
//	MQTTDESK_CPUPROFILE=FILE     a pprof CPU profile of the whole run
//
// Call it before the window is shown, and stop once it has closed.
func FromEnv(w *ui.Window) (stop func()) {
	var stops []func()
	if path := os.Getenv("MQTTDESK_STARTUP_PROBE"); path != "" {
		ProbeStartUp(w, path)
	}
	if path := os.Getenv("MQTTDESK_UI_MAP"); path != "" {
		PublishUIMap(path)
	}
	if path := os.Getenv("MQTTDESK_PROBE"); path != "" {
		end := ProbeEventLoop(path)
		stops = append(stops, func() { report("event-loop probe", end()) })
	}
	if path := os.Getenv("MQTTDESK_CPUPROFILE"); path != "" {
		stops = append(stops, startCPUProfile(path))
	}
	return func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
}

// startCPUProfile writes a pprof CPU profile to path until stop is called.
func startCPUProfile(path string) (stop func()) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		report("CPU profile", err)
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }
}

func report(what string, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "mqttdesk: %s: %v\n", what, err)
	}
}
