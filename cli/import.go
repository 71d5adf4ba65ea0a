package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/mqttdesk/mqttdesk/app"
)

// RunImportCommand is `mqttdesk import FILE...`: it adds the connections
// (with subscriptions and history) of mqttdesk export files to the data
// directory, never replacing any, and returns the exit status.
func RunImportCommand(args []string, stdout, stderr io.Writer, cfg app.Config) int {
	if len(args) == 0 || AsksForHelp(args) {
		fmt.Fprintln(stderr, "Usage: mqttdesk [--data-dir DIR] import FILE...\n\nAdds the connections, subscriptions and messages of mqttdesk export files.")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	a, err := app.Open(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "mqttdesk: %s\n", app.UserMessage(err))
		return 1
	}
	status := 0
	for _, path := range args {
		if err := importFile(a, path, stdout); err != nil {
			fmt.Fprintf(stderr, "mqttdesk: %s: %s\n", path, app.UserMessage(err))
			status = 1
		}
	}
	if err := a.Close(); err != nil {
		fmt.Fprintf(stderr, "mqttdesk: %s\n", app.UserMessage(err))
		return 1
	}
	return status
}

func importFile(a *app.App, path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sum, err := a.Import(context.Background(), f)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: added %s, %s and %s\n", path, count(int64(sum.Profiles), "connection"),
		count(int64(sum.Subscriptions), "subscription"), count(sum.Messages, "message"))
	return nil
}

func count(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
