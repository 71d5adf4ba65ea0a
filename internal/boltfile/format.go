package boltfile

import (
	"encoding/binary"
	"hash/fnv"
	"io"
	"math/bits"
	"slices"
)

// bbolt's on-disk format (go.etcd.io/bbolt/internal/common), as far as
// Check reads it. All integers are little-endian.
const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	pageHeaderSize   = 16 // id u64, flags u16, count u16, overflow u32
	elementSize      = 16 // branch: pos, ksize u32, pgid u64; leaf: flags, pos, ksize, vsize u32
	metaChecksumAt   = 56 // the meta's checksum covers the bytes before it
	noFreelist       = ^uint64(0)
	branchPage       = 0x01
	leafPage         = 0x02
	freelistPage     = 0x10
	bucketEntry      = 0x01 // leaf element flag of a nested bucket
	bucketHeaderSize = 16   // root pgid u64, sequence u64
)

// meta is the part of a meta page Check uses.
type meta struct {
	pageSize                  int
	root, freelist, hwm, txid uint64
}

// parseMeta decodes the meta page in b, which starts at the page header.
func parseMeta(b []byte) (meta, bool) {
	if len(b) < pageHeaderSize+metaChecksumAt+8 {
		return meta{}, false
	}
	m := b[pageHeaderSize:]
	le := binary.LittleEndian
	h := fnv.New64a()
	_, _ = h.Write(m[:metaChecksumAt])
	if le.Uint32(m) != boltMagic || le.Uint32(m[4:]) != boltVersion || le.Uint64(m[metaChecksumAt:]) != h.Sum64() {
		return meta{}, false
	}
	return meta{
		pageSize: int(le.Uint32(m[8:])), root: le.Uint64(m[16:]),
		freelist: le.Uint64(m[32:]), hwm: le.Uint64(m[40:]), txid: le.Uint64(m[48:]),
	}, true
}

// readMeta finds the page size and the meta page bbolt will use, as bbolt
// does: the page size from the first valid meta page (page 0, or else the
// first valid one at 1 KiB to 16 MiB), then the valid one of pages 0 and 1
// with the higher transaction ID.
func readMeta(r io.ReaderAt, size int64) (meta, error) {
	buf := make([]byte, 4096)
	metaAt := func(at int64) (meta, bool) {
		n, _ := r.ReadAt(buf, at)
		return parseMeta(buf[:n])
	}
	var metas []meta
	if m, ok := metaAt(0); ok {
		metas = append(metas, m)
		if m.pageSize > 0 && int64(m.pageSize) < size {
			if m1, ok := metaAt(int64(m.pageSize)); ok {
				metas = append(metas, m1)
			}
		}
	} else {
		for shift := range 15 {
			at := int64(1024) << shift
			if at >= size-1024 {
				break
			}
			if m1, ok := metaAt(at); ok {
				metas = append(metas, m1)
				break
			}
		}
	}
	if len(metas) == 0 {
		return meta{}, damage("neither meta page is valid")
	}
	return slices.MaxFunc(metas, func(a, b meta) int { return cmpUint(a.txid, b.txid) }), nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkMeta checks what m claims against the file's size.
func checkMeta(m meta, size int64) error {
	switch {
	case m.pageSize < 1024 || m.pageSize > 1<<16 || bits.OnesCount(uint(m.pageSize)) != 1:
		return damage("page size %d", m.pageSize)
	case m.hwm < 4 || m.hwm > uint64(size)/uint64(m.pageSize):
		return damage("%d pages of %d bytes in use, but the file has %d bytes", m.hwm, m.pageSize, size)
	case m.root < 2 || m.root >= m.hwm:
		return damage("root page %d outside pages 2 to %d", m.root, m.hwm-1)
	case m.freelist != noFreelist && (m.freelist < 2 || m.freelist >= m.hwm || m.freelist == m.root):
		return damage("freelist page %d", m.freelist)
	}
	return nil
}
