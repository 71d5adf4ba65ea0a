package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/assets"
)

// showAbout says which mqttdesk this is and where its data lives.
func (w *Window) showAbout() {
	icon := canvas.NewImageFromResource(fyne.NewStaticResource("icon.png", assets.Icon))
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(64))
	text := widget.NewLabel(app.VersionLine() + "\n\n" +
		"A desktop MQTT client with a built-in broker: MQTT 3.1.1 and 5.0 over TCP, TLS and WebSocket,\n" +
		"a history of every message, and a broker on this machine with one click.")
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom("About mqttdesk", "Close", container.NewBorder(nil, nil, icon, nil, text), w.Window)
	d.Resize(fyne.NewSize(560, 0))
	w.dialogs.show(d)
}
