package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// board is the scoreboard of one run, as printed and as written to JSON.
type board struct {
	Date    time.Time `json:"date"`
	Quick   bool      `json:"quick"` // BENCH_QUICK: a smoke check, not a measurement
	Machine machine   `json:"machine"`
	Rows    []score   `json:"rows"`
}

// score is one row's outcome.
type score struct {
	ID       string   `json:"id"`
	What     string   `json:"what"`
	Mqttdesk *float64 `json:"mqttdesk"`
	PeerName string   `json:"peer,omitempty"`
	Peer     *float64 `json:"peerFigure,omitempty"`
	// Ratio is how many times better mqttdesk's figure is than the peer's:
	// ours/peer for rates, peer/ours where lower is better.
	Ratio  *float64 `json:"ratio,omitempty"`
	Aim    string   `json:"aim,omitempty"`
	Status string   `json:"status"` // "met", "behind", "measured" (no aim) or "missing"
}

func newBoard(rows []row, res results, m machine, quick bool) board {
	b := board{Date: time.Now().UTC().Round(time.Second), Quick: quick, Machine: m}
	for _, r := range rows {
		b.Rows = append(b.Rows, scoreRow(r, res))
	}
	return b
}

func scoreRow(r row, res results) score {
	s := score{ID: r.ID, What: r.What, PeerName: r.PeerName, Aim: r.Aim.String(), Status: "missing"}
	ours, ok := res[r.Bench][r.Ours]
	if !ok {
		return s
	}
	s.Mqttdesk = &ours
	if peer, ok := res[r.Bench][r.Peer]; ok && r.Peer != "" {
		s.Peer = &peer
		ratio := ours / peer
		if r.Lower {
			ratio = peer / ours
		}
		if !math.IsInf(ratio, 0) && !math.IsNaN(ratio) {
			s.Ratio = &ratio
		}
	}
	switch {
	case r.Aim.kind == noAim:
		s.Status = "measured"
	case r.Aim.met(ours, s.Ratio):
		s.Status = "met"
	default:
		s.Status = "behind"
	}
	return s
}

// missing returns the IDs of the rows no benchmark reported.
func (b board) missing() []string {
	var ids []string
	for _, s := range b.Rows {
		if s.Status == "missing" {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

func (b board) print(w io.Writer) {
	if b.Quick {
		fmt.Fprintln(w, "BENCH_QUICK: every benchmark ran briefly to check the harness; these figures are not measurements.")
	}
	fmt.Fprintln(w, b.Machine)
	t := table{header: []string{"row", "measured", "mqttdesk", "peer", "peer's", "ratio", "aim", ""}, right: []bool{false, false, true, false, true, true, true, false}}
	for _, s := range b.Rows {
		t.add(s.ID, s.What, figure(s.Mqttdesk), s.PeerName, figure(s.Peer), ratio(s.Ratio), s.Aim, s.Status)
	}
	t.write(w)
	fmt.Fprintln(w, "ratio: how many times better mqttdesk's figure is than the peer's in the same run (a higher rate, or less time or memory).")
}

func (b board) writeJSON(path string) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func figure(v *float64) string {
	if v == nil {
		return "—"
	}
	return formatFigure(*v)
}

func ratio(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64) + "x"
}

// formatFigure writes v with thousands separated by commas from 1,000 up,
// and with up to three significant digits below.
func formatFigure(v float64) string {
	switch a := math.Abs(v); {
	case a < 100:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case a < 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	digits := strconv.FormatInt(int64(math.Round(v)), 10)
	var sb strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 && digits[i-1] != '-' {
			sb.WriteByte(',')
		}
		sb.WriteRune(d)
	}
	return sb.String()
}
