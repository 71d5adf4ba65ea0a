package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// On the light theme Fyne draws a disabled field's border and text in the
// disabled colour, which mqttdesk darkens so that disabled labels stay
// readable (disabledOnLight): a disabled field then had a darker frame than
// an enabled one and looked the more active. Inside a form field the
// disabled colour is a light grey instead, and a disabled field loses its
// input background, so it reads as switched off at a glance; its label
// beside it keeps the readable grey.

// disabledInFieldOnLight is the disabled colour inside a field on the light
// theme: 2.4:1 on white, lighter than the enabled border (inputBorderOnLight).
// WCAG asks no contrast of an inactive control.
var disabledInFieldOnLight = color.NRGBA{R: 0xa8, G: 0xa8, B: 0xa8, A: 0xff}

// formItem is a form row whose field looks disabled when it is.
func formItem(label string, field fyne.CanvasObject) *widget.FormItem {
	return widget.NewFormItem(label, newFieldLook(field))
}

// hinted is a formItem with a hint under its field.
func hinted(label string, field fyne.CanvasObject, hint string) *widget.FormItem {
	it := formItem(label, field)
	it.HintText = hint
	return it
}

// fieldLook draws a field under fieldTheme. It is Disableable when its
// field is, so that the form greys the field's label as before.
type fieldLook struct {
	widget.BaseWidget
	field    fyne.CanvasObject
	input    fyne.Disableable // the field, or the input in it; nil: none
	override *container.ThemeOverride
}

// inputOf finds the control a field is: the field itself, or the first
// input in a container of one with its buttons (a file field's Browse).
func inputOf(field fyne.CanvasObject) fyne.Disableable {
	switch f := field.(type) {
	case *entry, *widget.Entry, *widget.Select, *widget.SelectEntry, *widget.Check:
		return f.(fyne.Disableable)
	case *fyne.Container:
		for _, o := range f.Objects {
			if d := inputOf(o); d != nil {
				return d
			}
		}
	}
	return nil
}

func newFieldLook(field fyne.CanvasObject) *fieldLook {
	l := &fieldLook{field: field, input: inputOf(field)}
	l.override = container.NewThemeOverride(field, fieldTheme{look: l})
	l.ExtendBaseWidget(l)
	return l
}

// CreateRenderer draws the field again under fieldTheme: it may have been
// disabled, and drawn, before it was shown.
func (l *fieldLook) CreateRenderer() fyne.WidgetRenderer {
	r := widget.NewSimpleRenderer(l.override)
	l.override.Refresh()
	return r
}

// Disabled reports whether the field's input is disabled.
func (l *fieldLook) Disabled() bool { return l.input != nil && l.input.Disabled() }

// Enable enables the field's input.
func (l *fieldLook) Enable() {
	if l.input != nil {
		l.input.Enable()
	}
}

// Disable disables the field's input.
func (l *fieldLook) Disable() {
	if l.input != nil {
		l.input.Disable()
	}
}

// fieldTheme is the app's theme with the light disabled look of a field.
type fieldTheme struct{ look *fieldLook }

func (fieldTheme) current() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (t fieldTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	c := t.current().Color(n, v)
	if t.current().Color(theme.ColorNameDisabled, v) != disabledOnLight {
		return c // the dark theme: Fyne's own look
	}
	switch {
	case n == theme.ColorNameDisabled:
		return disabledInFieldOnLight
	case n == theme.ColorNameInputBackground && t.look.Disabled():
		return t.current().Color(theme.ColorNameBackground, v)
	}
	return c
}

func (t fieldTheme) Font(s fyne.TextStyle) fyne.Resource { return t.current().Font(s) }

func (t fieldTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.current().Icon(n) }

func (t fieldTheme) Size(n fyne.ThemeSizeName) float32 { return t.current().Size(n) }
