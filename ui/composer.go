package ui

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/ui/payload"
)

// composer publishes on the connection: topic (with the topics published
// before as suggestions), QoS, retain, payload format and text, MQTT 5
// properties folded away. Ctrl+Enter sends; Up and Down at the first or
// last line of the payload walk the publish history.
// publisher is what the composer needs from the core. Both block.
type publisher interface {
	Publish(ctx context.Context, id string, m mqtt.Message) (mqtt.PublishResult, error)
	PublishHistory(id string) ([]model.PublishEntry, error)
}

type composer struct {
	v       *connView
	core    publisher
	view    fyne.CanvasObject
	topic   *widget.SelectEntry
	qos     *selectBox
	retain  *widget.Check
	format  *selectBox
	payload *entry
	send    *widget.Button
	problem *widget.Label
	// problemState is the connection's state when problem was shown.
	problemState string
	props        *widget.Accordion // MQTT 5 properties, folded

	contentType, responseTopic, correlation, expiry, alias, userProps *entry
	utf8                                                              *widget.Check

	history []model.PublishEntry // newest first
	at      int                  // the history entry shown; -1: what the user is typing
}

func newComposer(v *connView, core publisher) *composer {
	c := &composer{v: v, core: core, at: -1}
	c.topic = widget.NewSelectEntry(nil)
	c.topic.SetPlaceHolder("Topic to publish to")
	c.qos = qosSelect(0)
	c.retain = widget.NewCheck("Retain", nil)
	c.format = newSelect([]string{string(payload.Plain), string(payload.JSON), string(payload.Hex), string(payload.Base64)}, nil)
	c.format.SetSelected(string(payload.Plain))
	c.payload = newMultiLineEntry()
	c.payload.SetPlaceHolder("Payload · Ctrl+Enter sends · Up and Down recall what you sent")
	c.payload.SetMinRowsVisible(2)
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
	c.problem.Truncation = fyne.TextTruncateEllipsis
	c.problem.Hide()
	options := container.NewHBox(c.qos, c.retain, c.format)
	top := container.NewBorder(nil, nil, nil, options, c.topic)
	c.props = widget.NewAccordion(widget.NewAccordionItem("MQTT 5 properties", boundedScroll(c.propertiesForm(), propertiesHeight)))
	if v.profile.Options.Version != mqtt.MQTT5 {
		c.props.Hide()
	}
	body := container.NewBorder(nil, nil, nil, container.NewVBox(c.send), c.payload)
	c.view = container.NewPadded(container.NewVBox(top, body, c.props))
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
	pair := func(a, b fyne.CanvasObject) fyne.CanvasObject { return container.NewGridWithColumns(2, a, b) }
	return container.NewVBox(
		pair(labelled("Content type", c.contentType), labelled("Response topic", c.responseTopic)),
		pair(labelled("Correlation data", c.correlation), labelled("Message expiry (s)", c.expiry)),
		pair(labelled("Topic alias", c.alias), container.NewVBox(layout.NewSpacer(), c.utf8)),
		labelled("User properties", c.userProps),
	)
}

// propertiesHeight bounds the open MQTT 5 properties: they scroll within
// the composer instead of squeezing the message list.
const propertiesHeight = 150

// boundedScroll scrolls o vertically in a box height high at most.
func boundedScroll(o fyne.CanvasObject, height float32) fyne.CanvasObject {
	return container.New(&maxHeight{height}, container.NewVScroll(o))
}

// maxHeight gives its one object its own width and at most h of height.
type maxHeight struct{ h float32 }

func (m *maxHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	content := objs[0].(*container.Scroll).Content.MinSize()
	return fyne.NewSize(content.Width, min(content.Height, m.h))
}

func (m *maxHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}

func labelled(text string, o fyne.CanvasObject) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	return container.NewBorder(l, nil, nil, nil, o)
}

// loadHistory reads the publish history and offers its topics.
func (c *composer) loadHistory() {
	id := c.v.profile.ID
	inBackground(func() ([]model.PublishEntry, error) { return c.core.PublishHistory(id) },
		func(h []model.PublishEntry, err error) {
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
func (c *composer) fill(e model.PublishEntry) {
	c.topic.SetText(e.Topic)
	c.qos.SetSelectedIndex(int(e.QoS))
	c.retain.SetChecked(e.Retain)
	f := recallFormat(e.Payload)
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

func (c *composer) fillProperties(p *mqtt.Properties) {
	var zero mqtt.Properties
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

// publishEntryOf is m as the composer holds a publish.
func publishEntryOf(m app.ViewMessage) model.PublishEntry {
	return model.PublishEntry{Topic: m.Topic, Payload: m.Payload, QoS: m.QoS, Retain: m.Retain, Properties: m.Properties}
}

// publish sends what the composer holds.
func (c *composer) publish() {
	m, err := c.message()
	if err != nil {
		c.showProblem(app.UserMessage(err))
		return
	}
	c.clearProblem()
	id := c.v.profile.ID
	inBackground(func() (mqtt.PublishResult, error) {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		return c.core.Publish(ctx, id, m)
	}, func(res mqtt.PublishResult, err error) {
		switch {
		case err != nil:
			c.showProblem(app.UserMessage(err))
		case !res.Succeeded():
			c.showProblem("The broker refused the message: " + cmp.Or(res.ReasonString, "reason code "+strconv.Itoa(int(res.ReasonCode))) + ".")
		}
		c.loadHistory()
	})
}

// showProblem says what went wrong in the status line's place, until the
// next publish or until the connection's state changes (a "not connected"
// is stale once it connects).
func (c *composer) showProblem(text string) {
	c.problem.SetText(text)
	c.problem.Show()
	c.problemState = c.v.header.last.State
	c.v.status.Hide()
}

// stateShown clears a problem shown in another state of the connection.
func (c *composer) stateShown(state string) {
	if c.problem.Visible() && state != c.problemState {
		c.clearProblem()
	}
}

func (c *composer) clearProblem() {
	c.problem.Hide()
	c.v.status.Show()
}

// message builds the message to publish from the fields.
func (c *composer) message() (mqtt.Message, error) {
	topic := strings.TrimSpace(c.topic.Text)
	if err := mqtt.ValidateTopicName(topic); err != nil {
		return mqtt.Message{}, err
	}
	body, err := payload.Parse(c.payload.Text, payload.Format(c.format.Selected))
	if err != nil {
		return mqtt.Message{}, err
	}
	m := mqtt.Message{Topic: topic, Payload: body, QoS: qosOf(c.qos), Retain: c.retain.Checked}
	if c.v.profile.Options.Version == mqtt.MQTT5 {
		if m.Properties, err = c.properties(); err != nil {
			return m, err
		}
	}
	return m, nil
}

func (c *composer) properties() (mqtt.Properties, error) {
	p := mqtt.Properties{ContentType: c.contentType.Text, ResponseTopic: c.responseTopic.Text, CorrelationData: []byte(c.correlation.Text)}
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
