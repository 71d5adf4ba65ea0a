package mqtt

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxTopicLength is the longest topic or filter MQTT can carry, in bytes.
const maxTopicLength = 65535

// ValidateTopicName checks a topic to publish to: not empty, valid UTF-8
// without U+0000, at most 65535 bytes, and no wildcards. Empty levels
// ("a//b", "/a") are allowed.
func ValidateTopicName(topic string) error {
	if err := validateTopicText(topic, "topic"); err != nil {
		return err
	}
	if strings.ContainsAny(topic, "+#") {
		return fmt.Errorf("topic %q contains a wildcard (+ or #); wildcards are for subscribing, not publishing", topic)
	}
	return nil
}

// ValidateFilter checks a topic filter to subscribe to: the rules of
// ValidateTopicName, except that "+" may stand for a whole level and "#"
// for the whole last level. Shared subscriptions ($share/group/filter) are
// checked as well.
func ValidateFilter(filter string) error {
	if err := validateTopicText(filter, "topic filter"); err != nil {
		return err
	}
	if rest, ok := strings.CutPrefix(filter, "$share/"); ok {
		group, f, found := strings.Cut(rest, "/")
		if !found || group == "" || strings.ContainsAny(group, "+#") || f == "" {
			return fmt.Errorf("shared subscription %q must be $share/GROUP/FILTER with a group name without wildcards", filter)
		}
		filter = f
	}
	levels := strings.Split(filter, "/")
	for i, level := range levels {
		if strings.Contains(level, "#") && (level != "#" || i != len(levels)-1) {
			return fmt.Errorf("topic filter %q: # must be a whole level and the last one, as in a/b/#", filter)
		}
		if strings.Contains(level, "+") && level != "+" {
			return fmt.Errorf("topic filter %q: + must be a whole level, as in a/+/c", filter)
		}
	}
	return nil
}

func validateTopicText(s, what string) error {
	switch {
	case s == "":
		return errors.New(what + " is empty")
	case len(s) > maxTopicLength:
		return fmt.Errorf("%s is %d bytes long; MQTT allows at most %d", what, len(s), maxTopicLength)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	case strings.ContainsRune(s, 0):
		return fmt.Errorf("%s %q contains the character U+0000, which MQTT forbids", what, s)
	}
	return nil
}
