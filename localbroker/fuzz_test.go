package localbroker

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// connect5 and connect311 are CONNECT packets a fuzzed stream may start
// with, so that the fuzzer reaches what follows a connection.
var (
	connect5   = []byte{0x10, 0x10, 0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 60, 0, 0, 3, 'f', 'u', 'z'}
	connect311 = []byte{0x10, 0x0f, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 3, 'f', 'u', 'z'}
)

// FuzzClientBytes writes fuzzed bytes to the broker's TCP port as a
// hostile client would. The broker must not panic, and must still connect
// a well-behaved client afterwards.
func FuzzClientBytes(f *testing.F) {
	f.Add(append(append([]byte{}, connect5...), 0x82, 0x06, 0, 1, 0, 0, 1, '#'))
	f.Add(append(append([]byte{}, connect311...), 0x82, 0x06, 0, 1, 0, 1, '#', 0))
	f.Add(append(append([]byte{}, connect5...), 0x32, 0x07, 0, 1, 't', 0, 1, 0, 'x'))
	f.Add(append(append([]byte{}, connect5...), 0x30, 0xff, 0xff, 0xff, 0x7f))
	f.Add([]byte{0x10, 0xff, 0xff, 0xff, 0xff, 0x01})
	b, err := New(Config{TCPAddr: "127.0.0.1:0"})
	if err != nil {
		f.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		if err := b.Stop(context.Background()); err != nil && !errors.Is(err, ErrStopTimeout) {
			f.Errorf("Stop: %v", err)
		}
	})
	e, ok := b.Endpoint("mqtt")
	if !ok {
		f.Fatal("no TCP endpoint")
	}
	addr := e.Addr
	runs := 0
	f.Fuzz(func(t *testing.T, stream []byte) {
		writeAndHangUp(t, addr, stream)
		if runs++; runs%50 == 0 {
			checkStillServes(t, addr)
		}
	})
}

// writeAndHangUp writes stream, ends its side of the connection and reads
// what the broker answers until it closes (at most a moment).
func writeAndHangUp(t *testing.T, addr string, stream []byte) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("the broker stopped accepting connections: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(200 * time.Millisecond))
	_, _ = c.Write(stream)
	_ = c.(*net.TCPConn).CloseWrite()
	_, _ = io.Copy(io.Discard, c)
}

// checkStillServes connects a good client and waits for its CONNACK.
func checkStillServes(t *testing.T, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("the broker stopped accepting connections: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(connect311); err != nil {
		t.Fatal(err)
	}
	ack := make([]byte, 4)
	if _, err := io.ReadFull(c, ack); err != nil || ack[0] != 0x20 {
		t.Fatalf("no CONNACK after fuzzed clients: % x, %v", ack, err)
	}
}
