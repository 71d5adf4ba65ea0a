package mqtt

import "strings"

// MatchTopic reports whether topic matches filter under MQTT's rules: "+"
// matches one level, "#" the rest (including the parent level), and topics
// starting with "$" are not matched by a wildcard in the first level.
// A shared subscription filter ($share/group/f) matches as f.
func MatchTopic(filter, topic string) bool {
	if rest, ok := strings.CutPrefix(filter, "$share/"); ok {
		if _, f, found := strings.Cut(rest, "/"); found {
			filter = f
		}
	}
	if strings.HasPrefix(topic, "$") && (strings.HasPrefix(filter, "+") || strings.HasPrefix(filter, "#")) {
		return false
	}
	for {
		fl, frest, fmore := strings.Cut(filter, "/")
		if fl == "#" {
			return true
		}
		tl, trest, tmore := strings.Cut(topic, "/")
		if fl != "+" && fl != tl {
			return false
		}
		if !fmore || !tmore {
			return !fmore && !tmore || (fmore && frest == "#")
		}
		filter, topic = frest, trest
	}
}
