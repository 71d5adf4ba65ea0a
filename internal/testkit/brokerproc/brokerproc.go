// Package brokerproc runs the local broker in a process of its own, for
// benchmarks that measure it as users run it (`mqttdesk broker`): the test
// binary runs itself again, and its TestMain serves the broker.
//
// Only tests import brokerproc.
package brokerproc

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/mqttdesk/mqttdesk/localbroker"
)

const childEnv = "MQTTDESK_TEST_BROKER"

// ServeIfChild serves a broker, with the defaults of `mqttdesk broker
// --tcp 127.0.0.1:0 --ws off`, and exits once interrupted, when this
// process was started by Start. Call it first thing in TestMain.
func ServeIfChild() {
	if os.Getenv(childEnv) == "" {
		return
	}
	os.Exit(serve())
}

func serve() int {
	b, err := localbroker.New(localbroker.Config{TCPAddr: "127.0.0.1:0"})
	if err == nil {
		err = b.Start(context.Background())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	e, _ := b.Endpoint("mqtt")
	fmt.Println(e.URL)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	_ = b.Stop(context.Background())
	return 0
}

// Broker is a broker running in its own process.
type Broker struct {
	Addr string // host:port of its TCP listener
	PID  int
	cmd  *exec.Cmd
}

// Start runs the broker in a child process of the test binary and waits
// for it to listen. Stop ends it; so does the cleanup of tb.
func Start(tb testing.TB) *Broker {
	tb.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"=1")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	b := &Broker{PID: cmd.Process.Pid, cmd: cmd}
	tb.Cleanup(b.Stop)
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "mqtt://")
	if err != nil || !ok {
		tb.Fatalf("the broker process said %q: %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	b.Addr = addr
	return b
}

// Stop interrupts the broker and waits for its process to end; it may be
// called more than once.
func (b *Broker) Stop() {
	if b.cmd.ProcessState == nil {
		_ = b.cmd.Process.Signal(os.Interrupt)
		_ = b.cmd.Wait()
	}
}
