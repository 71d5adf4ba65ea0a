package storage

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"

	"github.com/sahilm/fuzzy"
	bolt "go.etcd.io/bbolt"
)

// searchChunk is how many messages one read transaction scans.
const searchChunk = 20_000

// Search returns up to limit messages of profileID that match q, scanning
// from the newest message older than before (0: the newest of all)
// backwards. It returns them oldest first, and the sequence to pass as
// before to continue, 0 when the history is exhausted. It checks ctx
// between chunks of messages, each read in its own short transaction.
func (s *Store) Search(ctx context.Context, profileID string, q model.Query, before uint64, limit int) ([]Message, uint64, error) {
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
		err := s.view(func(tx *bolt.Tx) error {
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
	q      model.Query
	text   []byte
	re     *regexp.Regexp
	topics map[uint64]topicVerdict // by topic ID
}

// topicVerdict is what a query makes of one topic.
type topicVerdict struct {
	passes    bool // the topic filter accepts it
	textMatch bool // the topic itself satisfies the text and pattern
}

func newMatcher(q model.Query) (*matcher, error) {
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
		if err := mqtt.ValidateFilter(q.TopicFilter); err != nil {
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
		seq, err := keySeq(k)
		if err != nil {
			return scanned, next, err
		}
		if next != 0 && !inOrder(next, seq, true) {
			return scanned, next, errKeyOrder
		}
		next = seq
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
	flags, ms, topicID, rest, err := recordHead(v)
	if err != nil {
		return false, err
	}
	if m.q.Direction != nil && model.Direction(flags&flagPublished) != *m.q.Direction {
		return false, nil
	}
	t := time.UnixMilli(int64(ms))
	if (!m.q.From.IsZero() && t.Before(m.q.From)) || (!m.q.To.IsZero() && t.After(m.q.To)) {
		return false, nil
	}
	verdict, err := m.topic(topicID, cache)
	if err != nil || !verdict.passes {
		return false, err
	}
	if (len(m.text) == 0 && m.re == nil) || verdict.textMatch {
		return true, nil
	}
	payload, err := payloadOf(flags, rest)
	return err == nil && m.payloadMatches(payload), err
}

// topic judges a topic once per search.
func (m *matcher) topic(id uint64, cache *topicCache) (topicVerdict, error) {
	if v, ok := m.topics[id]; ok {
		return v, nil
	}
	name, err := cache.name(id)
	if err != nil {
		return topicVerdict{}, err
	}
	v := topicVerdict{
		passes:    m.filterOK(name),
		textMatch: (len(m.text) > 0 || m.re != nil) && m.textMatches([]byte(name)),
	}
	m.topics[id] = v
	return v, nil
}

func (m *matcher) filterOK(topic string) bool {
	return m.q.TopicFilter == "" || mqtt.MatchTopic(m.q.TopicFilter, topic)
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
func payloadOf(flags byte, rest []byte) ([]byte, error) {
	if flags&flagProps != 0 {
		var ok bool
		if _, rest, ok = splitProps(rest); !ok {
			return nil, errCorruptRecord
		}
	}
	var m Message
	return decodeStatus(flags, rest, &m)
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

// FuzzyTopics returns profileID's topics that fuzzily match pattern, best
// first.
func (s *Store) FuzzyTopics(profileID, pattern string) ([]model.FuzzyMatch, error) {
	var names []string
	err := s.view(func(tx *bolt.Tx) error {
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
func (s *Store) FuzzyProfiles(pattern string) ([]model.Profile, []model.FuzzyMatch, error) {
	list, err := s.Profiles()
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(list))
	for i, p := range list {
		names[i] = p.Options.Name
	}
	var profiles []model.Profile
	var matches []model.FuzzyMatch
	for _, m := range fuzzy.Find(pattern, names) {
		profiles = append(profiles, list[m.Index])
		matches = append(matches, model.FuzzyMatch{Text: m.Str, Matched: m.MatchedIndexes})
	}
	return profiles, matches, nil
}

func fuzzyFind(pattern string, names []string) []model.FuzzyMatch {
	var out []model.FuzzyMatch
	for _, m := range fuzzy.Find(pattern, names) {
		out = append(out, model.FuzzyMatch{Text: m.Str, Matched: m.MatchedIndexes})
	}
	return out
}
