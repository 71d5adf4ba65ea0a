package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"
	bolt "go.etcd.io/bbolt"

	"github.com/mqttdesk/mqttdesk/mqttcore"
)

// Query selects messages. Zero fields select everything.
type Query struct {
	Direction   *Direction
	TopicFilter string // an MQTT filter: + and # work as in subscriptions
	Text        string // a substring of the topic or of a text payload
	IgnoreCase  bool   // for Text, ASCII letters only
	Regexp      string // matched against the topic and text payloads
	From, To    time.Time
}

// searchChunk is how many messages one read transaction scans.
const searchChunk = 20_000

// Search returns up to limit messages of profileID that match q, scanning
// from the newest message older than before (0: the newest of all)
// backwards. It returns them oldest first, and the sequence to pass as
// before to continue, 0 when the history is exhausted. It checks ctx
// between chunks of messages, each read in its own short transaction.
func (s *Store) Search(ctx context.Context, profileID string, q Query, before uint64, limit int) ([]Message, uint64, error) {
	m, err := newMatcher(q)
	if err != nil {
		return nil, 0, err
	}
	var out []Message
	next := before
	for len(out) < limit {
		if err := ctx.Err(); err != nil {
			return out, next, err
		}
		var scanned int
		err := s.db.View(func(tx *bolt.Tx) error {
			pb, cache, err := s.readBucket(tx, profileID)
			if err != nil || pb == nil {
				return err
			}
			scanned, next, err = m.scan(pb.Bucket(subMessages).Cursor(), cache, next, limit-len(out), &out)
			return err
		})
		if err != nil {
			return nil, 0, errHistory("search", profileID, err)
		}
		if next == 1 || scanned == 0 {
			next = 0
			break
		}
	}
	reverse(out)
	return out, next, nil
}

// matcher tests records against a query, reading as little as it can.
type matcher struct {
	q      Query
	text   []byte
	re     *regexp.Regexp
	topics map[uint64]topicVerdict // by topic ID
}

// topicVerdict is what a query makes of one topic.
type topicVerdict struct {
	passes    bool // the topic filter accepts it
	textMatch bool // the topic itself satisfies the text and pattern
}

func newMatcher(q Query) (*matcher, error) {
	m := &matcher{q: q, text: []byte(q.Text), topics: map[uint64]topicVerdict{}}
	if q.IgnoreCase {
		m.text = bytes.ToLower(m.text)
	}
	if q.Regexp != "" {
		re, err := regexp.Compile(q.Regexp)
		if err != nil {
			return nil, fmt.Errorf("the search pattern is not a valid regular expression: %w", err)
		}
		m.re = re
	}
	if q.TopicFilter != "" {
		if err := mqttcore.ValidateFilter(q.TopicFilter); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// scan walks backwards from before (exclusive; 0 = the end) over at most
// searchChunk records, appending up to want matches to out. It returns how
// many it scanned and the smallest sequence it reached.
func (m *matcher) scan(c *bolt.Cursor, cache *topicCache, before uint64, want int, out *[]Message) (int, uint64, error) {
	k, v := c.Last()
	if before > 0 {
		if k, _ = c.Seek(seqKey(before)); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	scanned, found, next := 0, 0, before
	for ; k != nil && scanned < searchChunk && found < want; k, v = c.Prev() {
		scanned++
		next = keySeq(k)
		ok, err := m.match(v, cache)
		if err != nil {
			return scanned, next, err
		}
		if !ok {
			continue
		}
		msg, err := decodeMessage(k, v, cache)
		if err != nil {
			return scanned, next, err
		}
		*out = append(*out, msg)
		found++
	}
	return scanned, next, nil
}

// match tests record v without decoding it fully.
func (m *matcher) match(v []byte, cache *topicCache) (bool, error) {
	if len(v) < 1 {
		return false, errCorruptRecord
	}
	flags := v[0]
	if m.q.Direction != nil && Direction(flags&flagPublished) != *m.q.Direction {
		return false, nil
	}
	ms, n := binary.Uvarint(v[1:])
	if n <= 0 {
		return false, errCorruptRecord
	}
	t := time.UnixMilli(int64(ms))
	if (!m.q.From.IsZero() && t.Before(m.q.From)) || (!m.q.To.IsZero() && t.After(m.q.To)) {
		return false, nil
	}
	rest := v[1+n:]
	topicID, n := binary.Uvarint(rest)
	if n <= 0 {
		return false, errCorruptRecord
	}
	verdict := m.topic(topicID, cache)
	if !verdict.passes {
		return false, nil
	}
	if (len(m.text) == 0 && m.re == nil) || verdict.textMatch {
		return true, nil
	}
	return m.payloadMatches(payloadOf(flags, rest[n:])), nil
}

// topic judges a topic once per search.
func (m *matcher) topic(id uint64, cache *topicCache) topicVerdict {
	if v, ok := m.topics[id]; ok {
		return v
	}
	name := cache.name(id)
	v := topicVerdict{
		passes:    m.filterOK(name),
		textMatch: (len(m.text) > 0 || m.re != nil) && m.textMatches([]byte(name)),
	}
	m.topics[id] = v
	return v
}

func (m *matcher) filterOK(topic string) bool {
	return m.q.TopicFilter == "" || mqttcore.MatchTopic(m.q.TopicFilter, topic)
}

func (m *matcher) textMatches(b []byte) bool {
	if len(m.text) > 0 {
		if m.q.IgnoreCase && !containsFold(b, m.text) || !m.q.IgnoreCase && !bytes.Contains(b, m.text) {
			return false
		}
	}
	return m.re == nil || m.re.Match(b)
}

func (m *matcher) payloadMatches(p []byte) bool {
	return m.textMatches(p) && utf8.Valid(p)
}

// payloadOf returns the payload part of a record after its topic ID.
func payloadOf(flags byte, rest []byte) []byte {
	if flags&flagProps == 0 {
		return rest
	}
	size, n := binary.Uvarint(rest)
	if n <= 0 || uint64(len(rest)-n) < size {
		return nil
	}
	return rest[n+int(size):]
}

// containsFold reports whether lowerNeedle (already lower case) occurs in
// hay, comparing ASCII letters without case.
func containsFold(hay, lowerNeedle []byte) bool {
	n := len(lowerNeedle)
	for i := 0; i+n <= len(hay); i++ {
		j := 0
		for ; j < n; j++ {
			c := hay[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lowerNeedle[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

// FuzzyMatch is one result of a fuzzy search: the text and the indexes of
// its characters that matched, for highlighting.
type FuzzyMatch struct {
	Text    string
	Matched []int
}

// FuzzyTopics returns profileID's topics that fuzzily match pattern, best
// first.
func (s *Store) FuzzyTopics(profileID, pattern string) ([]FuzzyMatch, error) {
	var names []string
	err := s.db.View(func(tx *bolt.Tx) error {
		pb, cache, err := s.readBucket(tx, profileID)
		if err != nil || pb == nil {
			return err
		}
		cache.mu.RLock()
		names = append(names, cache.names[1:]...)
		cache.mu.RUnlock()
		return nil
	})
	if err != nil {
		return nil, errHistory("search topics of", profileID, err)
	}
	return fuzzyFind(pattern, names), nil
}

// FuzzyProfiles returns the profiles whose names fuzzily match pattern,
// best first.
func (s *Store) FuzzyProfiles(pattern string) ([]Profile, []FuzzyMatch, error) {
	list, err := s.Profiles()
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(list))
	for i, p := range list {
		names[i] = p.Options.Name
	}
	var profiles []Profile
	var matches []FuzzyMatch
	for _, m := range fuzzy.Find(pattern, names) {
		profiles = append(profiles, list[m.Index])
		matches = append(matches, FuzzyMatch{Text: m.Str, Matched: m.MatchedIndexes})
	}
	return profiles, matches, nil
}

func fuzzyFind(pattern string, names []string) []FuzzyMatch {
	var out []FuzzyMatch
	for _, m := range fuzzy.Find(pattern, names) {
		out = append(out, FuzzyMatch{Text: m.Str, Matched: m.MatchedIndexes})
	}
	return out
}
