package app

import "testing"

func TestRingKeepsTheNewest(t *testing.T) {
	r := newRing(3)
	for i := range uint64(5) {
		r.push(ViewMessage{Seq: i + 1})
	}
	got := r.snapshot(nil)
	if len(got) != 3 || got[0].Seq != 3 || got[2].Seq != 5 {
		t.Fatalf("ring holds %+v", got)
	}
	r.update(4, func(m *ViewMessage) { m.Status = "sent" })
	r.update(1, func(m *ViewMessage) { m.Status = "gone" }) // no longer in the ring
	if got := r.snapshot(func(m *ViewMessage) bool { return m.Status != "" }); len(got) != 1 || got[0].Seq != 4 {
		t.Fatalf("filtered %+v", got)
	}
}
