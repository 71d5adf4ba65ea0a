package boltfile

import (
	"encoding/binary"
	"io"
	"slices"
)

const (
	maxTreeDepth       = 32 // far more than a B+tree of 2^64 pages needs
	maxPointerPageSpan = 1 << 20
)

// treeWalk checks bbolt's page tree through pread. Every page it is
// pointed to must lie below the high-water mark, be neither free nor
// pointed to twice (which also rules out cycles, the one damage that
// would make bbolt recurse until the stack overflows), and say it is the
// page it was pointed to as. A quick walk reads branch pages and the
// leaves of buckets that hold buckets; a full one reads every leaf page's
// elements too. It reads each page at most once.
type treeWalk struct {
	r          io.ReaderAt
	pageSize   int
	hwm        uint64
	free, seen bitset
	full       bool
	layout     Layout
}

func newTreeWalk(r io.ReaderAt, m meta, o Options) *treeWalk {
	w := &treeWalk{r: r, pageSize: m.pageSize, hwm: m.hwm, free: newBitset(m.hwm), seen: newBitset(m.hwm), full: o.Full, layout: o.Layout}
	w.seen.set(0)
	w.seen.set(1)
	return w
}

// child returns the shape of the bucket called name inside one of shape s.
func (w *treeWalk) child(s Shape, name []byte) Shape {
	if w.layout == nil {
		return Values
	}
	return w.layout(s, name)
}

// pageHeader is the 16 bytes that begin every page.
type pageHeader struct {
	id           uint64
	flags, count uint16
	overflow     uint32
	span         int    // bytes of the page with its overflow
	first        []byte // the first page of it
}

func parseHeader(b []byte) pageHeader {
	le := binary.LittleEndian
	return pageHeader{id: le.Uint64(b), flags: le.Uint16(b[8:]), count: le.Uint16(b[10:]), overflow: le.Uint32(b[12:])}
}

// bytes returns the first n bytes of page id, whose header is h.
func (w *treeWalk) bytes(id uint64, h pageHeader, n int) ([]byte, error) {
	if n <= len(h.first) {
		return h.first[:n], nil
	}
	return w.read(id, 0, n)
}

// read reads n bytes of page id from offset off.
func (w *treeWalk) read(id uint64, off, n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := w.r.ReadAt(b, int64(id)*int64(w.pageSize)+int64(off)); err != nil {
		return nil, damage("page %d unreadable: %v", id, err)
	}
	return b, nil
}

// header reads page id's first page, and checks that the page is whole.
func (w *treeWalk) header(id uint64) (pageHeader, error) {
	if id < 2 || id >= w.hwm {
		return pageHeader{}, damage("a pointer to page %d, outside pages 2 to %d", id, w.hwm-1)
	}
	b, err := w.read(id, 0, w.pageSize)
	if err != nil {
		return pageHeader{}, err
	}
	h := parseHeader(b)
	h.first = b
	if h.id != id {
		return h, damage("page %d says it is page %d", id, h.id)
	}
	if uint64(h.overflow) >= w.hwm-id {
		return h, damage("page %d overflows %d pages past the end", id, h.overflow)
	}
	h.span = (int(h.overflow) + 1) * w.pageSize
	return h, nil
}

// claim records that something points to page id, spanning n pages.
func (w *treeWalk) claim(id uint64, n uint64) error {
	if id < 2 || id >= w.hwm || n > w.hwm-id {
		return damage("a pointer to page %d, outside pages 2 to %d", id, w.hwm-1)
	}
	for p := id; p < id+n; p++ {
		if w.free.has(p) {
			return damage("page %d is in use and free", p)
		}
		if w.seen.has(p) {
			return damage("page %d is pointed to twice", p)
		}
		w.seen.set(p)
	}
	return nil
}

// claimFreelist reads the freelist page: its IDs must be distinct pages
// below the high-water mark, and are then known as free.
func (w *treeWalk) claimFreelist(id uint64) error {
	if id == noFreelist {
		return nil
	}
	h, err := w.header(id)
	if err != nil {
		return err
	}
	if h.flags != freelistPage {
		return damage("freelist page %d has type %#x", id, h.flags)
	}
	if err := w.claim(id, uint64(h.overflow)+1); err != nil {
		return err
	}
	ids, err := w.freeIDs(id, h)
	if err != nil {
		return err
	}
	slices.Sort(ids)
	for i, p := range ids {
		if p < 2 || p >= w.hwm || (i > 0 && ids[i-1] == p) || w.seen.has(p) {
			return damage("freelist page %d lists page %d wrongly", id, p)
		}
		w.free.set(p)
	}
	return nil
}

// freeIDs returns the page IDs a freelist page lists: count of them after
// the header, or, when count is 0xFFFF, as many as the first u64 says.
func (w *treeWalk) freeIDs(id uint64, h pageHeader) ([]uint64, error) {
	skip, count := 0, uint64(h.count)
	if h.count == 0xFFFF {
		skip, count = 1, binary.LittleEndian.Uint64(h.first[pageHeaderSize:])
	}
	room := uint64(h.span-pageHeaderSize)/8 - uint64(skip)
	if count > room || count > w.hwm {
		return nil, damage("freelist page %d claims %d entries", id, count)
	}
	b, err := w.bytes(id, h, pageHeaderSize+8*(skip+int(count)))
	if err != nil {
		return nil, err
	}
	b = b[pageHeaderSize+8*skip:]
	ids := make([]uint64, count)
	for i := range ids {
		ids[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return ids, nil
}

// bitset is a set of page IDs below a bound.
type bitset []uint64

func newBitset(n uint64) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i uint64)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i uint64) bool { return b[i/64]&(1<<(i%64)) != 0 }
