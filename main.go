// Command mqttdesk is a desktop MQTT client with a built-in broker.
// `mqttdesk` opens the window; `mqttdesk broker` runs the broker alone.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/ui"
)

const appID = "io.github.mqttdesk.mqttdesk" // as in FyneApp.toml

// The metadata `fyne build` would embed from FyneApp.toml, for `go build`
// too. Without the fyneDo migration, Fyne checks the calling goroutine on
// every widget refresh by formatting a stack trace, which took a quarter
// of the app's CPU with 20,000 messages a second arriving.
func init() {
	fyneapp.SetMetadata(fyne.AppMetadata{
		ID: appID, Name: "mqttdesk", Version: "0.1.0", Build: 1,
		Migrations: map[string]bool{"fyneDo": true},
	})
}

const usage = `Usage: mqttdesk [--data-dir DIR] [command]

mqttdesk is a desktop MQTT client (MQTT 3.1.1 and 5.0 over TCP, TLS and
WebSocket) with a built-in broker for testing on this machine.

Commands:
  (none)   open the window
  broker   run the local broker with no window; see mqttdesk broker --help
  import   add the connections and history of export files: import FILE...
  bench    load-test a broker: bench pub|sub|conn; see mqttdesk bench pub --help

Flags:
`

func main() {
	app.TuneRuntime()
	os.Exit(run(os.Args[1:]))
}

// startCPUProfile writes a pprof CPU profile to path until stop is called.
func startCPUProfile(path string) (stop func()) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "mqttdesk: CPU profile: %v\n", err)
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }
}

func run(args []string) int {
	fs := flag.NewFlagSet("mqttdesk", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage); fs.PrintDefaults() }
	dataDir := fs.String("data-dir", "", "`directory` for connections, history and broker files (default: the user's config directory/mqttdesk)")
	recoverDB := fs.Bool("recover", false, "if the data file is damaged, keep it aside (renamed, not deleted) and start with a fresh one")
	if app.AsksForHelp(args) {
		fs.SetOutput(os.Stdout)
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	switch fs.Arg(0) {
	case "broker":
		return app.RunBrokerCommand(fs.Args()[1:], os.Stdout, os.Stderr, *dataDir)
	case "bench":
		return app.RunBenchCommand(fs.Args()[1:], os.Stdout, os.Stderr)
	case "import":
		return app.RunImportCommand(fs.Args()[1:], os.Stdout, os.Stderr, *dataDir)
	case "":
	default:
		fmt.Fprintf(os.Stderr, "mqttdesk: unknown command %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	core, err := app.Open(app.Config{DataDir: *dataDir, Recover: *recoverDB})
	if err != nil {
		fmt.Fprintf(os.Stderr, "mqttdesk: %s\n", app.UserMessage(err))
		return 1
	}
	w := ui.Create(fyneapp.NewWithID(appID), core)
	ui.QuitOnSignal(w)
	if path := os.Getenv("MQTTDESK_STARTUP_PROBE"); path != "" { // for the benchmarks: see ui.ProbeStartUp
		ui.ProbeStartUp(w, path)
	}
	if path := os.Getenv("MQTTDESK_PROBE"); path != "" { // for the benchmarks: see ui.ProbeEventLoop
		stop := ui.ProbeEventLoop(path)
		defer func() { _ = stop() }()
	}
	if path := os.Getenv("MQTTDESK_CPUPROFILE"); path != "" { // for the benchmarks: where the time goes
		stop := startCPUProfile(path)
		defer stop()
	}
	w.ShowAndRun()
	if err := core.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "mqttdesk: %s\n", app.UserMessage(err))
		return 1
	}
	return 0
}
