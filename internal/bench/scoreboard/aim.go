package main

import "fmt"

// aim is what a row should reach: a ratio against its peer, or a bound on
// mqttdesk's own figure. The zero aim asks for nothing.
type aim struct {
	kind  aimKind
	value float64
}

type aimKind int

const (
	noAim aimKind = iota
	ratioMin
	figureMax
	figureMin
)

func ratioAtLeast(v float64) aim { return aim{ratioMin, v} }
func atMost(v float64) aim       { return aim{figureMax, v} }
func atLeast(v float64) aim      { return aim{figureMin, v} }

func (a aim) String() string {
	switch a.kind {
	case ratioMin:
		return fmt.Sprintf("≥ %.1fx", a.value)
	case figureMax:
		return "≤ " + formatFigure(a.value)
	case figureMin:
		return "≥ " + formatFigure(a.value)
	}
	return ""
}

// met reports whether figure (and ratio, for a ratio aim) reaches the aim;
// ratio is nil when the peer gave no figure.
func (a aim) met(figure float64, ratio *float64) bool {
	switch a.kind {
	case ratioMin:
		return ratio != nil && *ratio >= a.value
	case figureMax:
		return figure <= a.value
	case figureMin:
		return figure >= a.value
	}
	return true
}
