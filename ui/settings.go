package ui

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/mqttdesk/mqttdesk/model"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

var themeNames = map[string]string{model.ThemeSystem: "Follow the system", model.ThemeLight: "Light", model.ThemeDark: "Dark"}

// settingsCore is what the settings dialog needs from the core; its Save
// methods write the store.
type settingsCore interface {
	AppSettings() model.AppSettings
	SaveAppSettings(s model.AppSettings) error
	Retention() model.Retention
	SaveRetention(r model.Retention) error
}

// showSettings opens the preferences: theme, payload display limit,
// messages kept in memory and history retention.
func (w *Window) showSettings() { showSettings(w, w.core) }

func showSettings(w *Window, core settingsCore) {
	s, r := core.AppSettings(), core.Retention()
	themeSel := newSelect([]string{"Follow the system", "Light", "Dark"}, nil)
	themeSel.SetSelected(themeNames[s.Theme])
	compact := widget.NewCheck("One line a message (Ctrl+Shift+D)", nil)
	compact.SetChecked(s.CompactMessages)
	limit := numberEntry(s.PayloadDisplayLimit/1024, 1, 1<<20, "KiB, at least 1")
	inMemory := numberEntry(s.MessagesInMemory, 100, 1_000_000, "100 to 1,000,000")
	maxMessages := numberEntry(int(r.MaxMessages), 0, 1<<40, "0 for no limit")
	maxGiB := newEntryWith(strconv.FormatFloat(float64(r.MaxBytes)/(1<<30), 'f', -1, 64))
	maxGiB.Validator = func(t string) error {
		if v, err := strconv.ParseFloat(strings.TrimSpace(t), 64); err != nil || v < 0 {
			return errors.New("GiB, 0 for no limit")
		}
		return nil
	}
	maxDays := numberEntry(int(r.MaxAge/(24*time.Hour)), 0, 36500, "days, 0 for no limit")
	items := []*widget.FormItem{
		{Text: "Theme", Widget: themeSel},
		{Text: "Compact message list", Widget: compact},
		{Text: "Payload shown up to (KiB)", Widget: limit, HintText: "longer payloads are shortened, with Show all"},
		{Text: "Messages in memory", Widget: inMemory, HintText: "per connection; older ones are read from history. Applies on the next connect"},
		{Text: "Keep at most (messages)", Widget: maxMessages, HintText: "per connection; the oldest are deleted first"},
		{Text: "Keep at most (GiB)", Widget: maxGiB},
		{Text: "Keep for (days)", Widget: maxDays},
	}
	d := dialog.NewForm("Settings", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		for k, v := range themeNames {
			if v == themeSel.Selected {
				s.Theme = k
			}
		}
		s.PayloadDisplayLimit, s.MessagesInMemory = number(limit)*1024, number(inMemory)
		s.CompactMessages = compact.Checked
		gib, _ := strconv.ParseFloat(strings.TrimSpace(maxGiB.Text), 64)
		r = model.Retention{MaxMessages: int64(number(maxMessages)), MaxBytes: int64(gib * (1 << 30)), MaxAge: time.Duration(number(maxDays)) * 24 * time.Hour}
		if err := errors.Join(core.SaveAppSettings(s), core.SaveRetention(r)); err != nil {
			w.showError(err)
			return
		}
		applyTheme(fyne.CurrentApp(), s.Theme)
		w.applyCompact(s.CompactMessages)
		if w.view != nil {
			w.view.messages.detail.refresh()
		}
	}, w.Window)
	d.Resize(fyne.NewSize(560, 0))
	w.showForm(d, items)
}
