// Package payload turns message payloads into text for the screen and text
// from the composer back into bytes. Payloads are kept as the bytes that
// arrived; a format is only a way of looking at them, so any payload can be
// shown in any format, binary included, and the choice can change later.
package payload

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format is a way of showing a payload.
type Format string

// The formats, in the order the views offer them.
const (
	Plain  Format = "Plain text"
	JSON   Format = "JSON"
	Hex    Format = "Hex"
	Base64 Format = "Base64"
)

// Formats lists every format by name, for selectors.
var Formats = []string{string(Plain), string(JSON), string(Hex), string(Base64)}

// Shown is a payload made ready for the screen.
type Shown struct {
	Text      string
	Shortened bool   // only the first bytes, up to the display limit, are in Text
	Note      string // why the format could not be applied as asked, or ""
}

// Show formats the first limit bytes of p as f (all of p when limit <= 0).
// It never fails: a payload that is not what f expects is shown as text
// with a Note, and bytes that are not printable UTF-8 are escaped as \xNN,
// so no payload can garble the display.
func Show(p []byte, f Format, limit int) Shown {
	var s Shown
	if limit > 0 && len(p) > limit {
		p, s.Shortened = trimPartialRune(p[:limit]), true
	}
	switch f {
	case JSON:
		s.Text, s.Note = showJSON(p, s.Shortened)
	case Hex:
		s.Text = hexDump(p)
	case Base64:
		s.Text = wrap(base64.StdEncoding.EncodeToString(p), 76)
	default:
		s.Text = SafeText(p)
	}
	return s
}

func showJSON(p []byte, shortened bool) (string, string) {
	if !shortened && !json.Valid(p) {
		return SafeText(p), "not valid JSON; shown as text"
	}
	if !utf8.Valid(p) {
		return SafeText(p), "not valid JSON; shown as text"
	}
	return SafeText([]byte(indentJSON(p))), ""
}

// trimPartialRune drops a UTF-8 sequence cut off at the end of p.
func trimPartialRune(p []byte) []byte {
	for i := 1; i <= 3 && i <= len(p); i++ {
		if utf8.RuneStart(p[len(p)-i]) {
			if !utf8.FullRune(p[len(p)-i:]) {
				return p[:len(p)-i]
			}
			break
		}
	}
	return p
}

// SafeText returns p as text: valid UTF-8 as it is, line feeds and tabs
// kept, every other control character and every invalid byte as \xNN.
func SafeText(p []byte) string {
	var b strings.Builder
	b.Grow(len(p))
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, p[0])
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			for _, c := range p[:size] {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		default:
			b.Write(p[:size])
		}
		p = p[size:]
	}
	return b.String()
}

// IsText reports whether p is UTF-8 without control characters other than
// line feeds, carriage returns and tabs.
func IsText(p []byte) bool {
	if !utf8.Valid(p) {
		return false
	}
	for _, r := range string(p) {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}

// hexDump writes 16 bytes a line: offset, bytes, and the printable ASCII.
func hexDump(p []byte) string {
	var b strings.Builder
	for off := 0; off < len(p); off += 16 {
		line := p[off:min(off+16, len(p))]
		fmt.Fprintf(&b, "%08x  ", off)
		for i := range 16 {
			if i < len(line) {
				fmt.Fprintf(&b, "%02x ", line[i])
			} else {
				b.WriteString("   ")
			}
		}
		b.WriteString(" |")
		for _, c := range line {
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteString("|")
		if off+16 < len(p) {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func wrap(s string, width int) string {
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width])
		b.WriteByte('\n')
		s = s[width:]
	}
	b.WriteString(s)
	return b.String()
}

// indentJSON indents JSON text two spaces a level. It works on a prefix
// of a document too, so a shortened payload is still laid out.
func indentJSON(p []byte) string {
	var b strings.Builder
	depth, inString, escaped := 0, false, false
	newline := func() {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat("  ", depth))
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if inString {
			b.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
		case '"':
			inString = true
			b.WriteByte(c)
		case '{', '[':
			b.WriteByte(c)
			if i+1 < len(p) && closes(p[i+1:], c) {
				continue
			}
			depth++
			newline()
		case '}', ']':
			if i > 0 && !justOpened(p[:i]) {
				depth = max(depth-1, 0)
				newline()
			}
			b.WriteByte(c)
		case ',':
			b.WriteByte(c)
			newline()
		case ':':
			b.WriteString(": ")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// closes reports whether rest starts, after spaces, with the bracket
// closing open: an empty object or array stays on one line.
func closes(rest []byte, open byte) bool {
	want := byte('}')
	if open == '[' {
		want = ']'
	}
	for _, c := range rest {
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			continue
		}
		return c == want
	}
	return false
}

// justOpened reports whether before ends, after spaces, with { or [.
func justOpened(before []byte) bool {
	for i := len(before) - 1; i >= 0; i-- {
		switch before[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}

// Parse turns what the user typed in the composer into the payload to
// send, as f says: text as its UTF-8 bytes, JSON checked (and sent as
// typed), hex digits (spaces and line breaks ignored) or Base64.
func Parse(text string, f Format) ([]byte, error) {
	switch f {
	case JSON:
		if strings.TrimSpace(text) != "" && !json.Valid([]byte(text)) {
			return nil, jsonError(text)
		}
		return []byte(text), nil
	case Hex:
		clean := strings.Join(strings.Fields(text), "")
		clean = strings.TrimPrefix(strings.ReplaceAll(clean, "0x", ""), "0X")
		b, err := hex.DecodeString(clean)
		if err != nil {
			return nil, errors.New("the payload is not hex: use pairs of 0-9 and a-f, spaces allowed")
		}
		return b, nil
	case Base64:
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
		if err != nil {
			return nil, errors.New("the payload is not Base64; check for missing padding or stray characters")
		}
		return b, nil
	}
	return []byte(text), nil
}

func jsonError(text string) error {
	var v any
	err := json.Unmarshal([]byte(text), &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + strings.Count(text[:min(int(se.Offset), len(text))], "\n")
		return fmt.Errorf("the payload is not valid JSON (line %d: %s); fix it or send it as plain text", line, se.Error())
	}
	return errors.New("the payload is not valid JSON; fix it or send it as plain text")
}
