package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
)

// damageChildEnv makes the test binary open a damaged store and use it,
// so that a crash, a hang or a memory blow-up shows as the child's exit
// rather than killing the test binary. Its value is the mode: "read",
// "write" or "recover".
const damageChildEnv = "MQTTDESK_DAMAGE_CHILD"

// Limits a child must stay within.
const (
	childHeapLimit = 512 << 20
	childTimeLimit = 30 * time.Second
	childExitBlown = 3 // the child went past a limit
)

// childOps are what a damage child does with the store; each reports its
// outcome on a line "op: ok", "op: corrupt …" or "op: error …".
var childOps = map[string][]struct {
	name string
	run  func(s *Store, id string) error
}{
	"read": {
		{"profiles", func(s *Store, _ string) error { _, err := s.Profiles(); return err }},
		{"profile", func(s *Store, id string) error { _, err := s.Profile(id); return err }},
		{"subscriptions", func(s *Store, id string) error { _, err := s.Subscriptions(id); return err }},
		{"published", func(s *Store, id string) error { _, err := s.PublishHistory(id); return err }},
		{"folders", func(s *Store, _ string) error { _, err := s.Folders(); return err }},
		{"setting", func(s *Store, _ string) error { var a model.AppSettings; return s.GetSetting(appSettingsKey, &a) }},
		{"stats", func(s *Store, id string) error { _, err := s.HistoryStats(id); return err }},
		{"newest", func(s *Store, id string) error { _, err := s.NewestPage(id, 100); return err }},
		{"before", func(s *Store, id string) error { _, err := s.PageBefore(id, fixtureMessages/2, 100); return err }},
		{"after", func(s *Store, id string) error { _, err := s.PageAfter(id, 0, 100); return err }},
		{"latest", func(s *Store, id string) error { _, err := s.LatestPerTopic(id); return err }},
		{"search", func(s *Store, id string) error { return searchAll(s, id, model.Query{Text: "no such text"}) }},
		{"filter", func(s *Store, id string) error { return searchAll(s, id, model.Query{TopicFilter: "plant/+/temp"}) }},
		{"fuzzy", func(s *Store, id string) error { _, err := s.FuzzyTopics(id, "plnt"); return err }},
		{"export", func(s *Store, _ string) error {
			return s.Export(context.Background(), io.Discard, model.ExportOptions{Messages: true})
		}},
	},
	"write": {
		{"append", func(s *Store, id string) error {
			for i := range 3000 {
				if _, err := s.Append(context.Background(), id, Message{Time: time.Now(), Topic: fmt.Sprintf("new/%d", i%5), Payload: []byte("x")}); err != nil {
					return err
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.Flush(ctx); err != nil {
				return err
			}
			return s.WriterStats().LastError
		}},
		{"saveProfile", func(s *Store, _ string) error {
			_, err := s.SaveProfile(model.Profile{Options: fixtureOptions("new")})
			return err
		}},
		{"addPublished", func(s *Store, id string) error {
			return s.AddPublished(id, model.PublishEntry{Topic: "t", Payload: []byte("p")})
		}},
		{"prune", func(s *Store, id string) error {
			if err := s.SetRetention(id, &model.Retention{MaxMessages: 10}); err != nil {
				return err
			}
			_, err := s.Prune(context.Background())
			return err
		}},
		{"clear", func(s *Store, id string) error { return s.ClearHistory(context.Background(), id) }},
	},
}

// searchAll searches the whole history, continuing until it is exhausted.
func searchAll(s *Store, id string, q model.Query) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for before, n := uint64(0), 0; ; n++ {
		_, next, err := s.Search(ctx, id, q, before, 50)
		if err != nil || next == 0 {
			return err
		}
		if before != 0 && next >= before {
			return fmt.Errorf("search went from %d to %d", before, next)
		}
		before = next
	}
}

// runDamageChild opens the store in dir as mode says and reports what
// every operation did. It exits with childExitBlown past a limit.
func runDamageChild(mode, dir, profileID string) int {
	watchLimits()
	opts := OpenOptions{MoveAsideCorrupt: mode == "recover"}
	s, err := OpenWith(dir, opts)
	report("open", err)
	if err != nil {
		return 0
	}
	if mode == "recover" {
		fmt.Printf("moved: %s\n", s.MovedAside())
		list, err := s.Profiles()
		fmt.Printf("fresh: %d profiles (%v)\n", len(list), err)
	}
	for _, op := range childOps[mode] {
		report(op.name, op.run(s, profileID))
	}
	report("close", s.Close())
	if mode == "write" {
		_, _, err := Compact(dir)
		report("compact", err)
	}
	return 0
}

func report(op string, err error) {
	switch {
	case err == nil:
		fmt.Printf("%s: ok\n", op)
	case errors.Is(err, ErrCorrupt):
		fmt.Printf("%s: corrupt %v\n", op, err)
	default:
		fmt.Printf("%s: error %v\n", op, err)
	}
}

// watchLimits ends the process when it takes too much memory or time.
func watchLimits() {
	start := time.Now()
	go func() {
		var ms runtime.MemStats
		for {
			time.Sleep(20 * time.Millisecond)
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > childHeapLimit {
				fmt.Fprintf(os.Stderr, "heap at %d MB\n", ms.HeapAlloc>>20)
				os.Exit(childExitBlown)
			}
			if time.Since(start) > childTimeLimit {
				fmt.Fprintln(os.Stderr, "still running after", childTimeLimit)
				buf := make([]byte, 1<<16)
				os.Stderr.Write(buf[:runtime.Stack(buf, true)])
				os.Exit(childExitBlown)
			}
		}
	}()
}

// childResult is what one damage child did.
type childResult struct {
	ops    map[string]string // op → "ok", "corrupt …" or "error …"
	stdout string
	stderr string
	failed string // how the child itself failed, "" when it exited 0
}

func (r childResult) corrupt() bool {
	for _, v := range r.ops {
		if strings.HasPrefix(v, "corrupt") {
			return true
		}
	}
	return false
}

// runChild runs the test binary as a damage child on dir.
func runChild(t *testing.T, mode, dir, profileID string) childResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), damageChildEnv+"="+mode, "MQTTDESK_DAMAGE_DIR="+dir,
		"MQTTDESK_DAMAGE_PROFILE="+profileID, noKeyringEnv+"=off",
		"GORACE=atexit_sleep_ms=0") // the race detector otherwise waits a second at exit
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := childResult{ops: map[string]string{}, stdout: out.String(), stderr: errOut.String()}
	if err != nil {
		r.failed = err.Error()
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if op, v, ok := strings.Cut(line, ": "); ok {
			r.ops[op] = v
		}
	}
	return r
}

// firstLines returns the first n lines of s, for failure messages.
func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
