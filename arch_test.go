package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/mqttdesk/mqttdesk/"

// importRules are the package rules of docs/DESIGN.md. Each rule names the
// packages a library or a package of ours may be imported by (a prefix of
// an import path, after the module's); nothing else may import it.
var importRules = []struct {
	imported string   // a prefix of import paths
	only     []string // the importers allowed (prefixes); "." is main
	why      string
}{
	{"fyne.io/", []string{".", "ui"}, "only ui and main touch Fyne"},
	{"github.com/eclipse/paho", []string{"mqttcore"}, "only mqttcore speaks through paho"},
	{"github.com/mochi-mqtt/", []string{"localbroker"}, "only localbroker runs mochi"},
	{"go.etcd.io/bbolt", []string{"storage"}, "only storage opens bbolt files"},
	{module + "mqttcore", []string{"app", "cli"}, "sessions are the core's and the commands'"},
	{module + "localbroker", []string{"app", "cli", "internal/testkit"}, "the broker is the core's, the commands' and the test kit's"},
	{module + "storage", []string{"app", "cli"}, "the store is the core's"},
	{module + "app", []string{".", "ui", "cli"}, "the core serves the window and the commands"},
	{module + "ui", []string{"."}, "the window is wired by main"},
	{module + "cli", []string{"."}, "the commands are wired by main"},
	{module + "internal/bench", []string{"internal/bench"}, "benchmark programs import only each other (their tests are free)"},
}

// TestImportRules checks every package's imports (not its tests')
// against importRules, and that mqtt is a leaf of the standard library.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		if pkg == strings.TrimSuffix(module, "/") {
			pkg = "."
		}
		for _, imp := range fields[1:] {
			if problem := importProblem(pkg, imp); problem != "" {
				t.Error(problem)
			}
		}
	}
}

// TestImportRulesRefuse checks that the rules catch what they are for.
func TestImportRulesRefuse(t *testing.T) {
	for _, c := range [][2]string{
		{"storage", module + "mqttcore"},
		{"ui", module + "storage"},
		{"ui", module + "mqttcore"},
		{"app", "fyne.io/fyne/v2"},
		{"storage", "github.com/eclipse/paho.golang/paho"},
		{"mqtt", "github.com/sahilm/fuzzy"},
		{"cli", module + "ui"},
		{"ui/payload", module + "app"},
	} {
		if importProblem(c[0], c[1]) == "" {
			t.Errorf("%s importing %s passes the rules", c[0], c[1])
		}
	}
	if p := importProblem("ui", module+"app"); p != "" {
		t.Errorf("ui importing app: %s", p)
	}
}

// importProblem says what rule pkg importing imp breaks, or "".
func importProblem(pkg, imp string) string {
	if pkg == "mqtt" && strings.Contains(strings.Split(imp, "/")[0], ".") {
		return "mqtt imports " + imp + ": it is a leaf of the standard library"
	}
	if pkg == "model" && strings.Contains(strings.Split(imp, "/")[0], ".") && imp != module+"mqtt" {
		return "model imports " + imp + ": it holds plain records, on the standard library and mqtt only"
	}
	if pkg == "ui/payload" && strings.HasPrefix(imp, module) {
		return "ui/payload imports " + imp + ": a helper package imports none of ours"
	}
	for _, r := range importRules {
		if !strings.HasPrefix(imp, r.imported) || strings.HasPrefix(pkg, strings.TrimPrefix(r.imported, module)) {
			continue
		}
		if !slices.ContainsFunc(r.only, func(p string) bool { return pkg == p || strings.HasPrefix(pkg, p+"/") }) {
			return pkg + " imports " + imp + ", but " + r.why
		}
	}
	return ""
}
