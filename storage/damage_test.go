package storage

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// How a damage case must be noticed.
type noticed int

const (
	atOpen   noticed = iota // Open refuses the file with ErrCorrupt
	whenRead                // Open or a later read reports ErrCorrupt
	harmless                // bbolt's own redundancy makes up for it
)

// damageCase damages the fixture copy in dir.
type damageCase struct {
	name   string
	damage func(t *testing.T, dir string, l fileLayout)
	want   noticed
}

// raw damages the file's bytes.
func raw(change func(r *rawFile)) func(*testing.T, string, fileLayout) {
	return func(t *testing.T, dir string, l fileLayout) {
		path := filepath.Join(dir, FileName)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r := &rawFile{data: data, l: l}
		change(r)
		if err := os.WriteFile(path, r.data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// cut truncates the file to the size size returns.
func cut(size func(l fileLayout, size int) int) func(*testing.T, string, fileLayout) {
	return raw(func(r *rawFile) { r.data = r.data[:size(r.l, len(r.data))] })
}

// viaBolt damages what the store keeps while the file stays valid for
// bbolt; profile is the fixture's profile with a history.
func viaBolt(change func(tx *bolt.Tx, profile []byte) error) func(*testing.T, string, fileLayout) {
	return func(t *testing.T, dir string, l fileLayout) {
		withBolt(t, dir, func(tx *bolt.Tx) error { return change(tx, []byte(l.profileIDs[0])) })
	}
}

func historyOf(tx *bolt.Tx, profile []byte, sub []byte) *bolt.Bucket {
	return tx.Bucket(bucketHistory).Bucket(profile).Bucket(sub)
}

// putIn puts key and value into the sub-bucket sub of profile's history.
func putIn(sub []byte, key, value []byte) func(*bolt.Tx, []byte) error {
	return func(tx *bolt.Tx, profile []byte) error { return historyOf(tx, profile, sub).Put(key, value) }
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

var pageDamage = []damageCase{
	{"truncated to 25 %", cut(func(l fileLayout, _ int) int { return l.used() / 4 }), atOpen},
	{"truncated to 50 %", cut(func(l fileLayout, _ int) int { return l.used() / 2 }), atOpen},
	{"truncated to 75 %", cut(func(l fileLayout, _ int) int { return l.used() * 3 / 4 }), atOpen},
	{"truncated at the high-water mark", cut(func(l fileLayout, _ int) int { return l.used() }), harmless},
	{"truncated one page below the high-water mark", cut(func(l fileLayout, _ int) int { return int(l.hwm-1) * l.pageSize }), atOpen},
	{"truncated inside a page", cut(func(l fileLayout, _ int) int { return int(l.hwm-1)*l.pageSize + 100 }), atOpen},
	{"truncated to two pages", cut(func(l fileLayout, _ int) int { return 2 * l.pageSize }), atOpen},
	{"newest meta page flipped", raw(func(r *rawFile) { r.page(r.newestMeta())[16+44] ^= 0xff }), harmless},
	{"older meta page flipped", raw(func(r *rawFile) { r.page(1 - r.newestMeta())[16+44] ^= 0xff }), harmless},
	{"both meta pages flipped", raw(func(r *rawFile) { r.page(0)[16+44] ^= 0xff; r.page(1)[16+44] ^= 0xff }), atOpen},
	{"meta claims pages past the end", raw(func(r *rawFile) {
		m := r.newestMeta()
		r.put64(m, 16+40, r.l.hwm*8)
		r.resealMeta(m)
	}), atOpen},
	{"meta claims a page size of 0", raw(func(r *rawFile) {
		for m := range uint64(2) {
			r.put32(m, 16+8, 0)
			r.resealMeta(m)
		}
	}), atOpen},
	{"meta points the root past the end", raw(func(r *rawFile) {
		m := r.newestMeta()
		r.put64(m, 16+16, r.l.hwm+5)
		r.resealMeta(m)
	}), atOpen},
	{"freelist page of another type", raw(func(r *rawFile) { r.put16(r.l.freelist, 8, 0x02) }), atOpen},
	{"freelist page of no type", raw(func(r *rawFile) { r.put16(r.l.freelist, 8, 0x60) }), atOpen},
	{"freelist claims 2^40 entries", raw(func(r *rawFile) {
		r.put16(r.l.freelist, 10, 0xffff)
		r.put64(r.l.freelist, 16, 1<<40)
	}), atOpen},
	{"freelist entry past the end", raw(func(r *rawFile) { r.put16(r.l.freelist, 10, 1); r.put64(r.l.freelist, 16, r.l.hwm+10) }), atOpen},
	{"freelist frees the root", raw(func(r *rawFile) { r.put16(r.l.freelist, 10, 1); r.put64(r.l.freelist, 16, r.l.root) }), atOpen},
	{"freelist page zeroed", raw(func(r *rawFile) { clear(r.page(r.l.freelist)) }), atOpen},
	{"root page of no type", raw(func(r *rawFile) { r.put16(r.l.root, 8, 0x20) }), atOpen},
	{"branch page of no type", raw(func(r *rawFile) { r.put16(r.l.mRoot, 8, 0x20) }), atOpen},
	{"branch page zeroed", raw(func(r *rawFile) { clear(r.page(r.l.mBranch)) }), atOpen},
	{"branch child past the end", raw(func(r *rawFile) { r.put64(r.l.mRoot, 16+8, 1<<40) }), atOpen},
	{"branch child is the branch itself", raw(func(r *rawFile) { r.put64(r.l.mBranch, 16+8, r.l.mBranch) }), atOpen},
	{"branch child is its parent", raw(func(r *rawFile) { r.put64(r.l.mBranch, 16+16+8, r.l.mRoot) }), atOpen},
	{"branch child is the freelist", raw(func(r *rawFile) { r.put64(r.l.mBranch, 16+8, r.l.freelist) }), atOpen},
	{"branch key of 4 GiB", raw(func(r *rawFile) { r.put32(r.l.mBranch, 16+4, 0xffffffff) }), atOpen},
	{"branch page with no elements", raw(func(r *rawFile) { r.put16(r.l.mBranch, 10, 0) }), atOpen},
	{"branch claims 65535 elements", raw(func(r *rawFile) { r.put16(r.l.mBranch, 10, 0xffff) }), atOpen},
	{"history leaf value of 2 GiB", raw(func(r *rawFile) { r.put32(r.l.historyLeaf, 16+12, 0x7fffffff) }), atOpen},
	{"leaf page of no type", raw(func(r *rawFile) { r.put16(r.l.mLeaf, 8, 0x20) }), whenRead},
	{"leaf page is a meta page", raw(func(r *rawFile) { r.put16(r.l.mLeaf, 8, 0x04) }), whenRead},
	{"leaf page zeroed", raw(func(r *rawFile) { clear(r.page(r.l.mLeaf)) }), whenRead},
	{"leaf value of 2 GiB", raw(func(r *rawFile) { r.put32(r.l.mLeaf, 16+12, 0x7fffffff) }), whenRead},
	{"leaf key far outside the page", raw(func(r *rawFile) { r.put32(r.l.mLeaf, 16+4, 0x7fffff00) }), whenRead},
	{"leaf claims 65535 elements", raw(func(r *rawFile) { r.put16(r.l.mLeaf, 10, 0xffff) }), whenRead},
	{"leaf keys out of order", raw(func(r *rawFile) {
		p := r.page(r.l.mLeaf)
		k0 := p[16+int(binary.LittleEndian.Uint32(p[16+4:])):][:8]
		k5 := p[16+5*16+int(binary.LittleEndian.Uint32(p[16+5*16+4:])):][:8]
		var tmp [8]byte
		copy(tmp[:], k0)
		copy(k0, k5)
		copy(k5, tmp[:])
	}), whenRead},
}

var keyDamage = []damageCase{
	{"schema value empty", viaBolt(func(tx *bolt.Tx, _ []byte) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte{}) }), atOpen},
	{"profile not JSON", viaBolt(func(tx *bolt.Tx, p []byte) error { return tx.Bucket(bucketProfiles).Put(p, []byte("{not json")) }), whenRead},
	{"setting not JSON", viaBolt(func(tx *bolt.Tx, _ []byte) error {
		return tx.Bucket(bucketSettings).Put([]byte(appSettingsKey), []byte{0xff, 0})
	}), whenRead},
	{"secret too short", viaBolt(func(tx *bolt.Tx, p []byte) error {
		return tx.Bucket(bucketSecrets).Put([]byte("profile/"+string(p)+"/password"), []byte{1, 2, 3})
	}), whenRead},
	{"secret flipped", viaBolt(func(tx *bolt.Tx, p []byte) error {
		b := tx.Bucket(bucketSecrets)
		k := []byte("profile/" + string(p) + "/password")
		v := append([]byte(nil), b.Get(k)...)
		v[len(v)-1] ^= 1
		return b.Put(k, v)
	}), whenRead},
	{"message key of 3 bytes", viaBolt(putIn(subMessages, []byte{0xff, 0xff, 0xff}, []byte{0, 1, 1, 'x'})), whenRead},
	{"message key of 9 bytes", viaBolt(putIn(subMessages, append(u64(fixtureMessages), 0), []byte{0, 1, 1, 'x'})), whenRead},
	{"message bucket missing", viaBolt(func(tx *bolt.Tx, p []byte) error {
		return tx.Bucket(bucketHistory).Bucket(p).DeleteBucket(subMessages)
	}), whenRead},
	{"topic-ID bucket missing", viaBolt(func(tx *bolt.Tx, p []byte) error {
		return tx.Bucket(bucketHistory).Bucket(p).DeleteBucket(subTopicIDs)
	}), whenRead},
	{"history is a value", viaBolt(func(tx *bolt.Tx, p []byte) error {
		h := tx.Bucket(bucketHistory)
		if err := h.DeleteBucket(p); err != nil {
			return err
		}
		return h.Put(p, []byte("not a bucket"))
	}), whenRead},
	{"topic-ID key of 3 bytes", viaBolt(putIn(subTopicIDs, []byte{1, 2, 3}, []byte("a/b"))), whenRead},
	{"topic ID 2^40", viaBolt(putIn(subTopicIDs, u64(1<<40), []byte("a/b"))), whenRead},
	{"topic ID 2^33", viaBolt(putIn(subTopicIDs, u64(1<<33), []byte("a/b"))), whenRead},
	{"topic ID 0", viaBolt(putIn(subTopicIDs, u64(0), []byte("a/b"))), whenRead},
	{"latest key of 3 bytes", viaBolt(putIn(subLatest, []byte{1, 2, 3}, u64(5))), whenRead},
	{"latest value of 3 bytes", viaBolt(putIn(subLatest, u64(1), []byte{1, 2, 3})), whenRead},
	{"count of 3 bytes", viaBolt(putIn(subStats, keyCount, []byte{1, 2, 3})), whenRead},
	{"count negative", viaBolt(putIn(subStats, keyCount, u64(1<<63))), whenRead},
	{"subscription not JSON", viaBolt(func(tx *bolt.Tx, p []byte) error {
		return tx.Bucket(bucketSubscriptions).Bucket(p).Put([]byte("x"), []byte("[["))
	}), whenRead},
	{"publish entry not JSON", viaBolt(func(tx *bolt.Tx, p []byte) error {
		return tx.Bucket(bucketPublished).Bucket(p).Put(u64(99), []byte("nope"))
	}), whenRead},
}

// allDamage returns every damage case: pages, keys, and each of
// damagedRecords as the newest message.
func allDamage() []damageCase {
	cases := append(append([]damageCase(nil), pageDamage...), keyDamage...)
	for _, r := range damagedRecords {
		cases = append(cases, damageCase{"message " + r.name, viaBolt(putIn(subMessages, u64(fixtureMessages), r.record)), whenRead})
	}
	return cases
}

// TestDamageTable damages a real data file in every way in the tables and
// runs a child process on each copy: nothing may crash, hang or blow up
// memory; every damage is reported as ErrCorrupt (at Open when the table
// says so), the damaged file stays as it was, and --recover moves it aside
// and starts a fresh one.
func TestDamageTable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three processes per damage case")
	}
	f := buildFixture(t)
	for _, tc := range allDamage() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkDamage(t, f, tc)
		})
	}
}

func checkDamage(t *testing.T, f fixture, tc damageCase) {
	dir := f.copyTo(t)
	tc.damage(t, dir, f.layout)
	path := filepath.Join(dir, FileName)
	damaged, _ := os.ReadFile(path)

	read := runChild(t, "read", dir, f.profileID)
	mustNotBlowUp(t, "reading", read)
	openErr := read.ops["open"]
	switch {
	case tc.want == atOpen && (!strings.HasPrefix(openErr, "corrupt") || !strings.Contains(openErr, path)):
		t.Fatalf("Open: %s; want ErrCorrupt naming %s", openErr, path)
	case tc.want == whenRead && !read.corrupt():
		t.Fatalf("no operation reported the damage:\n%s", read.stdout)
	case tc.want == harmless && (read.corrupt() || strings.Contains(read.stdout, ": error")):
		t.Fatalf("want every operation to work:\n%s", read.stdout)
	}
	if now, _ := os.ReadFile(path); tc.want != harmless && !bytes.Equal(now, damaged) {
		t.Fatal("reading changed the damaged file")
	}

	recovered := runChild(t, "recover", dir, f.profileID)
	mustNotBlowUp(t, "recovering", recovered)
	moved := recovered.ops["moved"]
	if tc.want == harmless {
		if moved != "" || !strings.HasPrefix(recovered.ops["fresh"], "3 profiles") {
			t.Fatalf("--recover on a usable file moved it to %q and kept %s", moved, recovered.ops["fresh"])
		}
		return
	}
	if kept, _ := os.ReadFile(moved); !strings.HasPrefix(moved, path+".damaged-") || !bytes.Equal(kept, damaged) {
		t.Fatalf("--recover did not keep the damaged file intact aside (moved to %q):\n%s", moved, recovered.stdout)
	}
	if !strings.HasPrefix(recovered.ops["fresh"], "0 profiles") {
		t.Fatalf("the fresh file holds %s", recovered.ops["fresh"])
	}
}

func mustNotBlowUp(t *testing.T, doing string, r childResult) {
	t.Helper()
	if r.failed != "" {
		t.Fatalf("%s crashed (%s):\n%s\n%s", doing, r.failed, r.stdout, firstLines(r.stderr, 12))
	}
}

// TestDamageWhileWriting writes to every damaged file: writes may fail,
// but nothing crashes, hangs or blows up, and Close returns.
func TestDamageWhileWriting(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a process per damage case")
	}
	f := buildFixture(t)
	for _, tc := range allDamage() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := f.copyTo(t)
			tc.damage(t, dir, f.layout)
			r := runChild(t, "write", dir, f.profileID)
			mustNotBlowUp(t, "writing", r)
			if _, ok := r.ops["close"]; !ok && r.ops["open"] == "ok" {
				t.Fatalf("Close did not return:\n%s", r.stdout)
			}
		})
	}
}
