package storage

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// diskFullChildEnv makes the test binary fill a store under a file size
// limit, as a full disk would stop it, then lift the limit.
const diskFullChildEnv = "MQTTDESK_DISKFULL_CHILD"

func runDiskFullChild(dir string) {
	signal.Ignore(syscall.SIGXFSZ) // writes past the limit fail with EFBIG instead
	s, err := Open(dir)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	var lim syscall.Rlimit
	_ = syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim)
	full := lim
	full.Cur = 4 << 20 // the "disk" holds 4 MB
	_ = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &full)

	ctx := context.Background()
	const n = 200_000
	go func() {
		for i := range n {
			_, _ = s.Append(ctx, "p", Message{Time: time.Now(), Topic: "full/disk", Payload: []byte(fmt.Sprintf("%064d", i))})
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !s.WriterStats().Retrying {
		if time.Now().After(deadline) {
			fmt.Printf("the full disk was never reported: %+v\n", s.WriterStats())
			os.Exit(1)
		}
		time.Sleep(10 * time.Millisecond)
	}
	st := s.WriterStats()
	fmt.Printf("reported: %v; backpressure %v\n", st.LastError, st.Backpressure > 0 || st.Queued > 0)

	_ = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim) // space is freed
	for {
		hs, _ := s.HistoryStats("p")
		if hs.Count == n {
			break
		}
		if time.Now().After(deadline.Add(30 * time.Second)) {
			fmt.Printf("stored %d of %d after the disk recovered\n", hs.Count, n)
			os.Exit(1)
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Printf("stored %d of %d; rejected %d\n", n, n, s.WriterStats().Rejected)
	_ = s.Close()
	os.Exit(0)
}

// TestFullDiskLosesNothing fills the store past a 4 MB file size limit in
// a child process: the writer must report the disk error, hold every
// message (appends wait instead of dropping), and store them all once the
// limit is lifted.
func TestFullDiskLosesNothing(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), diskFullChildEnv+"="+t.TempDir())
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if !strings.Contains(string(out), "file too large") || !strings.Contains(string(out), "stored 200000 of 200000; rejected 0") {
		t.Fatal("the full disk was not reported, or messages were lost")
	}
}
