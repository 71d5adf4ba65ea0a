package ui

import (
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"
)

// QuitOnSignal closes the window's app on SIGINT or SIGTERM, so that
// ShowAndRun returns and the caller can close the core cleanly.
func QuitOnSignal(w *Window) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		onMain(fyne.CurrentApp().Quit)
	}()
}
