package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

func widgetVBox(objects ...fyne.CanvasObject) *fyne.Container {
	return container.NewVBox(objects...)
}
