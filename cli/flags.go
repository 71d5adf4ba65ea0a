package cli

import (
	"flag"
	"fmt"
	"reflect"
	"strings"
)

// printFlags writes fs's flags as PrintDefaults does, but with long names
// spelled with two dashes, as mqttdesk's help texts and README give them
// (Go's flag package takes one or two); one-letter names keep one dash,
// as mosquitto's do.
func printFlags(fs *flag.FlagSet) {
	out := fs.Output()
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if len(f.Name) == 1 {
			line = "  -" + f.Name
		}
		if kind != "" {
			line += " " + kind
		}
		usage = strings.ReplaceAll(usage, "\n", "\n    \t")
		if !isZeroValue(f) {
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(out, "%s\n    \t%s\n", line, usage)
	})
}

// isZeroValue reports whether f's default is its type's zero value, which
// the help leaves out, as the flag package does.
func isZeroValue(f *flag.Flag) (zero bool) {
	defer func() {
		if recover() != nil {
			zero = false // a Value whose zero String panics: show the default
		}
	}()
	typ := reflect.TypeOf(f.Value)
	var z reflect.Value
	if typ.Kind() == reflect.Pointer {
		z = reflect.New(typ.Elem())
	} else {
		z = reflect.Zero(typ)
	}
	v, ok := z.Interface().(flag.Value)
	return ok && f.DefValue == v.String()
}
