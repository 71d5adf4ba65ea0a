// Command mqttdesk is a desktop MQTT client with a built-in broker: see cli.
package main

import (
	"fmt"
	"os"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/cli"
	"github.com/mqttdesk/mqttdesk/ui"
	"github.com/mqttdesk/mqttdesk/ui/instrument"
)

func main() {
	app.TuneRuntime()
	cfg, window, status := cli.Run(os.Args[1:], os.Stdout, os.Stderr)
	if window {
		status = openWindow(cfg)
	}
	os.Exit(status)
}

// openWindow shows the window on cfg's data until it is closed.
func openWindow(cfg app.Config) int {
	core, err := app.Open(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mqttdesk: %s\n", app.UserMessage(err))
		return 1
	}
	w := ui.Create(ui.NewApp(), core)
	ui.QuitOnSignal(w)
	stop := instrument.FromEnv(w)
	w.ShowAndRun()
	stop()
	if err := core.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "mqttdesk: %s\n", app.UserMessage(err))
		return 1
	}
	return 0
}
