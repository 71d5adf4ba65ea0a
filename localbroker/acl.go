package localbroker

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// access is what an access list rule allows.
type access byte

const (
	accessRead access = 1 << iota
	accessWrite
	accessDeny      // denies reading and writing; checked before any allow
	accessReadWrite = accessRead | accessWrite
)

var accessNames = map[string]access{"read": accessRead, "write": accessWrite, "readwrite": accessReadWrite, "deny": accessDeny}

// aclRule is one "topic" or "pattern" line.
type aclRule struct {
	access  access
	filter  string
	pattern bool // %c and %u are replaced by the client ID and username
}

// ACL is an access list in the syntax of mosquitto's acl_file:
//
//	# anonymous clients (no username): the topic lines before any user line
//	topic read public/#
//	user alice
//	topic readwrite sensors/#
//	topic deny sensors/secret
//	# every client; %c is its client ID, %u its username
//	pattern write clients/%c/status
//
// The access is read, write, readwrite (the default) or deny. A client may
// publish to a topic that one of its write rules matches and no deny rule
// does, receive a message likewise with a read rule, and subscribe to a
// filter unless it lies within a deny rule or no read rule could ever
// match what it matches (mosquitto 2.0 grants every SUBSCRIBE and only
// filters deliveries; messages are filtered here too). Anything not
// allowed is denied.
type ACL struct {
	anonymous []aclRule
	users     map[string][]aclRule
	patterns  []aclRule
}

// ACLError is returned for a line of an access list file that cannot be
// used.
type ACLError struct {
	File string
	Line int
	Msg  string
}

func (e *ACLError) Error() string {
	return fmt.Sprintf("localbroker: access list %s, line %d: %s", e.File, e.Line, e.Msg)
}

// LoadACL reads and checks the access list file at path. Errors name the
// file and, for its content, the line (*ACLError).
func LoadACL(path string) (*ACL, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("localbroker: access list: %w", err)
	}
	acl, err := ParseACL(data)
	if e, ok := err.(*ACLError); ok {
		e.File = path
	}
	return acl, err
}

// ParseACL parses an access list; see ACL for the syntax.
func ParseACL(data []byte) (*ACL, error) {
	acl := &ACL{users: map[string][]aclRule{}}
	var user *string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		keyword, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch keyword {
		case "user":
			if rest == "" {
				return nil, &ACLError{Line: n, Msg: "user needs a name"}
			}
			user = &rest
		case "topic", "pattern":
			rule, msg := parseRule(rest, keyword == "pattern")
			if msg != "" {
				return nil, &ACLError{Line: n, Msg: keyword + ": " + msg}
			}
			acl.add(rule, user)
		default:
			return nil, &ACLError{Line: n, Msg: fmt.Sprintf("unknown keyword %q; use user, topic or pattern", keyword)}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("localbroker: access list: %w", err)
	}
	return acl, nil
}

// parseRule reads "[access] filter"; it returns a message saying what is
// wrong, or "".
func parseRule(s string, pattern bool) (aclRule, string) {
	rule := aclRule{access: accessReadWrite, pattern: pattern}
	first, rest, _ := strings.Cut(s, " ")
	if a, ok := accessNames[first]; ok {
		rule.access, s = a, strings.TrimSpace(rest)
	}
	if s == "" {
		return rule, "needs a topic filter"
	}
	if !validFilter(s) {
		return rule, fmt.Sprintf("%q is not a topic filter: # only as the last level, + only as a whole level", s)
	}
	rule.filter = s
	return rule, ""
}

// add files rule under the user of the section it is in: the anonymous
// clients' before any user line; patterns apply to every client.
func (a *ACL) add(rule aclRule, user *string) {
	switch {
	case rule.pattern:
		a.patterns = append(a.patterns, rule)
	case user == nil:
		a.anonymous = append(a.anonymous, rule)
	default:
		a.users[*user] = append(a.users[*user], rule)
	}
}

// validFilter reports whether f is a well-formed MQTT topic filter.
func validFilter(f string) bool {
	levels := strings.Split(f, "/")
	for i, l := range levels {
		if strings.ContainsAny(l, "+#") && len(l) > 1 {
			return false
		}
		if l == "#" && i != len(levels)-1 {
			return false
		}
	}
	return true
}
