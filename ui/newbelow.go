package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
)

// messagesBelow is the "New messages below" button over the bottom of the
// list: it shows when messages arrive while the user reads older ones,
// and scrolls to the newest.
type messagesBelow struct {
	button *widget.Button
	layer  fyne.CanvasObject
}

func newMessagesBelow(scroll func()) *messagesBelow {
	b := &messagesBelow{}
	b.button = widget.NewButtonWithIcon("New messages below", theme.MoveDownIcon(), func() {
		b.button.Hide()
		scroll()
	})
	b.button.Importance = widget.HighImportance
	b.button.Hide()
	b.layer = container.NewVBox(layout.NewSpacer(), container.NewCenter(b.button))
	return b
}

// arrived shows the button when next holds newer messages than shown and
// the list is not at the bottom, and hides it once it is.
func (b *messagesBelow) arrived(shown, next []app.ViewMessage, atBottom bool) {
	switch {
	case atBottom:
		b.button.Hide()
	case len(next) > 0 && len(shown) > 0 && next[len(next)-1].Seq > shown[len(shown)-1].Seq:
		b.button.Show()
	}
}

// scrollToNewest shows the newest message.
func (l *messageList) scrollToNewest() {
	l.list.ScrollToBottom()
}
