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
	version := widget.NewLabelWithStyle(app.VersionLine(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	text := widget.NewLabel("A desktop MQTT client with a built-in broker: MQTT 3.1.1 and 5.0 over TCP, TLS and " +
		"WebSocket, a history of every message, and a broker on this machine with one click.")
	text.Wrapping = fyne.TextWrapWord
	folder := widget.NewLabel("Data folder: " + w.core.DataDir())
	folder.Wrapping = fyne.TextWrapBreak
	folder.Selectable = true // to copy the path
	body := container.NewVBox(version, text, folder)
	d := dialog.NewCustom("About mqttdesk", "Close", container.NewBorder(nil, nil, container.NewVBox(icon), nil, body), w.Window)
	d.Resize(fyne.NewSize(560, 0))
	w.dialogs.show(d)
}
