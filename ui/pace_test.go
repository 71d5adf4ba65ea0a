package ui

import (
	"testing"
	"time"
)

// TestPaceDrawsALoneChangeAtOnceAndAStreamApart: after a quiet tick a
// change is drawn at once; changes on every tick are drawn busyEvery
// apart, and the one left over is drawn once busyEvery has passed.
func TestPaceDrawsALoneChangeAtOnceAndAStreamApart(t *testing.T) {
	var p pace
	start := time.Unix(1000, 0)
	tick := func(i int) time.Time { return start.Add(time.Duration(i) * refreshEvery) }
	var drawn []int
	for i := range 20 {
		if p.due(tick(i)) {
			drawn = append(drawn, i)
		}
	}
	want := []int{0, 1, 5, 9, 13, 17} // 50 ms ticks, 200 ms apart after the first two
	if len(drawn) != len(want) {
		t.Fatalf("drawn at ticks %v, want %v", drawn, want)
	}
	for i := range want {
		if drawn[i] != want[i] {
			t.Fatalf("drawn at ticks %v, want %v", drawn, want)
		}
	}
	p.quiet()
	if !p.due(tick(18)) {
		t.Fatal("a change after a quiet tick waits")
	}
}
