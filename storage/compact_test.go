package storage

import (
	"context"
	"errors"
	"testing"
)

func TestCompactGivesSpaceBack(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	appendN(t, s, "big", 0, 200_000, sensorTopic)
	appendN(t, s, "kept", 0, 10, sensorTopic)
	if err := s.ClearHistory(context.Background(), "big"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Compact(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("compact while open: %v", err)
	}
	_ = s.Close()
	before, after, err := Compact(dir)
	if err != nil {
		t.Fatal(err)
	}
	if after >= before/2 {
		t.Fatalf("file %d bytes before, %d after: nothing given back", before, after)
	}
	s2 := openTest(t, dir)
	if page, _ := s2.NewestPage("kept", 100); len(page) != 10 {
		t.Fatalf("%d messages kept after compacting", len(page))
	}
	appendN(t, s2, "kept", 10, 11, sensorTopic)
	if page, _ := s2.NewestPage("kept", 1); page[0].Seq != 11 {
		t.Fatalf("append after compacting: seq %d", page[0].Seq)
	}
}
