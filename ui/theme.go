package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/mqttdesk/mqttdesk/model"
)

// appTheme is Fyne's default theme with the user's choices: held to light
// or dark or following the system, zoomed, and with disabled text dark
// enough to read on the light background.
type appTheme struct {
	fyne.Theme
	variant *fyne.ThemeVariant // nil: follow the system
	zoom    float32
}

// disabledOnLight is the colour of disabled text on the light theme:
// 5.3:1 against its white background and 4.8:1 against an entry's (WCAG
// AA asks 4.5:1), where Fyne's own grey gives 1.3:1 and 1.2:1.
var disabledOnLight = color.NRGBA{R: 0x6b, G: 0x6b, B: 0x6b, A: 0xff}

// inputBorderOnLight frames fields and checkboxes on the light theme:
// 3.5:1 against white, as WCAG asks of a control's boundary, where Fyne's
// own grey gives 1.3:1 and an unticked checkbox all but vanishes.
var inputBorderOnLight = color.NRGBA{R: 0x8a, G: 0x8a, B: 0x8a, A: 0xff}

func (t appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.variant != nil {
		v = *t.variant
	}
	if v == theme.VariantLight {
		switch n {
		case theme.ColorNameDisabled:
			return disabledOnLight
		case theme.ColorNameInputBorder:
			return inputBorderOnLight
		}
	}
	return t.Theme.Color(n, v)
}

func (t appTheme) Size(n fyne.ThemeSizeName) float32 { return t.Theme.Size(n) * t.zoom }

// Zoom bounds and step, as MQTTX's Ctrl+= and Ctrl+-.
const (
	minZoom  = 0.7
	maxZoom  = 2.0
	zoomStep = 0.1
	zoomKey  = "zoom" // in the app's preferences
)

// applyTheme sets the theme the user chose (model.ThemeLight,
// model.ThemeDark or model.ThemeSystem) at the zoom kept in the app's
// preferences.
func applyTheme(a fyne.App, name string) {
	t := appTheme{Theme: theme.DefaultTheme(), zoom: zoomOf(a)}
	switch name {
	case model.ThemeLight:
		v := theme.VariantLight
		t.variant = &v
	case model.ThemeDark:
		v := theme.VariantDark
		t.variant = &v
	}
	a.Settings().SetTheme(t)
}

func zoomOf(a fyne.App) float32 {
	z := float32(a.Preferences().FloatWithFallback(zoomKey, 1))
	return min(max(z, minZoom), maxZoom)
}

// zoom changes the zoom by steps (0: back to 100 %), keeps it and applies
// it with theme.
func zoom(a fyne.App, steps int, themeName string) {
	z := float32(1)
	if steps != 0 {
		z = zoomOf(a) + float32(steps)*zoomStep
	}
	z = min(max(z, minZoom), maxZoom)
	a.Preferences().SetFloat(zoomKey, float64(z))
	applyTheme(a, themeName)
}

// padlessTheme is the app's theme with no padding, for the message list:
// its rows draw their own gaps, so rows join into bubbles.
type padlessTheme struct{}

func (padlessTheme) current() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (t padlessTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.current().Color(n, v)
}

func (t padlessTheme) Font(s fyne.TextStyle) fyne.Resource { return t.current().Font(s) }

func (t padlessTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.current().Icon(n) }

func (t padlessTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNamePadding {
		return 0
	}
	return t.current().Size(n)
}
