package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseResultLine(t *testing.T) {
	cases := []struct {
		line    string
		name    string
		metrics map[string]float64
	}{
		{
			"BenchmarkBrokerVsMosquitto/1to1_qos0-2  \t 1\t10373194077 ns/op\t 151962 mosquitto_msg/s\t 229396 mqttdesk_msg/s",
			"BrokerVsMosquitto/1to1_qos0",
			map[string]float64{"ns/op": 10373194077, "mosquitto_msg/s": 151962, "mqttdesk_msg/s": 229396},
		},
		{"BenchmarkLargeHistory \t 1\t 2 ns/op\t 1.231 file/raw", "LargeHistory", map[string]float64{"ns/op": 2, "file/raw": 1.231}},
		{"BenchmarkStartUp/1M_messages-16 1 3 ns/op 238.5 first-frame-ms", "StartUp/1M_messages", map[string]float64{"ns/op": 3, "first-frame-ms": 238.5}},
		{"BenchmarkEventLoopUnderLoad-2", "", nil}, // the name alone, before a chatty run's output
		{"--- BENCH: BenchmarkEventLoopUnderLoad-2", "", nil},
		{"BenchmarkX-2 1 abc ns/op", "", nil},
		{"ok  \tgithub.com/mqttdesk/mqttdesk/ui\t20.722s", "", nil},
	}
	for _, c := range cases {
		name, metrics, ok := parseResultLine(c.line)
		if ok != (c.metrics != nil) || name != c.name || len(metrics) != len(c.metrics) {
			t.Errorf("parseResultLine(%q) = %q, %v, %v", c.line, name, metrics, ok)
			continue
		}
		for unit, v := range c.metrics {
			if metrics[unit] != v {
				t.Errorf("parseResultLine(%q)[%s] = %v, want %v", c.line, unit, metrics[unit], v)
			}
		}
	}
}

func TestScoreRow(t *testing.T) {
	res := results{
		"Rate":  {"ours": 150, "theirs": 100},
		"Time":  {"ours": 50, "theirs": 100},
		"Slow":  {"ours": 80, "theirs": 100},
		"Alone": {"ours": 40},
	}
	cases := []struct {
		r      row
		ratio  float64 // 0: none
		status string
	}{
		{row{Bench: "Rate", Ours: "ours", Peer: "theirs", Aim: ratioAtLeast(1)}, 1.5, "met"},
		{row{Bench: "Slow", Ours: "ours", Peer: "theirs", Aim: ratioAtLeast(1)}, 0.8, "behind"},
		{row{Bench: "Time", Ours: "ours", Peer: "theirs", Lower: true}, 2, "measured"},
		{row{Bench: "Time", Ours: "ours", Peer: "theirs", Lower: true, Aim: atMost(40)}, 2, "behind"},
		{row{Bench: "Alone", Ours: "ours", Lower: true, Aim: atMost(50)}, 0, "met"},
		{row{Bench: "Alone", Ours: "ours", Aim: atLeast(50)}, 0, "behind"},
		{row{Bench: "Alone", Ours: "ours", Peer: "theirs", Aim: ratioAtLeast(1)}, 0, "behind"}, // the peer reported nothing
		{row{Bench: "Gone", Ours: "ours"}, 0, "missing"},
	}
	for i, c := range cases {
		s := scoreRow(c.r, res)
		got := 0.0
		if s.Ratio != nil {
			got = *s.Ratio
		}
		if got != c.ratio || s.Status != c.status {
			t.Errorf("case %d: ratio %v, status %q; want %v, %q", i, got, s.Status, c.ratio, c.status)
		}
	}
}

func TestFormatFigure(t *testing.T) {
	cases := map[float64]string{0.7083: "0.708", 28.54: "28.5", 999.6: "1000", 1000: "1,000", 258249.4: "258,249", 12345678: "12,345,678", -1500: "-1,500"}
	for v, want := range cases {
		if got := formatFigure(v); got != want {
			t.Errorf("formatFigure(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestPrintShowsEveryRow(t *testing.T) {
	b := newBoard(allRows(), results{"Append/64B": {"msg/s": 640531}}, machine{CPU: "test CPU", Cores: 2}, true)
	var out bytes.Buffer
	b.print(&out)
	text := out.String()
	for _, want := range []string{"BENCH_QUICK", "test CPU", "640,531", "≥ 300,000", "met", "missing"} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks %q:\n%s", want, text)
		}
	}
	if got, want := strings.Count(text, "\n"), len(allRows())+4; got != want {
		t.Errorf("the table has %d lines, want %d:\n%s", got, want, text)
	}
	if len(b.missing()) != len(allRows())-1 {
		t.Errorf("missing() = %v", b.missing())
	}
}
