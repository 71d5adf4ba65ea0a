package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/mqttdesk/mqttdesk/model"
)

func TestZoomSteps(t *testing.T) {
	a := test.NewTempApp(t)
	base := theme.DefaultTheme().Size(theme.SizeNameText)
	for _, c := range []struct {
		steps int
		want  float32
	}{{1, 1.1}, {1, 1.2}, {-1, 1.1}, {0, 1}, {-100, minZoom}, {100, maxZoom}} {
		zoom(a, c.steps, model.ThemeDark)
		got := a.Settings().Theme().Size(theme.SizeNameText) / base
		if got < c.want-0.001 || got > c.want+0.001 {
			t.Fatalf("after %d steps the zoom is %.2f, want %.2f", c.steps, got, c.want)
		}
	}
}

func TestDisabledTextReadableOnLight(t *testing.T) {
	a := test.NewTempApp(t)
	applyTheme(a, model.ThemeLight)
	if c := a.Settings().Theme().Color(theme.ColorNameDisabled, theme.VariantDark); c != disabledOnLight {
		t.Fatalf("disabled text on the light theme is %v", c)
	}
}
