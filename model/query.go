package model

import "time"

// Query selects messages. Zero fields select everything.
type Query struct {
	Direction   *Direction
	TopicFilter string // an MQTT filter: + and # work as in subscriptions
	Text        string // a substring of the topic or of a text payload
	IgnoreCase  bool   // for Text, ASCII letters only
	Regexp      string // matched against the topic and text payloads
	From, To    time.Time
}

// FuzzyMatch is one result of a fuzzy search: the text and the indexes of
// its characters that matched, for highlighting.
type FuzzyMatch struct {
	Text    string
	Matched []int
}
