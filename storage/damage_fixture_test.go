package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"

	bolt "go.etcd.io/bbolt"
)

// fixtureMessages is how many messages the damage fixture holds: with
// payloads of 600 bytes, enough for the message bucket to have branch
// pages two levels deep.
const fixtureMessages = 6_000

func fixtureOptions(name string) mqtt.Options {
	o := mqtt.NewOptions(name, mqtt.SchemeMQTT, "broker.test")
	o.Password = "secret of " + name
	return o
}

// fixture is an intact data directory with one of everything the store
// keeps, and where its pages are.
type fixture struct {
	dir       string
	profileID string
	layout    fileLayout
}

// fileLayout locates the pages of a fixture file that damage cases hit.
type fileLayout struct {
	pageSize              int
	root, freelist, hwm   uint64
	mRoot, mBranch, mLeaf uint64 // the message bucket's root, a branch below it, a leaf
	historyLeaf           uint64 // the page of the profile's history bucket
	metaTxid0, metaTxid1  uint64
	profileIDs            []string
}

// buildFixture writes the fixture into a new temporary directory.
func buildFixture(t *testing.T) fixture {
	t.Helper()
	t.Setenv(noKeyringEnv, "off")
	dir := t.TempDir()
	s := openTest(t, dir)
	var ids []string
	for _, name := range []string{"Plant", "Office", "Lab"} {
		p, err := s.SaveProfile(model.Profile{Options: fixtureOptions(name), Folder: "site"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	id := ids[0]
	ctx := context.Background()
	for _, f := range []string{"plant/#", "office/+/temp"} {
		if _, err := s.SaveSubscription(id, model.Subscription{Filter: f, QoS: 1, Enabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		if err := s.AddPublished(id, model.PublishEntry{Topic: fmt.Sprintf("plant/%d/cmd", i), Payload: []byte("on")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveAppSettings(model.DefaultAppSettings()); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Hour)
	for i := range fixtureMessages {
		m := Message{Time: start.Add(time.Duration(i) * time.Millisecond), Topic: fmt.Sprintf("plant/%d/temp", i%9), Payload: fmt.Appendf(nil, `{"t":%d,"pad":"%0600d"}`, i, 0)}
		if i%100 == 0 {
			m.Properties = &mqtt.Properties{ContentType: "application/json"}
		}
		if _, err := s.Append(ctx, id, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return fixture{dir: dir, profileID: id, layout: locatePages(t, filepath.Join(dir, FileName), ids)}
}

// locatePages finds, with bbolt on the intact file, the pages damage cases
// hit.
func locatePages(t *testing.T, path string, ids []string) fileLayout {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l := fileLayout{pageSize: int(binary.LittleEndian.Uint32(data[24:])), profileIDs: ids}
	l.metaTxid0 = binary.LittleEndian.Uint64(data[16+48:])
	l.metaTxid1 = binary.LittleEndian.Uint64(data[l.pageSize+16+48:])
	newest := 0
	if l.metaTxid1 > l.metaTxid0 {
		newest = l.pageSize
	}
	meta := data[newest+16:]
	l.root, l.freelist, l.hwm = binary.LittleEndian.Uint64(meta[16:]), binary.LittleEndian.Uint64(meta[32:]), binary.LittleEndian.Uint64(meta[40:])
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		pb := tx.Bucket(bucketHistory).Bucket([]byte(ids[0]))
		l.historyLeaf = uint64(pb.Root())
		l.mRoot = uint64(pb.Bucket(subMessages).Root())
		return nil
	})
	page := func(id uint64) []byte { return data[int(id)*l.pageSize:] }
	if flags(page(l.mRoot)) != 0x01 {
		t.Fatalf("the message bucket's root %d is not a branch page", l.mRoot)
	}
	l.mBranch = branchChild(page(l.mRoot), 0)
	if flags(page(l.mBranch)) != 0x01 {
		t.Fatalf("page %d below the message bucket's root is not a branch page", l.mBranch)
	}
	l.mLeaf = branchChild(page(l.mBranch), 0)
	if flags(page(l.mLeaf)) != 0x02 {
		t.Fatalf("page %d is not a leaf page", l.mLeaf)
	}
	return l
}

// used returns the bytes of the file's pages in use; bbolt grows the file
// ahead of them.
func (l fileLayout) used() int { return int(l.hwm) * l.pageSize }

func flags(page []byte) uint16 { return binary.LittleEndian.Uint16(page[8:]) }

// branchChild returns the page ID of element i of a branch page.
func branchChild(page []byte, i int) uint64 {
	return binary.LittleEndian.Uint64(page[16+i*16+8:])
}

// copyTo copies the fixture's directory into a new temporary one.
func (f fixture) copyTo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{FileName, KeyFileName} {
		data, err := os.ReadFile(filepath.Join(f.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// rawFile is a data file's bytes, damaged in memory and written back.
type rawFile struct {
	data []byte
	l    fileLayout
}

func (r *rawFile) page(id uint64) []byte { return r.data[int(id)*r.l.pageSize:][:r.l.pageSize] }

func (r *rawFile) put16(id uint64, off int, v uint16) {
	binary.LittleEndian.PutUint16(r.page(id)[off:], v)
}

func (r *rawFile) put32(id uint64, off int, v uint32) {
	binary.LittleEndian.PutUint32(r.page(id)[off:], v)
}

func (r *rawFile) put64(id uint64, off int, v uint64) {
	binary.LittleEndian.PutUint64(r.page(id)[off:], v)
}

// newestMeta returns the page ID of the meta page bbolt uses.
func (r *rawFile) newestMeta() uint64 {
	if r.l.metaTxid1 > r.l.metaTxid0 {
		return 1
	}
	return 0
}

// resealMeta recomputes the checksum of meta page id after an edit, as a
// crafted file would.
func (r *rawFile) resealMeta(id uint64) {
	meta := r.page(id)[16:]
	h := fnv.New64a()
	_, _ = h.Write(meta[:56])
	binary.LittleEndian.PutUint64(meta[56:], h.Sum64())
}

// withBolt changes the fixture copy in dir through bbolt's own API: damage
// that keeps the file a valid bbolt file.
func withBolt(t *testing.T, dir string, change func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(change); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
