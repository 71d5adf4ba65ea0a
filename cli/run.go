package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/mqttdesk/mqttdesk/app"
)

const usage = `Usage: mqttdesk [--data-dir DIR] [--recover] [--version] [command]

mqttdesk is a desktop MQTT client (MQTT 3.1.1 and 5.0 over TCP, TLS and
WebSocket) with a built-in broker for testing on this machine.

Commands:
  (none)   open the window
  broker   run the local broker with no window; see mqttdesk broker --help
  import   add the connections and history of export files: import FILE...
  bench    load-test a broker: bench pub|sub|conn; see mqttdesk bench pub --help

Flags:
`

// Run reads mqttdesk's command line. With a command it runs it and
// returns its exit status; with none it returns window true and the
// configuration the window opens with.
func Run(args []string, stdout, stderr io.Writer) (cfg app.Config, window bool, status int) {
	fs := flag.NewFlagSet("mqttdesk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage); printFlags(fs) }
	fs.StringVar(&cfg.DataDir, "data-dir", "", "`directory` for connections, history and broker files (default: the user's config directory/mqttdesk)")
	fs.BoolVar(&cfg.Recover, "recover", false, "if the data file is damaged, keep it aside (renamed, not deleted) and start with a fresh one")
	version := fs.Bool("version", false, "print mqttdesk's version and exit")
	if AsksForHelp(args) {
		fs.SetOutput(stdout)
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return cfg, false, 0
	} else if err != nil {
		return cfg, false, 2
	}
	if *version {
		fmt.Fprintln(stdout, app.VersionLine())
		return cfg, false, 0
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return cfg, true, 0
	}
	switch rest[0] {
	case "broker":
		return cfg, false, RunBrokerCommand(rest[1:], stdout, stderr, cfg.DataDir)
	case "bench":
		return cfg, false, RunBenchCommand(rest[1:], stdout, stderr)
	case "import":
		return cfg, false, RunImportCommand(rest[1:], stdout, stderr, cfg)
	}
	fmt.Fprintf(stderr, "mqttdesk: unknown command %q\n", rest[0])
	fs.Usage()
	return cfg, false, 2
}
