package storage

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func appendN(t *testing.T, s *Store, profile string, from, to int, topic func(int) string) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < to; i++ {
		m := Message{Time: time.UnixMilli(int64(1_700_000_000_000 + i)), Topic: topic(i), QoS: byte(i % 3), Payload: []byte(fmt.Sprint(i))}
		if _, err := s.Append(ctx, profile, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func sensorTopic(i int) string { return fmt.Sprintf("sensors/%d/temp", i%5) }

func TestAppendAndPage(t *testing.T) {
	s := openTest(t, t.TempDir())
	appendN(t, s, "p1", 0, 1000, sensorTopic)
	appendN(t, s, "p2", 0, 3, func(int) string { return "other" })

	newest, err := s.NewestPage("p1", 10)
	if err != nil || len(newest) != 10 || newest[9].Seq != 1000 || string(newest[0].Payload) != "990" {
		t.Fatalf("newest page: %v, %d messages, first %+v", err, len(newest), newest[0])
	}
	if newest[9].Topic != "sensors/4/temp" || newest[9].QoS != 999%3 {
		t.Fatalf("newest message %+v", newest[9])
	}
	before, _ := s.PageBefore("p1", newest[0].Seq, 5)
	if len(before) != 5 || before[4].Seq != 990 || before[0].Seq != 986 {
		t.Fatalf("page before 991: seqs %d..%d", before[0].Seq, before[4].Seq)
	}
	after, _ := s.PageAfter("p1", 995, 100)
	if len(after) != 5 || after[0].Seq != 996 {
		t.Fatalf("page after 995: %d messages", len(after))
	}
	first, _ := s.PageBefore("p1", 3, 10)
	if len(first) != 2 || first[0].Seq != 1 {
		t.Fatalf("page before 3: %d messages", len(first))
	}
	st, _ := s.HistoryStats("p1")
	if st.Count != 1000 || st.Bytes == 0 {
		t.Fatalf("stats %+v", st)
	}
	latest, _ := s.LatestPerTopic("p1")
	if len(latest) != 5 || string(latest["sensors/4/temp"].Payload) != "999" {
		t.Fatalf("latest per topic: %d topics, %+v", len(latest), latest["sensors/4/temp"])
	}
	if other, _ := s.NewestPage("p2", 10); len(other) != 3 || other[0].Topic != "other" {
		t.Fatalf("second profile: %+v", other)
	}
	if none, err := s.NewestPage("nobody", 10); err != nil || len(none) != 0 {
		t.Fatalf("unknown profile: %v %v", none, err)
	}
}

func TestHistorySurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	appendN(t, s, "p", 0, 100, sensorTopic)
	ctx := context.Background()
	_, _ = s.Append(ctx, "p", Message{Topic: "last/one", Payload: []byte("unflushed")}) // Close commits it
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openTest(t, dir)
	page, err := s2.NewestPage("p", 2)
	if err != nil || len(page) != 2 || page[1].Topic != "last/one" || page[0].Topic != "sensors/4/temp" {
		t.Fatalf("after reopen: %v %+v", err, page)
	}
	appendN(t, s2, "p", 100, 101, func(int) string { return "sensors/0/temp" }) // a known topic keeps its ID
	page, _ = s2.NewestPage("p", 1)
	if page[0].Seq != 102 || page[0].Topic != "sensors/0/temp" {
		t.Fatalf("append after reopen: %+v", page[0])
	}
	if _, err := s2.Append(ctx, "p", Message{}); err != ErrEmptyTopic {
		t.Fatalf("append without a topic: %v", err)
	}
	_ = s2.Close()
	if _, err := s2.Append(ctx, "p", Message{}); err != ErrClosed {
		t.Fatalf("append after close: %v", err)
	}
}

func TestClearHistory(t *testing.T) {
	s := openTest(t, t.TempDir())
	appendN(t, s, "p", 0, 50, sensorTopic)
	ctx := context.Background()
	_, _ = s.Append(ctx, "p", Message{Topic: "queued", Payload: []byte("x")})
	if err := s.ClearHistory(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	if page, _ := s.NewestPage("p", 10); len(page) != 0 {
		t.Fatalf("%d messages after clearing", len(page))
	}
	appendN(t, s, "p", 0, 1, func(int) string { return "fresh" })
	page, _ := s.NewestPage("p", 10)
	if len(page) != 1 || page[0].Topic != "fresh" || page[0].Seq != 1 {
		t.Fatalf("after clearing: %+v", page)
	}
	if err := s.ClearHistory(ctx, "never-used"); err != nil {
		t.Fatal(err)
	}
}

func TestWriterStats(t *testing.T) {
	s := openTest(t, t.TempDir())
	appendN(t, s, "p", 0, 20_000, sensorTopic)
	st := s.WriterStats()
	if st.Committed != 20_000 || st.Groups < 3 || st.Queued != 0 || st.Retrying || st.Rejected != 0 || st.LastError != nil {
		t.Fatalf("writer stats %+v", st)
	}
}

// TestBackpressureIsExplicit stalls the writer, as a disk that cannot keep
// up would, and checks that appends wait once the queue is full, that the
// waiting is reported, and that nothing is lost once the disk catches up.
func TestBackpressureIsExplicit(t *testing.T) {
	s := openTest(t, t.TempDir())
	stall, stalled := make(chan struct{}), make(chan struct{})
	go func() {
		_ = s.db.Update(func(*bolt.Tx) error { // holds bbolt's only write lock
			close(stalled)
			<-stall
			return nil
		})
	}()
	<-stalled
	ctx := context.Background()
	queued := 0
	for ; ; queued++ {
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		_, err := s.Append(short, "p", Message{Topic: "t", Payload: []byte(fmt.Sprint(queued))})
		cancel()
		if err == context.DeadlineExceeded {
			break // the queue is full: Append waited, then gave up with its context
		}
		if err != nil {
			t.Fatal(err)
		}
		if queued > 2*queueSize {
			t.Fatal("Append never waited")
		}
	}
	if st := s.WriterStats(); st.Backpressure == 0 || st.Queued != queueSize {
		t.Fatalf("stats while stalled: %+v", st)
	}
	close(stall)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.HistoryStats("p"); st.Count != int64(queued) {
		t.Fatalf("%d of %d queued messages stored", st.Count, queued)
	}
}

// TestOverlongTopicIsRejectedAlone: MQTT allows topics of 65,535 bytes,
// bbolt keys of 32,768. Such a message is rejected and reported; the
// messages around it are stored.
func TestOverlongTopicIsRejectedAlone(t *testing.T) {
	s := openTest(t, t.TempDir())
	ctx := context.Background()
	long := strings.Repeat("x", 40_000)
	for _, topic := range []string{"before", long, "after"} {
		if _, err := s.Append(ctx, "p", Message{Topic: topic, Payload: []byte("p")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	page, _ := s.NewestPage("p", 10)
	st := s.WriterStats()
	if len(page) != 2 || page[0].Topic != "before" || page[1].Topic != "after" || st.Rejected != 1 || st.LastError == nil || st.Retrying {
		t.Fatalf("stored %d, stats %+v", len(page), st)
	}
}
