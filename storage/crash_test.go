package storage

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// crashChildEnv makes the test binary append messages until it is killed.
const crashChildEnv = "MQTTDESK_CRASH_CHILD"

// TestMain lets a test run this binary as a process that appends at full
// speed, so it can be killed mid-write.
func TestMain(m *testing.M) {
	keyring.MockInit() // tests never touch the user's real keyring
	if dir := os.Getenv(diskFullChildEnv); dir != "" {
		runDiskFullChild(dir)
	}
	if mode := os.Getenv(damageChildEnv); mode != "" {
		os.Exit(runDamageChild(mode, os.Getenv("MQTTDESK_DAMAGE_DIR"), os.Getenv("MQTTDESK_DAMAGE_PROFILE")))
	}
	if dir := os.Getenv(crashChildEnv); dir != "" {
		appendUntilKilled(dir)
		return
	}
	os.Exit(m.Run())
}

// appendUntilKilled appends numbered messages, and after every flush prints
// how many are committed, until the process dies.
func appendUntilKilled(dir string) {
	s, err := Open(dir)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	ctx := context.Background()
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		_, _ = s.Append(ctx, "crash", Message{Time: time.Now(), Topic: "crash/" + strconv.Itoa(i%7), Payload: []byte(strconv.Itoa(i))})
		if i%5000 == 4999 {
			if err := s.Flush(ctx); err == nil {
				fmt.Fprintln(out, i+1)
				_ = out.Flush()
			}
		}
	}
}

// TestSurvivesSIGKILL kills a process 20 times at random moments while it
// appends; each time the file must open and hold every message it had
// reported committed, in order, with no gaps.
func TestSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 20 processes")
	}
	dir := t.TempDir()
	committed := 0
	for round := range 20 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		reported := make(chan int, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if n, err := strconv.Atoi(sc.Text()); err == nil {
					reported <- n
				}
			}
			close(reported)
		}()
		time.Sleep(time.Duration(50+rand.IntN(400)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		last := 0
		for n := range reported {
			last = n
		}
		committed = checkAfterCrash(t, dir, round, committed, last)
	}
}

// checkAfterCrash opens the file the killed process left and checks it;
// it returns how many messages it holds.
func checkAfterCrash(t *testing.T, dir string, round, before, reported int) int {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("round %d: the file does not open after SIGKILL: %v", round, err)
	}
	defer s.Close()
	st, err := s.HistoryStats("crash")
	if err != nil {
		t.Fatal(err)
	}
	total := int(st.Count)
	if total < before+reported {
		t.Fatalf("round %d: %d messages kept, but %d were committed before and %d reported this round", round, total, before, reported)
	}
	page, err := s.NewestPage("crash", 1)
	if err != nil || (total > 0 && page[0].Seq != uint64(total)) {
		t.Fatalf("round %d: newest seq %v after %d messages (%v)", round, page, total, err)
	}
	// Sequences run without gaps across every crash.
	first, _ := s.PageAfter("crash", 0, 3)
	if total > 0 && first[0].Seq != 1 {
		t.Fatalf("round %d: history starts at %d", round, first[0].Seq)
	}
	t.Logf("round %d: %d messages kept (%d reported committed before the kill)", round, total, before+reported)
	return total
}
