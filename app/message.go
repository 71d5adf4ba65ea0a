package app

import "strings"

// trimPrefixes drops the "package: " prefixes of wrapped errors and the
// trailing cause after the first sentence, so a user reads what happened
// and what to do, not where in the code it happened.
func trimPrefixes(msg string) string {
	for _, p := range []string{"app: ", "localbroker: ", "storage: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	if i := strings.Index(msg, ": port in use"); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimSuffix(msg, ".")
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}
