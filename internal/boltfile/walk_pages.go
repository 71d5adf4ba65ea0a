package boltfile

import "encoding/binary"

// bucketPages walks the pages of the tree of a bucket, whose root is page
// id and which holds what shape s says.
func (w *treeWalk) bucketPages(id uint64, s Shape, depth int) error {
	leafDepth := 0 // found on the way down the first path
	return w.node(id, s, depth, &leafDepth)
}

// node walks the pages of a bucket's tree from page id, at depth.
func (w *treeWalk) node(id uint64, s Shape, depth int, leafDepth *int) error {
	if depth > maxTreeDepth {
		return damage("the tree at page %d is deeper than %d", id, maxTreeDepth)
	}
	h, err := w.header(id)
	if err != nil {
		return err
	}
	if err := w.claim(id, uint64(h.overflow)+1); err != nil {
		return err
	}
	switch {
	case h.flags == branchPage:
		return w.branch(id, h, s, depth, leafDepth)
	case h.flags != leafPage:
		break
	case *leafDepth == 0:
		*leafDepth = depth
		fallthrough
	case s != Values || w.full:
		return w.leaf(id, h, s, depth)
	default:
		return nil
	}
	return damage("page %d has type %#x, not branch or leaf", id, h.flags)
}

// branch checks a branch page's elements and walks its children. In a
// quick walk of a bucket of values, whose leaves hold no pointers, leaves
// are claimed without being read: bbolt's B+tree is balanced, so the
// depth of the first leaf found is that of every leaf.
func (w *treeWalk) branch(id uint64, h pageHeader, s Shape, depth int, leafDepth *int) error {
	n := int(h.count)
	if n == 0 || pageHeaderSize+n*elementSize > h.span {
		return damage("branch page %d has %d elements", id, n)
	}
	table, err := w.bytes(id, h, pageHeaderSize+n*elementSize)
	if err != nil {
		return err
	}
	table = table[pageHeaderSize:]
	children := make([]uint64, n)
	for i := range children {
		e := table[i*elementSize:]
		end := uint64(pageHeaderSize+i*elementSize) + uint64(binary.LittleEndian.Uint32(e)) + uint64(binary.LittleEndian.Uint32(e[4:]))
		if end > uint64(h.span) {
			return damage("branch page %d: key %d lies outside the page", id, i)
		}
		children[i] = binary.LittleEndian.Uint64(e[8:])
	}
	for _, c := range children {
		var err error
		if s == Values && !w.full && *leafDepth == depth+1 {
			err = w.claim(c, 1) // its overflow is not known unread
		} else {
			err = w.node(c, s, depth+1, leafDepth)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// leaf checks a leaf page's elements; in a bucket of buckets it walks the
// buckets they hold. A full walk of a bucket of values reads only the
// element table, not the keys and values.
func (w *treeWalk) leaf(id uint64, h pageHeader, s Shape, depth int) error {
	n := int(h.count)
	if pageHeaderSize+n*elementSize > h.span {
		return damage("leaf page %d has %d elements", id, n)
	}
	size := pageHeaderSize + n*elementSize
	if s != Values {
		if h.span > maxPointerPageSpan {
			return damage("page %d of a bucket of buckets spans %d bytes", id, h.span)
		}
		size = h.span
	}
	b, err := w.bytes(id, h, size)
	if err != nil {
		return err
	}
	elems, err := leafTable(b, n, h.span, id)
	if err != nil {
		return err
	}
	return w.entries(b, elems, s, depth, id)
}

// leafElem is where a leaf element's key and value lie in its page.
type leafElem struct {
	flags                 uint32
	keyAt, keyEnd, valEnd int
}

// leafTable decodes the element table of the leaf page in b, checking that
// every key and value lies within span bytes.
func leafTable(b []byte, n, span int, id uint64) ([]leafElem, error) {
	if len(b) < pageHeaderSize+n*elementSize {
		return nil, damage("leaf page in page %d has %d elements", id, n)
	}
	le := binary.LittleEndian
	elems := make([]leafElem, n)
	for i := range elems {
		at := pageHeaderSize + i*elementSize
		e := b[at:]
		keyAt := uint64(at) + uint64(le.Uint32(e[4:]))
		keyEnd := keyAt + uint64(le.Uint32(e[8:]))
		valEnd := keyEnd + uint64(le.Uint32(e[12:]))
		if valEnd > uint64(span) {
			return nil, damage("leaf page in page %d: element %d lies outside the page", id, i)
		}
		elems[i] = leafElem{flags: le.Uint32(e), keyAt: int(keyAt), keyEnd: int(keyEnd), valEnd: int(valEnd)}
	}
	return elems, nil
}

// entries checks the elements of a leaf: a bucket of buckets holds only
// buckets, which are walked; a bucket of values holds none.
func (w *treeWalk) entries(b []byte, elems []leafElem, s Shape, depth int, id uint64) error {
	for _, e := range elems {
		isBucket := e.flags&bucketEntry != 0
		switch {
		case isBucket != (s != Values):
			return damage("page %d: a bucket where a value belongs, or the reverse", id)
		case !isBucket:
			continue
		case e.valEnd-e.keyEnd < bucketHeaderSize:
			return damage("page %d: a bucket header of %d bytes", id, e.valEnd-e.keyEnd)
		}
		if err := w.nested(b[e.keyAt:e.keyEnd], b[e.keyEnd:e.valEnd], s, depth, id); err != nil {
			return err
		}
	}
	return nil
}

// nested walks the bucket named name whose header is v.
func (w *treeWalk) nested(name, v []byte, s Shape, depth int, id uint64) error {
	child := w.child(s, name)
	if root := binary.LittleEndian.Uint64(v); root != 0 {
		return w.bucketPages(root, child, depth+1)
	}
	inline := v[bucketHeaderSize:]
	if len(inline) < pageHeaderSize {
		return damage("page %d: an inline bucket of %d bytes", id, len(inline))
	}
	h := parseHeader(inline)
	if h.flags != leafPage {
		return damage("page %d: an inline bucket of type %#x", id, h.flags)
	}
	elems, err := leafTable(inline, int(h.count), len(inline), id)
	if err != nil {
		return err
	}
	for _, e := range elems { // bbolt never inlines a bucket that holds buckets
		if e.flags&bucketEntry != 0 {
			return damage("page %d: an inline bucket holds a bucket", id)
		}
	}
	if child != Values && len(elems) > 0 {
		return damage("page %d: values in a bucket of buckets", id)
	}
	return nil
}
