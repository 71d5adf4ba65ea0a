package app

import (
	"context"
	"fmt"
	"io"
	"os"
)

// RunImportCommand is `mqttdesk import FILE...`: it adds the connections
// (with subscriptions and history) of mqttdesk export files to the data
// directory, never replacing any, and returns the exit status.
func RunImportCommand(args []string, stdout, stderr io.Writer, dataDir string) int {
	if len(args) == 0 || AsksForHelp(args) {
		fmt.Fprintln(stderr, "Usage: mqttdesk [--data-dir DIR] import FILE...\n\nAdds the connections, subscriptions and messages of mqttdesk export files.")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	a, err := Open(Config{DataDir: dataDir})
	if err != nil {
		fmt.Fprintf(stderr, "mqttdesk: %s\n", UserMessage(err))
		return 1
	}
	status := 0
	for _, path := range args {
		if err := importFile(a, path, stdout); err != nil {
			fmt.Fprintf(stderr, "mqttdesk: %s: %s\n", path, UserMessage(err))
			status = 1
		}
	}
	if err := a.Close(); err != nil {
		fmt.Fprintf(stderr, "mqttdesk: %s\n", UserMessage(err))
		return 1
	}
	return status
}

func importFile(a *App, path string, stdout io.Writer) error {
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

// AutoConnect opens, one after the other, every saved connection marked
// to connect at start. It blocks until each has had its first attempt;
// errors show in the connections' state.
func (a *App) AutoConnect(ctx context.Context) {
	profiles, err := a.store.Profiles()
	if err != nil {
		return
	}
	for _, p := range profiles {
		if p.AutoConnect && ctx.Err() == nil {
			_ = a.Connect(ctx, p.ID)
		}
	}
}
