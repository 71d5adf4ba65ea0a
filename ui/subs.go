package ui

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// subsPanel lists a connection's subscriptions. Tapping one shows only its
// messages; tapping it again shows all.
// subscriber is what the subscriptions panel needs from the core. All
// three block.
type subscriber interface {
	Subscribe(ctx context.Context, id string, sub model.Subscription) (string, error)
	Unsubscribe(ctx context.Context, id, subID string) error
	SetSubscriptionEnabled(ctx context.Context, id, subID string, on bool) error
}

type subsPanel struct {
	v     *connView
	core  subscriber
	view  fyne.CanvasObject
	list  *widget.List
	hint  *widget.Label
	subs  []app.SubState
	shown []app.SubState
	add   *widget.Button
	form  *subForm // the open subscription dialog's, if any
}

func newSubsPanel(v *connView, core subscriber) *subsPanel {
	p := &subsPanel{v: v, core: core}
	p.list = widget.NewList(func() int { return len(p.subs) }, newSubRow, p.updateRow)
	p.list.OnSelected = p.tapped
	p.hint = widget.NewLabel("No subscriptions yet. Add one with +; # receives everything.")
	p.hint.Wrapping = fyne.TextWrapWord
	p.hint.Importance = widget.MediumImportance
	add := widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { p.edit(model.Subscription{QoS: 0}) })
	add.Importance = widget.LowImportance
	p.add = add
	title := widget.NewLabelWithStyle("Subscriptions", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.view = container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, nil, add, title), p.hint), nil, nil, nil, p.list)
	return p
}

// show draws the subscriptions when they changed.
func (p *subsPanel) show(subs []app.SubState) {
	if slices.EqualFunc(subs, p.shown, sameSub) {
		return
	}
	p.shown = subs
	p.subs = slices.Clone(subs)
	slices.SortStableFunc(p.subs, func(a, b app.SubState) int { return a.Order - b.Order })
	p.hint.Hidden = len(subs) > 0
	p.hint.Refresh()
	p.list.Refresh()
	p.v.messages.subsChanged(p.subs)
}

func sameSub(a, b app.SubState) bool {
	return a.ID == b.ID && a.Filter == b.Filter && a.QoS == b.QoS && a.Enabled == b.Enabled && a.Color == b.Color &&
		a.Alias == b.Alias && a.Result == b.Result && a.Granted == b.Granted
}

func (p *subsPanel) tapped(i widget.ListItemID) {
	p.list.Unselect(i)
	filter := p.subs[i].Filter
	p.v.setFilter(func(f *viewFilter) {
		if f.sub == filter {
			f.sub = ""
		} else {
			f.sub = filter
		}
	})
	p.list.Refresh()
	p.v.messages.filterChanged()
}

// subRow is one subscription: colour chip, filter or alias, QoS and the
// broker's answer, an on/off check and a menu.
type subRow struct {
	widget.BaseWidget
	chip    *canvas.Rectangle
	title   *widget.Label
	detail  *widget.Label
	enabled *widget.Check
	menu    *widget.Button
	sub     app.SubState
	p       *subsPanel
	index   widget.ListItemID
}

// Tapped does what a tap on the list row does. Fyne hands a click to the
// row, not to the list item under it, once the row takes right-clicks.
func (r *subRow) Tapped(*fyne.PointEvent) {
	if r.p != nil {
		r.p.list.Select(r.index)
	}
}

// TappedSecondary opens the subscription's menu where the user
// right-clicked.
func (r *subRow) TappedSecondary(e *fyne.PointEvent) {
	if r.p != nil {
		showMenuAt(r.p.menu(r.sub.Subscription), r, e.AbsolutePosition)
	}
}

func newSubRow() fyne.CanvasObject {
	r := &subRow{}
	r.chip = canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	r.chip.CornerRadius = 3
	r.chip.SetMinSize(fyne.NewSize(6, 28))
	r.title = widget.NewLabel("")
	r.title.TextStyle.Monospace = true
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.detail = widget.NewLabel("")
	r.detail.SizeName = theme.SizeNameCaptionText
	r.detail.Importance = widget.MediumImportance
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.enabled = widget.NewCheck("", nil)
	r.menu = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), func() { showMenuBelow(r.p.menu(r.sub.Subscription), r.menu) })
	r.menu.Importance = widget.LowImportance
	r.ExtendBaseWidget(r)
	return r
}

func (r *subRow) CreateRenderer() fyne.WidgetRenderer {
	right := container.NewHBox(r.enabled, r.menu)
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, r.chip, right, container.New(tightVBox{}, r.title, r.detail)))
}

func (p *subsPanel) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	r := o.(*subRow)
	s := p.subs[i]
	r.p, r.sub, r.index = p, s, i
	r.chip.FillColor = subColor(s.Subscription, i)
	r.chip.Refresh()
	title := s.Filter
	if s.Alias != "" {
		title = s.Alias
	}
	if p.v.currentFilter().sub == s.Filter {
		title = "▸ " + title
	}
	r.title.SetText(title)
	r.detail.SetText(subDetail(s))
	r.detail.Importance = widget.MediumImportance
	if s.Result != "" && !s.Granted {
		r.detail.Importance = widget.DangerImportance
	}
	r.detail.Refresh()
	r.enabled.OnChanged = nil
	r.enabled.SetChecked(s.Enabled)
	r.enabled.OnChanged = func(on bool) { p.setEnabled(s.Subscription, on) }
}

func subDetail(s app.SubState) string {
	parts := []string{"QoS " + strconv.Itoa(int(s.QoS))}
	if s.Alias != "" {
		parts = append(parts, s.Filter)
	}
	switch {
	case !s.Enabled:
		parts = append(parts, "off")
	case strings.HasPrefix(s.Result, "granted"):
		parts = append(parts, "granted")
	case s.Result != "":
		parts = append(parts, s.Result)
	}
	return strings.Join(parts, " · ")
}

func (p *subsPanel) setEnabled(s model.Subscription, on bool) {
	id := p.v.profile.ID
	p.v.w.do(func(ctx context.Context) error { return p.core.SetSubscriptionEnabled(ctx, id, s.ID, on) })
}

func (p *subsPanel) menu(s model.Subscription) *fyne.Menu {
	return fyne.NewMenu("",
		fyne.NewMenuItem("Edit…", func() { p.edit(s) }),
		fyne.NewMenuItem("Copy filter", func() { fyne.CurrentApp().Clipboard().SetContent(s.Filter) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Remove", func() { p.remove(s) }),
	)
}

func (p *subsPanel) remove(s model.Subscription) {
	id := p.v.profile.ID
	if p.v.currentFilter().sub == s.Filter {
		p.v.setFilter(func(f *viewFilter) { f.sub = "" })
		p.v.messages.filterChanged()
	}
	p.v.w.do(func(ctx context.Context) error { return p.core.Unsubscribe(ctx, id, s.ID) })
}

// edit opens the subscription dialog: a new subscription when s.ID is empty.
func (p *subsPanel) edit(s model.Subscription) {
	f := newSubForm(s, len(p.subs), p.v.profile.Options.Version == mqtt.MQTT5)
	p.form = f
	title := "New subscription"
	if s.ID != "" {
		title = "Edit subscription"
	}
	items := f.items()
	d := dialog.NewForm(title, "Subscribe", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		sub, err := f.subscription()
		if err != nil {
			p.v.w.showError(err)
			return
		}
		p.subscribe(s, sub)
	}, p.v.w.Window)
	d.Resize(fyne.NewSize(520, 0))
	p.v.w.showForm(d, items)
}

// subscribe saves sub (replacing old when its filter changed) and
// reports a refusal by the broker.
func (p *subsPanel) subscribe(old, sub model.Subscription) {
	core, id := p.core, p.v.profile.ID
	inBackground(func() (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		if old.ID != "" && old.Filter != sub.Filter {
			if err := core.Unsubscribe(ctx, id, old.ID); err != nil {
				return "", err
			}
			sub.ID = ""
		}
		return core.Subscribe(ctx, id, sub)
	}, func(result string, err error) {
		if err != nil {
			p.v.w.showError(err)
			return
		}
		if result != "" && !strings.HasPrefix(result, "granted") && !strings.HasPrefix(result, "QoS granted") {
			p.v.w.showError(errors.New("the broker refused the subscription to " + sub.Filter + ": " + result))
		}
	})
}
