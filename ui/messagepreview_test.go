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

// TestPreviewOfALongPayloadSaysItsSize: a preview made of the start of a
// long payload cannot count what follows; it says the payload's size.
func TestPreviewOfALongPayloadSaysItsSize(t *testing.T) {
	long := strings.Repeat("x", 22_505)
	got := strings.Join(previewOf([]byte(long), payload.Plain, 80, 3), "\n")
	if !strings.HasSuffix(got, "… 22.0 KiB in all, more in the details") {
		t.Errorf("the preview of 22,505 characters ends %q", got[max(len(got)-60, 0):])
	}
}

// TestPreviewWrapsBetweenWords: a line wraps after a space, not inside a
// word, unless the word is longer than the line.
func TestPreviewWrapsBetweenWords(t *testing.T) {
	got := previewOf([]byte(`{"sensor": "kitchen", "ok": true}`), payload.Plain, 30, 3)
	if len(got) != 2 || got[1] != "true}" {
		t.Errorf("wrapped as %q", got)
	}
	word := strings.Repeat("y", 50)
	if got := previewOf([]byte(word), payload.Plain, 30, 3); strings.Join(got, "") != word {
		t.Errorf("a long word wrapped as %q", got)
	}
}
