// Command mqttdesk is a desktop MQTT client with a built-in broker.
// `mqttdesk` opens the window; `mqttdesk broker` runs the broker alone.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/ui"
)

const appID = "io.github.mqttdesk.mqttdesk" // as in FyneApp.toml

const usage = `Usage: mqttdesk [--data-dir DIR] [command]

mqttdesk is a desktop MQTT client (MQTT 3.1.1 and 5.0 over TCP, TLS and
WebSocket) with a built-in broker for testing on this machine.

Commands:
  (none)   open the window
  broker   run the local broker with no window; see mqttdesk broker --help
  import   add the connections and history of export files: import FILE...

Flags:
`

func main() {
	app.TuneRuntime()
	os.Exit(run(os.Args[1:]))
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
	w.ShowAndRun()
	if err := core.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "mqttdesk: %s\n", app.UserMessage(err))
		return 1
	}
	return 0
}
