package ui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mqttdesk/mqttdesk/ui/payload"
)

// previewLines and previewBytes bound a message's payload in the list;
// the detail pane below the list shows all of it.
const (
	previewLines = 3
	previewBytes = 2048
)

// previewOf is the payload as the list shows it: at most lines lines of at
// most cols characters. Long lines wrap (hex dump lines, which wrapping
// would garble, are cut and end in "…"); what does not fit ends the last
// line with a marker that says how much is hidden ("… +12 chars",
// "… +3 lines"), so no text is cut without a sign.
func previewOf(p []byte, format payload.Format, cols, lines int) []string {
	if len(p) == 0 {
		return []string{"(empty payload)"}
	}
	cols = max(cols, 12)
	s := payload.Show(p, format, previewBytes)
	whole := 0 // the payload's size when the preview is made of its start only
	if s.Shortened {
		whole = len(p)
	}
	src := strings.Split(strings.TrimRight(s.Text, "\n"), "\n")
	var out []string
	for i, line := range src {
		wrapped := wrapLines(line, cols)
		if format == payload.Hex {
			wrapped = []string{fitRunes(line, cols)}
		}
		if len(out)+len(wrapped) <= lines {
			out = append(out, wrapped...)
			continue
		}
		room := lines - len(out)
		if room == 0 { // the whole line is hidden
			return markCut(out, cols, 0, len(src)-i, whole)
		}
		out = append(out, wrapped[:room]...)
		hidden := strings.Join(wrapped[room:], "")
		return markCut(out, cols, utf8.RuneCountInString(hidden), len(src)-i-1, whole)
	}
	if whole > 0 {
		return markCut(out, cols, 0, 0, whole)
	}
	return out
}

// markCut ends the last of lines with how much was left out: chars of
// its own line, then whole lines. When the preview was made of the
// payload's start only (whole is its size), counts of what follows would
// be wrong, so it says the payload's size instead. Characters the marker
// displaces are counted.
func markCut(lines []string, cols, chars, more, whole int) []string {
	last := lines[len(lines)-1]
	what := cutMarker(chars, more, whole)
	for range 3 { // the count can gain a digit as the line shrinks
		keep := max(cols-utf8.RuneCountInString(what)-1, 0)
		n := utf8.RuneCountInString(last)
		if n <= keep {
			break
		}
		chars += n - keep
		last = truncateRunes(last, keep)
		what = cutMarker(chars, more, whole)
	}
	lines[len(lines)-1] = strings.TrimRight(last+" "+what, " ")
	return lines
}

func cutMarker(chars, more, whole int) string {
	if whole > 0 {
		return "… " + sizeText(whole) + " in all, more in the details"
	}
	var parts []string
	if chars > 0 {
		parts = append(parts, fmt.Sprintf("+%d chars", chars))
	}
	if more > 0 {
		parts = append(parts, "+"+plural(int64(more), "line"))
	}
	return "… " + strings.Join(parts, ", ")
}

func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
