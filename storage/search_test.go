package storage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

func searchFixture(t *testing.T) *Store {
	t.Helper()
	s := openTest(t, t.TempDir())
	ctx := context.Background()
	base := time.UnixMilli(1_700_000_000_000)
	for i := range 100_000 {
		m := Message{Time: base.Add(time.Duration(i) * time.Second), Topic: fmt.Sprintf("home/room%d/temp", i%10), Payload: []byte(fmt.Sprintf(`{"t": %d}`, i))}
		switch {
		case i%1000 == 7:
			m.Payload = []byte("ALARM: smoke in the kitchen")
		case i%1000 == 8:
			m.Payload = []byte{0xff, 0xfe, 'a', 'l', 'a', 'r', 'm'} // binary: not text
		case i%5000 == 9:
			m.Topic, m.Direction = "alerts/alarm", model.Published
		}
		if _, err := s.Append(ctx, "p", m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSearch(t *testing.T) {
	s := searchFixture(t)
	ctx := context.Background()
	published := model.Published
	base := time.UnixMilli(1_700_000_000_000)
	for _, tc := range []struct {
		name string
		q    model.Query
		want int
	}{
		{"everything", model.Query{}, 100_000},
		{"topic filter +", model.Query{TopicFilter: "home/+/temp"}, 100_000 - 20},
		{"topic filter exact", model.Query{TopicFilter: "home/room3/temp"}, 10_000},
		{"text in payload, case-sensitive", model.Query{Text: "ALARM"}, 100},
		{"text ignoring case, topic or text payload", model.Query{Text: "alarm", IgnoreCase: true}, 100 + 20},
		{"regexp", model.Query{Regexp: `"t": 4242\d$`}, 0},
		{"regexp with a match", model.Query{Regexp: `^\{"t": 4242\d\}$`}, 10},
		{"direction", model.Query{Direction: &published}, 20},
		{"time range", model.Query{From: base.Add(10 * time.Second), To: base.Add(19 * time.Second)}, 10},
		{"filter and text", model.Query{TopicFilter: "home/room7/#", Text: "smoke"}, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, before := 0, uint64(0)
			for {
				page, next, err := s.Search(ctx, "p", tc.q, before, 3000)
				if err != nil {
					t.Fatal(err)
				}
				for i := 1; i < len(page); i++ {
					if page[i].Seq <= page[i-1].Seq {
						t.Fatal("page not in time order")
					}
				}
				got += len(page)
				if next == 0 {
					break
				}
				before = next
			}
			if got != tc.want {
				t.Fatalf("%d matches, want %d", got, tc.want)
			}
		})
	}
}

func TestSearchCancelAndBadPattern(t *testing.T) {
	s := searchFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.Search(ctx, "p", model.Query{Text: "x"}, 0, 10); err != context.Canceled {
		t.Fatalf("cancelled search: %v", err)
	}
	if _, _, err := s.Search(context.Background(), "p", model.Query{Regexp: "(["}, 0, 10); err == nil {
		t.Fatal("bad pattern accepted")
	}
	if _, _, err := s.Search(context.Background(), "p", model.Query{TopicFilter: "a/#/b"}, 0, 10); err == nil {
		t.Fatal("bad filter accepted")
	}
}

func TestFuzzy(t *testing.T) {
	s := openTest(t, t.TempDir())
	for _, name := range []string{"Production broker", "Local broker", "Test rig"} {
		if _, err := s.SaveProfile(model.Profile{Options: mqtt.NewOptions(name, mqtt.SchemeMQTT, "h")}); err != nil {
			t.Fatal(err)
		}
	}
	profiles, matches, err := s.FuzzyProfiles("lcbrk")
	if err != nil || len(profiles) != 1 || profiles[0].Options.Name != "Local broker" || len(matches[0].Matched) != 5 {
		t.Fatalf("fuzzy profiles: %v %+v", err, matches)
	}
	appendN(t, s, "p", 0, 10, sensorTopic)
	topics, _ := s.FuzzyTopics("p", "s3tmp")
	if len(topics) != 1 || topics[0].Text != "sensors/3/temp" {
		t.Fatalf("fuzzy topics %+v", topics)
	}
}
