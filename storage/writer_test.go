package storage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTopicsOfARejectedGroupSurviveReopen: a group that fails as a whole
// because of one over-long topic is committed again message by message;
// the topics first seen in it must reach the file, not only the cache.
func TestTopicsOfARejectedGroupSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	ctx := context.Background()
	for _, topic := range []string{"new/before", strings.Repeat("x", 40_000), "new/after"} {
		if _, err := s.Append(ctx, "p", Message{Topic: topic, Payload: []byte("p")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir)
	page, err := s.NewestPage("p", 10)
	if err != nil || len(page) != 2 || page[0].Topic != "new/before" || page[1].Topic != "new/after" {
		t.Fatalf("after reopening: %+v, %v", page, err)
	}
}

// TestReadingDoesNotWrite: opening a file, reading it and flushing with
// nothing queued leave it byte for byte as it was.
func TestReadingDoesNotWrite(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if _, err := s.Append(context.Background(), "p", Message{Topic: "t", Payload: []byte("p")}); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	path := filepath.Join(dir, FileName)
	before, _ := os.ReadFile(path)
	s = openTest(t, dir)
	if _, err := s.NewestPage("p", 10); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("the file changed")
	}
}
