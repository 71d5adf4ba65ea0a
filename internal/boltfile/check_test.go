package boltfile

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"os"
	"path/filepath"
	"testing"
)

const testPage = 4096

// testFile builds the smallest bbolt file: two meta pages, an empty
// freelist (page 2) and an empty root leaf (page 3); edit changes the
// pages before the meta checksums are computed.
func testFile(edit func(b []byte)) []byte {
	b := make([]byte, 4*testPage)
	le := binary.LittleEndian
	for i := range 2 {
		p := b[i*testPage:]
		le.PutUint64(p, uint64(i))
		le.PutUint16(p[8:], 0x04)
		m := p[pageHeaderSize:]
		le.PutUint32(m, boltMagic)
		le.PutUint32(m[4:], boltVersion)
		le.PutUint32(m[8:], testPage)
		le.PutUint64(m[16:], 3) // root
		le.PutUint64(m[32:], 2) // freelist
		le.PutUint64(m[40:], 4) // high-water mark
		le.PutUint64(m[48:], uint64(i))
	}
	le.PutUint64(b[2*testPage:], 2)
	le.PutUint16(b[2*testPage+8:], freelistPage)
	le.PutUint64(b[3*testPage:], 3)
	le.PutUint16(b[3*testPage+8:], leafPage)
	if edit != nil {
		edit(b)
	}
	for i := range 2 {
		m := b[i*testPage+pageHeaderSize:]
		h := fnv.New64a()
		_, _ = h.Write(m[:metaChecksumAt])
		le.PutUint64(m[metaChecksumAt:], h.Sum64())
	}
	return b
}

func TestCheck(t *testing.T) {
	le := binary.LittleEndian
	for _, tc := range []struct {
		name   string
		data   []byte
		damage string // "" when the file passes
	}{
		{"a good file", testFile(nil), ""},
		{"empty", []byte{}, ""},
		{"cut short", testFile(nil)[:3*testPage], "4 pages of 4096 bytes in use, but the file has 12288 bytes"},
		{"no meta page", make([]byte, 4*testPage), "neither meta page is valid"},
		{"root page says it is another", testFile(func(b []byte) { le.PutUint64(b[3*testPage:], 9) }), "page 3 says it is page 9"},
		{"root outside the file", testFile(func(b []byte) {
			le.PutUint64(b[16+16:], 7)
			le.PutUint64(b[testPage+16+16:], 7)
		}), "root page 7 outside pages 2 to 3"},
		{"freelist lists the root", testFile(func(b []byte) {
			le.PutUint16(b[2*testPage+10:], 1)
			le.PutUint64(b[2*testPage+pageHeaderSize:], 3)
		}), "page 3 is in use and free"},
		{"root overflows past the end", testFile(func(b []byte) { le.PutUint32(b[3*testPage+12:], 5) }), "page 3 overflows 5 pages past the end"},
		{"a leaf element outside its page", testFile(func(b []byte) {
			le.PutUint16(b[3*testPage+10:], 1)
			le.PutUint32(b[3*testPage+pageHeaderSize+12:], 1<<20)
		}), "leaf page in page 3: element 0 lies outside the page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db")
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			err := Check(path, Options{Full: true})
			var d *DamageError
			switch {
			case tc.damage == "" && err != nil:
				t.Fatalf("Check: %v", err)
			case tc.damage != "" && (!errors.As(err, &d) || d.Detail != tc.damage || !errors.Is(err, ErrDamaged)):
				t.Fatalf("Check: %v; want damage %q", err, tc.damage)
			}
		})
	}
}

func TestCheckMissingFile(t *testing.T) {
	if err := Check(filepath.Join(t.TempDir(), "none"), Options{}); err != nil {
		t.Fatalf("Check of a missing file: %v", err)
	}
}
