package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
)

// connectionList shows the saved connections under the broker card.
type connectionList struct {
	core     Core
	profiles []app.Profile
	list     *widget.List
	hint     *widget.Label
	view     fyne.CanvasObject
}

func newConnectionList(core Core) *connectionList {
	c := &connectionList{core: core}
	c.list = widget.NewList(c.length, c.createItem, c.updateItem)
	c.hint = widget.NewLabel("No saved connections yet.")
	c.hint.Importance = widget.LowImportance
	header := widget.NewLabelWithStyle("Connections", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.view = container.NewBorder(container.NewVBox(widget.NewSeparator(), header, c.hint), nil, nil, nil, c.list)
	c.reload()
	return c
}

func (c *connectionList) length() int { return len(c.profiles) }

func (c *connectionList) createItem() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	url := widget.NewLabel("")
	url.SizeName = theme.SizeNameCaptionText
	return container.NewBorder(nil, nil, widget.NewIcon(theme.ComputerIcon()), nil, container.NewVBox(name, url))
}

func (c *connectionList) updateItem(i widget.ListItemID, o fyne.CanvasObject) {
	p := c.profiles[i]
	texts := o.(*fyne.Container).Objects[0].(*fyne.Container).Objects
	texts[0].(*widget.Label).SetText(p.Options.Name)
	texts[1].(*widget.Label).SetText(p.Options.URL())
}

// reload reads the saved connections off the Fyne goroutine and redraws.
func (c *connectionList) reload() {
	inBackground(c.core.Profiles, func(list []app.Profile, err error) {
		if err != nil {
			c.hint.SetText(app.UserMessage(err))
			return
		}
		c.profiles = list
		c.hint.Hidden = len(list) > 0
		c.hint.Refresh()
		c.list.Refresh()
	})
}
