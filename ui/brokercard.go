package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
)

// brokerCore is what the local broker card needs from app.App.
type brokerCore interface {
	LocalBroker() app.BrokerState
	StartLocalBroker(ctx context.Context) (model.Profile, error)
	StopLocalBroker(ctx context.Context) error
	RestartLocalBroker(ctx context.Context) (model.Profile, error)
	BrokerSettings() app.BrokerSettings
	SaveBrokerSettings(app.BrokerSettings) error
	LocalBrokerCA() ([]byte, error)
}

// brokerCard is the "Local broker" card at the top of the sidebar: a
// switch, the addresses clients use, live counters and the last error.
type brokerCard struct {
	core      brokerCore
	win       fyne.Window
	onStarted func(model.Profile) // the broker started: its saved connection is p

	card      *widget.Card
	toggle    *toggle
	status    *widget.Label
	urls      *fyne.Container
	counters  *widget.Label
	problem   *widget.Label
	busy      bool
	shown     app.BrokerState
	urlsShown []string
}

func newBrokerCard(core brokerCore, win fyne.Window, dialogs *dialogStack, onStarted func(model.Profile)) *brokerCard {
	c := &brokerCard{core: core, win: win, onStarted: onStarted}
	c.toggle = newToggle(c.switched)
	c.status = widget.NewLabelWithStyle("Off", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.urls = container.NewVBox()
	c.counters = widget.NewLabel("")
	c.counters.SizeName = theme.SizeNameCaptionText
	c.problem = widget.NewLabel("")
	c.problem.Wrapping = fyne.TextWrapWord
	c.problem.Importance = widget.DangerImportance
	c.problem.Hide()
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), func() { showBrokerSettings(c.core, c.win, dialogs, c.restart) })
	top := container.NewBorder(nil, nil, c.toggle, settings, c.status)
	body := container.NewVBox(top, c.urls, c.counters, c.problem)
	c.card = widget.NewCard("Local broker", "Offline testing on this machine", body)
	c.show(core.LocalBroker())
	return c
}

// switched runs when the user flips the switch.
func (c *brokerCard) switched(on bool) {
	c.busy = true
	c.toggle.Disable()
	if on {
		c.status.SetText("Starting…")
		inBackground(func() (model.Profile, error) { return c.core.StartLocalBroker(context.Background()) }, c.started)
		return
	}
	c.status.SetText("Stopping…")
	inBackground(func() (struct{}, error) { return struct{}{}, c.core.StopLocalBroker(context.Background()) },
		func(struct{}, error) { c.done() })
}

func (c *brokerCard) started(p model.Profile, err error) {
	c.done()
	if err == nil && c.onStarted != nil {
		c.onStarted(p)
	}
}

// restart restarts the running broker with its saved settings.
func (c *brokerCard) restart() {
	c.busy = true
	c.toggle.Disable()
	c.status.SetText("Restarting…")
	inBackground(func() (model.Profile, error) { return c.core.RestartLocalBroker(context.Background()) }, c.started)
}

func (c *brokerCard) done() {
	c.busy = false
	c.toggle.Enable()
	c.show(c.core.LocalBroker())
}

// show draws st; it is called on every refresh tick and redraws only what
// changed.
func (c *brokerCard) show(st app.BrokerState) {
	if c.busy {
		return
	}
	c.toggle.SetOn(st.Running)
	c.status.SetText(brokerStatus(st))
	urls := st.URLs
	if !st.Running { // the addresses it will take: the card keeps its height
		urls = c.core.BrokerSettings().URLs()
	}
	if !slices.Equal(urls, c.urlsShown) {
		c.showURLs(urls)
		c.urlsShown = urls
	}
	c.counters.SetText(brokerCounters(st))
	c.showProblem(st)
	c.shown = st
}

func brokerStatus(st app.BrokerState) string {
	if st.Running {
		return "Running"
	}
	return "Off"
}

func brokerCounters(st app.BrokerState) string {
	if !st.Running {
		return "Not running: switch it on to accept clients\nat these addresses"
	}
	text := fmt.Sprintf("%s · %s in · %s out\n%s received · %s retained",
		plural(st.Clients, "client"), rate(st.InRate), rate(st.OutRate),
		plural(st.MessagesIn, "message"), plural(st.Retained, "message"))
	if trouble := brokerTrouble(st); trouble != "" {
		text += "\n" + trouble
	}
	return text
}

// brokerTrouble says what the broker did not deliver or let in, or "".
func brokerTrouble(st app.BrokerState) string {
	var parts []string
	if st.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d dropped (too slow: %s)", st.Dropped, st.SlowestClient))
	}
	if st.Refused > 0 {
		parts = append(parts, plural(st.Refused, "login")+" refused")
	}
	if st.Denied > 0 {
		parts = append(parts, fmt.Sprintf("%d denied by the access list", st.Denied))
	}
	return strings.Join(parts, " · ")
}

func (c *brokerCard) showURLs(urls []string) {
	c.urls.RemoveAll()
	for _, u := range urls {
		label := widget.NewLabel(u)
		label.TextStyle.Monospace = true
		label.Truncation = fyne.TextTruncateEllipsis
		copyBtn := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() {
			fyne.CurrentApp().Clipboard().SetContent(u)
		})
		copyBtn.Importance = widget.LowImportance
		c.urls.Add(container.NewBorder(nil, nil, nil, copyBtn, label))
	}
}

func (c *brokerCard) showProblem(st app.BrokerState) {
	text := app.UserMessage(st.Err)
	if text == "" && len(st.Warnings) > 0 {
		text = "Warning: " + st.Warnings[0] + "."
	}
	if c.problem.Text != text {
		c.problem.SetText(text)
	}
	c.problem.Hidden = text == ""
	c.problem.Refresh()
}

func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return thousands(n) + " " + what + "s"
}

func rate(perSecond float64) string {
	switch {
	case perSecond >= 10000:
		return fmt.Sprintf("%.0fk msg/s", perSecond/1000)
	case perSecond >= 1000:
		return fmt.Sprintf("%.1fk msg/s", perSecond/1000)
	}
	return fmt.Sprintf("%.0f msg/s", perSecond)
}
