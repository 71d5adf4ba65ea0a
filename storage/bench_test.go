package storage

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/bench/procstat"
	"github.com/mqttdesk/mqttdesk/model"
)

func benchScale(full int) int {
	if os.Getenv("BENCH_QUICK") != "" {
		return full / 50
	}
	return full
}

// fill appends n messages of payload size to profile and flushes; it
// returns the raw topic+payload bytes and the time it took.
func fill(b *testing.B, s *Store, profile string, n, size int) (int64, time.Duration) {
	ctx := context.Background()
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	var raw int64
	start := time.Now()
	for i := range n {
		topic := "site/" + strconv.Itoa(i%50) + "/sensor/" + strconv.Itoa(i%7)
		raw += int64(len(topic) + size)
		if _, err := s.Append(ctx, profile, Message{Time: start, Topic: topic, Payload: payload}); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	return raw, time.Since(start)
}

// BenchmarkAppend measures appends per second through the writer, for
// 64-byte and 1 KiB payloads (from Append to committed).
func BenchmarkAppend(b *testing.B) {
	for _, size := range []int{64, 1024} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			n := benchScale(1_000_000)
			if size > 64 {
				n /= 4
			}
			s, err := Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var took time.Duration
			for range b.N {
				_, took = fill(b, s, "bench", n, size)
			}
			rate := float64(n) / took.Seconds()
			b.ReportMetric(rate, "msg/s")
			fmt.Printf("append %4d B payloads: %.0f messages/s\n", size, rate)
		})
	}
}

// BenchmarkLargeHistory builds a history of 10 million 64-byte messages
// and reports the file size against the raw bytes, the newest page right
// after opening the file, a substring search over 1 million messages, and
// memory after paging through every message.
func BenchmarkLargeHistory(b *testing.B) {
	n := benchScale(10_000_000)
	dir := b.TempDir()
	s, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	raw, took := fill(b, s, "big", n, 64)
	raw2, _ := fill(b, s, "search", n/10, 64)
	used, file, err := s.DiskUsage()
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	raw += raw2
	fmt.Printf("%d messages appended at %.0f/s; %d MB of topic+payload take %d MB in the database (%.2fx), the file is %d MB (%.2fx)\n",
		n, float64(n)/took.Seconds(), raw>>20, used>>20, float64(used)/float64(raw), file>>20, float64(file)/float64(raw))
	b.ReportMetric(float64(file)/float64(raw), "file/raw")

	start := time.Now()
	s, err = Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	page, err := s.NewestPage("big", 50)
	cold := time.Since(start)
	if err != nil || len(page) != 50 {
		b.Fatalf("newest page: %v", err)
	}
	start = time.Now()
	_, _ = s.NewestPage("big", 50)
	warm := time.Since(start)
	fmt.Printf("newest page of 50 at %d messages: %v including opening the file, %v warm\n", n, cold.Round(time.Microsecond), warm.Round(time.Microsecond))
	b.ReportMetric(float64(cold.Microseconds())/1000, "newest-page-ms")

	start = time.Now()
	found, _, err := s.Search(context.Background(), "search", model.Query{Text: "no such text"}, 0, 100)
	searchTook := time.Since(start)
	if err != nil || len(found) != 0 {
		b.Fatalf("search: %v", err)
	}
	fmt.Printf("substring search over %d messages: %v\n", n/10, searchTook.Round(time.Millisecond))
	b.ReportMetric(float64(searchTook.Milliseconds()), "search-ms")

	before := rss()
	for seq := uint64(0); ; {
		var p []Message
		if seq == 0 {
			p, _ = s.NewestPage("big", 1000)
		} else {
			p, _ = s.PageBefore("big", seq, 1000)
		}
		if len(p) == 0 {
			break
		}
		seq = p[0].Seq
		if seq == 1 {
			break
		}
	}
	after := rss()
	fmt.Printf("memory after paging all %d messages: heap (RssAnon) %d -> %d MB; file pages mapped (RssFile) %d -> %d MB, page cache the kernel reclaims\n",
		n, before.anon>>20, after.anon>>20, before.file>>20, after.file>>20)
	b.ReportMetric(float64(after.anon>>20), "rss-anon-MB")
}

type rssKB struct{ anon, file int64 }

// rss reads the process's anonymous and file-backed resident memory, in
// bytes.
func rss() rssKB {
	anon, _ := procstat.Memory(procstat.Self, "RssAnon")
	file, _ := procstat.Memory(procstat.Self, "RssFile")
	return rssKB{anon, file}
}
