package storage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
)

func TestRetentionByCountBytesAndAge(t *testing.T) {
	s := openTest(t, t.TempDir())
	ctx := context.Background()
	appendN(t, s, "count", 0, 12_000, sensorTopic)
	if err := s.SetRetention("count", &model.Retention{MaxMessages: 1000}); err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "bytes", 0, 3000, sensorTopic)
	if err := s.SetRetention("bytes", &model.Retention{MaxBytes: 10_000}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, age := range []time.Duration{3 * time.Hour, 2 * time.Hour, time.Minute, 0} {
		_, _ = s.Append(ctx, "age", Message{Time: now.Add(-age), Topic: "t", Payload: []byte(fmt.Sprint(i))})
	}
	_ = s.Flush(ctx)
	if err := s.SetRetention("age", &model.Retention{MaxAge: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(ctx); err != nil {
		t.Fatal(err)
	}

	if st, _ := s.HistoryStats("count"); st.Count != 1000 {
		t.Fatalf("count retention kept %d", st.Count)
	}
	if page, _ := s.PageAfter("count", 0, 1); page[0].Seq != 11_001 {
		t.Fatalf("oldest kept is %d, want 11001: the newest stay", page[0].Seq)
	}
	if st, _ := s.HistoryStats("bytes"); st.Bytes > 10_000 || st.Bytes < 9_000 {
		t.Fatalf("bytes retention kept %d bytes", st.Bytes)
	}
	if page, _ := s.NewestPage("age", 10); len(page) != 2 || string(page[0].Payload) != "2" {
		t.Fatalf("age retention kept %d messages", len(page))
	}
	if r := s.RetentionOf("other"); r != model.DefaultRetention {
		t.Fatalf("default retention %+v", r)
	}
	_ = s.SetRetention("count", nil)
	if r := s.RetentionOf("count"); r != model.DefaultRetention {
		t.Fatalf("retention after reset %+v", r)
	}
}
