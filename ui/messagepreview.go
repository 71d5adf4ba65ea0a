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
			return markCut(out, cols, 0, len(src)-i, s.Shortened)
		}
		out = append(out, wrapped[:room]...)
		hidden := strings.Join(wrapped[room:], "")
		return markCut(out, cols, utf8.RuneCountInString(hidden), len(src)-i-1, s.Shortened)
	}
	if s.Shortened {
		return markCut(out, cols, 0, 0, true)
	}
	return out
}

// markCut ends the last of lines with how much was left out: chars of
// its own line, then whole lines, then a note when the payload itself was
// shortened for the preview. Characters the marker displaces are counted.
func markCut(lines []string, cols, chars, more int, shortened bool) []string {
	last := lines[len(lines)-1]
	what := cutMarker(chars, more, shortened)
	for range 3 { // the count can gain a digit as the line shrinks
		keep := max(cols-utf8.RuneCountInString(what)-1, 0)
		n := utf8.RuneCountInString(last)
		if n <= keep {
			break
		}
		chars += n - keep
		last = truncateRunes(last, keep)
		what = cutMarker(chars, more, shortened)
	}
	lines[len(lines)-1] = strings.TrimRight(last+" "+what, " ")
	return lines
}

func cutMarker(chars, more int, shortened bool) string {
	var parts []string
	if chars > 0 {
		parts = append(parts, fmt.Sprintf("+%d chars", chars))
	}
	if more > 0 {
		parts = append(parts, "+"+plural(int64(more), "line"))
	}
	if shortened {
		parts = append(parts, "more in the details")
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
