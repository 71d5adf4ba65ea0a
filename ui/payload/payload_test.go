package payload

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestJSONIsIndentedAsEncodingJSONDoes(t *testing.T) {
	docs := []string{
		`{"a":1,"b":[1,2,{"c":"x,y:{z}"}],"e":{},"f":[],"g":"q\"uote"}`,
		`[ {"deep": {"er": [true, false, null]}} ]`,
		`"just a string"`,
		`42`,
	}
	for _, doc := range docs {
		var want bytes.Buffer
		if err := json.Indent(&want, []byte(doc), "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := Show([]byte(doc), JSON, 0); got.Text != want.String() || got.Note != "" {
			t.Errorf("%s:\ngot  %q (%s)\nwant %q", doc, got.Text, got.Note, want.String())
		}
	}
}

func TestShortenedJSONIsStillLaidOut(t *testing.T) {
	s := Show([]byte(`{"temperature":21.5,"humidity":40,"readings":[1,2,3]}`), JSON, 30)
	if !s.Shortened || !strings.HasPrefix(s.Text, "{\n  \"temperature\": 21.5,\n") {
		t.Fatalf("shortened %v, text %q", s.Shortened, s.Text)
	}
}

func TestInvalidJSONFallsBackToTextWithANote(t *testing.T) {
	s := Show([]byte(`{"open": `), JSON, 0)
	if s.Text != `{"open": ` || s.Note == "" {
		t.Fatalf("%+v", s)
	}
}

func TestBinaryNeverReachesTheScreenRaw(t *testing.T) {
	p := []byte{0x00, 'o', 'k', 0x1b, '[', '2', 'J', 0xff, 0xfe, '\n', 0xe2, 0x80, 0xa8, 'e', 0xcc, 0x81}
	got := Show(p, Plain, 0).Text
	if !utf8.ValidString(got) || strings.ContainsAny(got, "\x00\x1b\u2028") {
		t.Fatalf("unsafe text %q", got)
	}
	if want := `\x00ok\x1b[2J\xff\xfe` + "\n" + `\xe2\x80\xa8é`; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestHexDumpAndBase64(t *testing.T) {
	p := []byte("Hello, MQTT world\x00\x01")
	want := "00000000  48 65 6c 6c 6f 2c 20 4d 51 54 54 20 77 6f 72 6c  |Hello, MQTT worl|\n" +
		"00000010  64 00 01                                         |d..|"
	if got := Show(p, Hex, 0).Text; got != want {
		t.Fatalf("hex:\n%s\nwant\n%s", got, want)
	}
	if got := Show(p, Base64, 0).Text; got != "SGVsbG8sIE1RVFQgd29ybGQAAQ==" {
		t.Fatalf("base64 %q", got)
	}
}

func TestParseRoundTripsEveryFormat(t *testing.T) {
	p := []byte{0, 1, 2, 0xfe, 0xff, 'a'}
	for _, f := range []Format{Hex, Base64} {
		text := Show(p, f, 0).Text
		if f == Hex {
			text = "00 01 02\nfe ff 61"
		}
		got, err := Parse(text, f)
		if err != nil || !bytes.Equal(got, p) {
			t.Errorf("%s: %v %v", f, got, err)
		}
	}
	if _, err := Parse(`{"a":`, JSON); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("bad JSON: %v", err)
	}
	if _, err := Parse("zz", Hex); err == nil {
		t.Error("bad hex accepted")
	}
	if got, _ := Parse("héllo", Plain); string(got) != "héllo" {
		t.Errorf("plain %q", got)
	}
}

func FuzzShowNeverGarbles(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":"\u0000"}]}`), 10)
	f.Add([]byte{0xff, 0x00, 0x1b}, 0)
	f.Fuzz(func(t *testing.T, p []byte, limit int) {
		for _, format := range []Format{Plain, JSON, Hex, Base64} {
			s := Show(p, format, limit%4096)
			if !utf8.ValidString(s.Text) {
				t.Fatalf("%s: invalid UTF-8 %q", format, s.Text)
			}
		}
	})
}
