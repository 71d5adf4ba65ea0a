package ui

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/mqttdesk/mqttdesk/app"
)

// AppID is mqttdesk's application ID, as in FyneApp.toml.
const AppID = "io.github.mqttdesk.mqttdesk"

// NewApp returns the Fyne app for mqttdesk's window, with the metadata
// `fyne build` would embed from FyneApp.toml, for `go build` too. Without
// the fyneDo migration Fyne checks the calling goroutine on every widget
// refresh by formatting a stack trace, which took a quarter of the app's
// CPU with 20,000 messages a second arriving.
func NewApp() fyne.App {
	fyneapp.SetMetadata(fyne.AppMetadata{
		ID: AppID, Name: "mqttdesk", Version: app.Release, Build: 1,
		Migrations: map[string]bool{"fyneDo": true},
	})
	return fyneapp.NewWithID(AppID)
}
