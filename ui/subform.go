package ui

import (
	"errors"
	"strconv"
	"strings"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"

	"fyne.io/fyne/v2/widget"
)

// subForm edits one subscription, MQTT 5 options included.
type subForm struct {
	orig                      model.Subscription
	filter, alias, identifier *entry
	userProps                 *entry
	qos, color, handling      *selectBox
	noLocal, rap              *widget.Check
	v5                        bool
}

func newSubForm(s model.Subscription, index int, v5 bool) *subForm {
	f := &subForm{orig: s, v5: v5}
	f.filter = newEntryWith(s.Filter)
	f.filter.SetPlaceHolder("sensors/+/temperature or #")
	f.filter.Validator = mqtt.ValidateFilter
	f.qos = qosSelect(s.QoS)
	f.color = newSelect(paletteNames(), nil)
	if s.Color == "" {
		f.color.SetSelected(palette[index%len(palette)].Name)
	} else {
		f.color.SetSelected(paletteName(s.Color))
	}
	f.alias = newEntryWith(s.Alias)
	f.alias.SetPlaceHolder("a name to show instead of the filter")
	f.noLocal = widget.NewCheck("No local: not my own publishes", nil)
	f.noLocal.SetChecked(s.NoLocal)
	f.rap = widget.NewCheck("Retain as published", nil)
	f.rap.SetChecked(s.RetainAsPublished)
	f.handling = newSelect([]string{"Send retained messages", "Only for a new subscription", "Never send retained"}, nil)
	f.handling.SetSelectedIndex(int(min(s.RetainHandling, 2)))
	f.identifier = optionalNumber(uint64(s.Identifier), 268435455, "1 to 268435455")
	f.userProps = newMultiLineEntry()
	f.userProps.SetText(formatUserProperties(s.User))
	f.userProps.SetPlaceHolder("key=value, one a line")
	if !v5 {
		for _, e := range []*entry{f.identifier, f.userProps} {
			e.Disable()
		}
		f.noLocal.Disable()
		f.rap.Disable()
		f.handling.Disable()
	}
	return f
}

func (f *subForm) items() []*widget.FormItem {
	return []*widget.FormItem{
		{Text: "Topic filter", Widget: f.filter, HintText: "+ matches one level, # the rest"},
		{Text: "QoS", Widget: f.qos},
		{Text: "Colour", Widget: f.color},
		{Text: "Alias", Widget: f.alias},
		{Text: "MQTT 5", Widget: f.noLocal},
		{Text: "", Widget: f.rap},
		{Text: "Retain handling", Widget: f.handling},
		{Text: "Identifier", Widget: f.identifier},
		{Text: "User properties", Widget: f.userProps},
	}
}

func (f *subForm) subscription() (model.Subscription, error) {
	s := f.orig
	s.Filter = strings.TrimSpace(f.filter.Text)
	if err := mqtt.ValidateFilter(s.Filter); err != nil {
		return s, err
	}
	if err := f.identifier.Validate(); err != nil {
		return s, errors.New("the subscription identifier must be from 1 to 268435455")
	}
	s.QoS, s.Color, s.Alias = qosOf(f.qos), paletteHex(f.color.Selected), strings.TrimSpace(f.alias.Text)
	s.Enabled = true
	if f.v5 {
		s.NoLocal, s.RetainAsPublished = f.noLocal.Checked, f.rap.Checked
		s.RetainHandling = byte(max(f.handling.SelectedIndex(), 0))
		s.Identifier, _ = strconv.Atoi(strings.TrimSpace(f.identifier.Text))
		user, err := parseUserProperties(f.userProps.Text)
		if err != nil {
			return s, err
		}
		s.User = user
	}
	return s, nil
}
