package ui

import (
	"fmt"
	"image/color"

	"github.com/mqttdesk/mqttdesk/model"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// palette is the colours offered for subscriptions and connections, in
// the order new ones get them.
var palette = []struct{ Name, Hex string }{
	{"Green", "#34c388"},
	{"Blue", "#3b82f6"},
	{"Orange", "#f59e0b"},
	{"Purple", "#8b5cf6"},
	{"Pink", "#ec4899"},
	{"Teal", "#14b8a6"},
	{"Red", "#ef4444"},
	{"Grey", "#6b7280"},
}

// paletteNames lists the palette for a selector.
func paletteNames() []string {
	out := make([]string, len(palette))
	for i, p := range palette {
		out[i] = p.Name
	}
	return out
}

func paletteName(hex string) string {
	for _, p := range palette {
		if p.Hex == hex {
			return p.Name
		}
	}
	return palette[0].Name
}

func paletteHex(name string) string {
	for _, p := range palette {
		if p.Name == name {
			return p.Hex
		}
	}
	return palette[0].Hex
}

// parseColor reads "#rrggbb"; anything else gives fallback.
func parseColor(hex string, fallback color.Color) color.Color {
	var r, g, b uint8
	if _, err := fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b); err != nil || len(hex) != 7 {
		return fallback
	}
	return color.NRGBA{R: r, G: g, B: b, A: 0xff}
}

// withAlpha returns c at the given opacity, for bubble backgrounds.
func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// subColor returns subscription s's colour, or the palette's i-th.
func subColor(s model.Subscription, i int) color.Color {
	return parseColor(s.Color, parseColor(palette[i%len(palette)].Hex, theme.Color(theme.ColorNamePrimary)))
}

// stateColor is the colour of a connection's status dot.
func stateColor(state string, hasErr bool) color.Color {
	switch {
	case state == "connected":
		return color.NRGBA{R: 0x22, G: 0xc5, B: 0x5e, A: 0xff}
	case state == "connecting":
		return color.NRGBA{R: 0xf5, G: 0x9e, B: 0x0b, A: 0xff}
	case hasErr:
		return color.NRGBA{R: 0xef, G: 0x44, B: 0x44, A: 0xff}
	}
	return color.NRGBA{R: 0x9c, G: 0xa3, B: 0xaf, A: 0xff}
}

// newDot is a small filled circle, such as a status light or colour chip.
func newDot(c color.Color, size float32) *canvas.Circle {
	d := canvas.NewCircle(c)
	d.Resize(fyne.NewSquareSize(size))
	return d
}

// dotBox holds a dot at its size, centred in a fixed square.
type dotBox struct{ size float32 }

func (d dotBox) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSquareSize(d.size + 4) }

func (d dotBox) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSquareSize(d.size))
		o.Move(fyne.NewPos((s.Width-d.size)/2, (s.Height-d.size)/2))
	}
}
