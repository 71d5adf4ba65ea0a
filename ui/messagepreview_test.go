package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mqttdesk/mqttdesk/ui/payload"
)

// numberedWords is w001 to wNNN, to find which words of a line are seen.
func numberedWords(n int) []string {
	words := make([]string, n)
	for i := range words {
		words[i] = fmt.Sprintf("w%03d", i+1)
	}
	return words
}

// TestPreviewMarksWhatItHides: a preview wraps long lines and, where it
// stops, says how much it left out; every word of a line that fits in
// the preview is shown.
func TestPreviewMarksWhatItHides(t *testing.T) {
	words := numberedWords(30)
	line := strings.Join(words, " ")
	tests := []struct {
		name, text  string
		cols, lines int
		want        []string // substrings of the joined preview
	}{
		{"fits wrapped", line, 60, 3, words},
		{"one line cut", line, 40, 1, []string{"w001", "… +", "chars"}},
		{"lines hidden", "a\nb\nc\nd\ne", 40, 3, []string{"a", "b", "c … +2 lines"}},
		{"short", "online", 40, 3, []string{"online"}},
	}
	for _, tt := range tests {
		got := strings.Join(previewOf([]byte(tt.text), payload.Plain, tt.cols, tt.lines), "\n")
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: preview %q lacks %q", tt.name, got, w)
			}
		}
		for _, l := range strings.Split(got, "\n") {
			if n := len([]rune(l)); n > tt.cols {
				t.Errorf("%s: line %q is %d wide, more than %d", tt.name, l, n, tt.cols)
			}
		}
	}
}
