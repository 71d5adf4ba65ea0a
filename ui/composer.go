package ui

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/ui/payload"
)

// composer publishes on the connection: topic (with the topics published
// before as suggestions), QoS, retain, payload format and text, MQTT 5
// properties folded away. Ctrl+Enter sends; Up and Down at the first or
// last line of the payload walk the publish history.
type composer struct {
	v       *connView
	view    fyne.CanvasObject
	topic   *widget.SelectEntry
	qos     *widget.Select
	retain  *widget.Check
	format  *widget.Select
	payload *entry
	send    *widget.Button
	problem *widget.Label

	contentType, responseTopic, correlation, expiry, alias, userProps *entry
	utf8                                                              *widget.Check

	history []app.PublishEntry // newest first
	at      int                // the history entry shown; -1: what the user is typing
}

func newComposer(v *connView) *composer {
	c := &composer{v: v, at: -1}
	c.topic = widget.NewSelectEntry(nil)
	c.topic.SetPlaceHolder("Topic to publish to")
	c.qos = qosSelect(0)
	c.retain = widget.NewCheck("Retain", nil)
	c.format = widget.NewSelect([]string{string(payload.Plain), string(payload.JSON), string(payload.Hex), string(payload.Base64)}, nil)
	c.format.SetSelected(string(payload.Plain))
	c.payload = newMultiLineEntry()
	c.payload.SetPlaceHolder("Payload · Ctrl+Enter sends · Up and Down recall what you sent")
	c.payload.SetMinRowsVisible(3)
	c.payload.onShortcut = func(s fyne.Shortcut) bool {
		if isCtrlEnter(s) {
			c.publish()
			return true
		}
		return false
	}
	c.payload.onKey = c.historyKey
	c.send = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), c.publish)
	c.send.Importance = widget.HighImportance
	c.problem = widget.NewLabel("")
	c.problem.Importance = widget.DangerImportance
	c.problem.Wrapping = fyne.TextWrapWord
	c.problem.Hide()
	options := container.NewHBox(c.qos, c.retain, c.format)
	top := container.NewBorder(nil, nil, nil, options, c.topic)
	props := widget.NewAccordion(widget.NewAccordionItem("MQTT 5 properties", c.propertiesForm()))
	if v.profile.Options.Version != app.MQTT5 {
		props.Hide()
	}
	body := container.NewBorder(nil, nil, nil, container.NewVBox(c.send), c.payload)
	c.view = container.NewPadded(container.NewVBox(top, body, props, c.problem))
	c.loadHistory()
	return c
}

func (c *composer) propertiesForm() fyne.CanvasObject {
	c.contentType = newEntry()
	c.contentType.SetPlaceHolder("application/json")
	c.responseTopic = newEntry()
	c.correlation = newEntry()
	c.expiry = optionalNumber(0, 1<<32-1, "seconds, up to 4294967295")
	c.alias = optionalNumber(0, 65535, "1 to the broker's topic alias maximum")
	c.userProps = newMultiLineEntry()
	c.userProps.SetPlaceHolder("key=value, one a line")
	c.utf8 = widget.NewCheck("Payload is UTF-8 text", nil)
	return container.NewGridWithColumns(2,
		labelled("Content type", c.contentType), labelled("Response topic", c.responseTopic),
		labelled("Correlation data", c.correlation), labelled("Message expiry (s)", c.expiry),
		labelled("Topic alias", c.alias), c.utf8,
		labelled("User properties", c.userProps),
	)
}

func labelled(text string, o fyne.CanvasObject) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	return container.NewBorder(l, nil, nil, nil, o)
}

// loadHistory reads the publish history and offers its topics.
func (c *composer) loadHistory() {
	id := c.v.profile.ID
	inBackground(func() ([]app.PublishEntry, error) { return c.v.w.core.PublishHistory(id) },
		func(h []app.PublishEntry, err error) {
			if err != nil {
				return
			}
			c.history, c.at = h, -1
			var topics []string
			seen := map[string]bool{}
			for _, e := range h {
				if !seen[e.Topic] {
					seen[e.Topic] = true
					topics = append(topics, e.Topic)
				}
			}
			c.topic.SetOptions(topics)
			if c.topic.Text == "" && len(topics) > 0 {
				c.topic.SetText(topics[0])
			}
		})
}

// historyKey walks the publish history with Up at the first line and
// Down at the last.
func (c *composer) historyKey(k *fyne.KeyEvent) bool {
	lines := strings.Count(c.payload.Text, "\n")
	switch {
	case k.Name == fyne.KeyUp && c.payload.CursorRow == 0 && c.at+1 < len(c.history):
		c.at++
	case k.Name == fyne.KeyDown && c.payload.CursorRow == lines && c.at > 0:
		c.at--
	default:
		return false
	}
	c.fill(c.history[c.at])
	return true
}

// fill puts e in the composer.
func (c *composer) fill(e app.PublishEntry) {
	c.topic.SetText(e.Topic)
	c.qos.SetSelectedIndex(int(e.QoS))
	c.retain.SetChecked(e.Retain)
	f := payload.Plain
	if !payload.IsText(e.Payload) {
		f = payload.Hex
	}
	c.format.SetSelected(string(f))
	c.payload.SetText(composerText(e.Payload, f))
	c.fillProperties(e.Properties)
}

// composerText is the payload as the composer's format parses it back:
// hex as space-separated pairs, anything else as text.
func composerText(p []byte, f payload.Format) string {
	if f == payload.Hex {
		return fmt.Sprintf("% x", p)
	}
	return string(p)
}

func (c *composer) fillProperties(p *app.Properties) {
	var zero app.Properties
	if p == nil {
		p = &zero
	}
	c.contentType.SetText(p.ContentType)
	c.responseTopic.SetText(p.ResponseTopic)
	c.correlation.SetText(string(p.CorrelationData))
	c.expiry.SetText("")
	if p.MessageExpiry != nil {
		c.expiry.SetText(strconv.FormatUint(uint64(*p.MessageExpiry), 10))
	}
	c.utf8.SetChecked(p.PayloadFormat != nil && *p.PayloadFormat == 1)
	c.userProps.SetText(formatUserProperties(p.User))
}

// publishAgain sends a message from the list again, as it was.
func (c *composer) publishAgain(m app.ViewMessage) {
	c.fill(app.PublishEntry{Topic: m.Topic, Payload: m.Payload, QoS: m.QoS, Retain: m.Retain, Properties: m.Properties})
	c.publish()
}

// publish sends what the composer holds.
func (c *composer) publish() {
	m, err := c.message()
	if err != nil {
		c.showProblem(app.UserMessage(err))
		return
	}
	c.problem.Hide()
	id := c.v.profile.ID
	inBackground(func() (app.PublishResult, error) {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		return c.v.w.core.Publish(ctx, id, m)
	}, func(res app.PublishResult, err error) {
		switch {
		case err != nil:
			c.showProblem(app.UserMessage(err))
		case !res.Succeeded():
			c.showProblem("The broker refused the message: " + cmp.Or(res.ReasonString, "reason code "+strconv.Itoa(int(res.ReasonCode))) + ".")
		}
		c.loadHistory()
	})
}

func (c *composer) showProblem(text string) {
	c.problem.SetText(text)
	c.problem.Show()
}

// message builds the message to publish from the fields.
func (c *composer) message() (app.Message, error) {
	topic := strings.TrimSpace(c.topic.Text)
	if err := app.ValidateTopic(topic); err != nil {
		return app.Message{}, err
	}
	body, err := payload.Parse(c.payload.Text, payload.Format(c.format.Selected))
	if err != nil {
		return app.Message{}, err
	}
	m := app.Message{Topic: topic, Payload: body, QoS: qosOf(c.qos), Retain: c.retain.Checked}
	if c.v.profile.Options.Version == app.MQTT5 {
		if m.Properties, err = c.properties(); err != nil {
			return m, err
		}
	}
	return m, nil
}

func (c *composer) properties() (app.Properties, error) {
	p := app.Properties{ContentType: c.contentType.Text, ResponseTopic: c.responseTopic.Text, CorrelationData: []byte(c.correlation.Text)}
	if len(p.CorrelationData) == 0 {
		p.CorrelationData = nil
	}
	for _, e := range []*entry{c.expiry, c.alias} {
		if err := e.Validate(); err != nil {
			return p, err
		}
	}
	if n := number(c.expiry); n > 0 {
		e := uint32(n)
		p.MessageExpiry = &e
	}
	p.TopicAlias = uint16(number(c.alias))
	if c.utf8.Checked {
		one := byte(1)
		p.PayloadFormat = &one
	}
	var err error
	p.User, err = parseUserProperties(c.userProps.Text)
	return p, err
}
