package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestHelpSpellsFlagsAsTheUsageLine: every help lists a long flag with two
// dashes, as its usage line and the README write it, and leaves out
// defaults that are only a type's zero value.
func TestHelpSpellsFlagsAsTheUsageLine(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"broker", "--help"}, {"bench", "pub", "--help"}} {
		var out, errs bytes.Buffer
		Run(args, &out, &errs)
		help := out.String() + errs.String()
		for _, line := range strings.Split(help, "\n") {
			if strings.HasPrefix(line, "  -") && !strings.HasPrefix(line, "  --") && len(strings.Fields(line)[0]) > 2 {
				t.Errorf("%v: %q has one dash", args, line)
			}
		}
		if strings.Contains(help, `(default "0 users")`) || strings.Contains(help, `(default "false")`) {
			t.Errorf("%v: a zero default is shown:\n%s", args, help)
		}
	}
	var out, errs bytes.Buffer
	Run([]string{"--help"}, &out, &errs)
	if help := out.String() + errs.String(); !strings.Contains(help, "  --data-dir directory\n") {
		t.Errorf("--help does not list --data-dir:\n%s", help)
	}
}
