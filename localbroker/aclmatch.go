package localbroker

import "strings"

// aclClient is who asks: a client without a username is anonymous.
type aclClient struct {
	username string
	clientID string
}

// Allows reports whether client may do want (accessRead or accessWrite)
// on topic: a topic name, or for a subscription (accessRead) a filter.
func (a *ACL) allows(c aclClient, topic string, want access) bool {
	allowed := false
	for rule := range a.rulesFor(c) {
		switch {
		case rule.access == accessDeny && within(topic, rule.filter):
			return false
		case rule.access&want != 0 && !allowed:
			allowed = overlaps(topic, rule.filter)
		}
	}
	return allowed
}

// rulesFor yields the rules that apply to c, patterns with %c and %u
// replaced. A pattern is left out when the value it needs is missing or
// holds /, + or #, which would widen it.
func (a *ACL) rulesFor(c aclClient) func(func(aclRule) bool) {
	return func(yield func(aclRule) bool) {
		own := a.anonymous
		if c.username != "" {
			own = a.users[c.username]
		}
		for _, r := range own {
			if !yield(r) {
				return
			}
		}
		for _, r := range a.patterns {
			if f, ok := substitute(r.filter, c); ok {
				r.filter = f
				if !yield(r) {
					return
				}
			}
		}
	}
}

func substitute(filter string, c aclClient) (string, bool) {
	for _, v := range []struct{ token, value string }{{"%c", c.clientID}, {"%u", c.username}} {
		if !strings.Contains(filter, v.token) {
			continue
		}
		if v.value == "" || strings.ContainsAny(v.value, "/+#") {
			return "", false
		}
		filter = strings.ReplaceAll(filter, v.token, v.value)
	}
	return filter, true
}

// within reports whether every topic filter f matches is matched by r.
func within(f, r string) bool {
	if dollarMismatch(f, r) {
		return false
	}
	for {
		fl, fnext, fmore := strings.Cut(f, "/")
		rl, rnext, rmore := strings.Cut(r, "/")
		switch {
		case rl == "#":
			return true
		case fl == "#", rl != "+" && (fl == "+" || fl != rl):
			return false
		case !fmore && !rmore:
			return true
		case !fmore:
			return rnext == "#" // "a" lies within "a/#"
		case !rmore:
			return false
		}
		f, r = fnext, rnext
	}
}

// overlaps reports whether some topic is matched by both filters.
func overlaps(a, b string) bool {
	if dollarMismatch(a, b) || dollarMismatch(b, a) {
		return false
	}
	for {
		al, anext, amore := strings.Cut(a, "/")
		bl, bnext, bmore := strings.Cut(b, "/")
		switch {
		case al == "#" || bl == "#":
			return true
		case al != "+" && bl != "+" && al != bl:
			return false
		case !amore && !bmore:
			return true
		case !amore:
			return bnext == "#"
		case !bmore:
			return anext == "#"
		}
		a, b = anext, bnext
	}
}

// dollarMismatch reports whether t starts with a $ level that wildcard f
// must not match at its first level (MQTT-4.7.2-1).
func dollarMismatch(t, f string) bool {
	return strings.HasPrefix(t, "$") && (strings.HasPrefix(f, "+") || strings.HasPrefix(f, "#"))
}
