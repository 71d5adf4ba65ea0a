package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/assets"
)

// newEmptyState is the main area before a connection is open: it says what
// the user can do next.
func newEmptyState() fyne.CanvasObject {
	icon := canvas.NewImageFromResource(fyne.NewStaticResource("icon.png", assets.Icon))
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(96, 96))
	title := widget.NewLabelWithStyle("No connection open", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	steps := widget.NewRichTextFromMarkdown(emptyStateText)
	steps.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(icon, title, steps)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(460, 340), body))
}

const emptyStateText = `**Test on this machine, with no network:** switch on **Local broker** on the left: mqttdesk starts an MQTT broker on 127.0.0.1 and saves a connection to it.

**Use any MQTT client with it:** the addresses under the switch work with mosquitto_pub, MQTTX or your own devices.

**Headless:** run ` + "`mqttdesk broker`" + ` in a terminal for the same broker without a window.`
