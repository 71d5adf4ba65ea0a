package ui

import (
	"os"
	"os/signal"
	"syscall"
)

// QuitOnSignal closes the main window on SIGINT or SIGTERM, as its close
// button does, so that ShowAndRun returns and the caller can close the core
// cleanly.
func QuitOnSignal(w *Window) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		onMain(w.Close)
	}()
}
