package localbroker

import (
	"bufio"
	"bytes"
	"net"
	"sync"
	"testing"
	"time"
)

// noAnswer is login's code when no CONNACK came.
const noAnswer = 0xFF

// login connects to addr as name:pass (MQTT 5) and returns the CONNACK
// reason, noAnswer when none came within wait, and how long it took. Safe
// to call from any goroutine.
func login(addr, name, pass string, wait time.Duration) (byte, time.Duration) {
	start := time.Now()
	conn, err := net.DialTimeout("tcp", addr, wait)
	if err != nil {
		return noAnswer, time.Since(start)
	}
	defer conn.Close()
	pk := withUser(connectPacket("guess"), name, pass)
	pk.ProtocolVersion = 5
	var buf bytes.Buffer
	if err := encode(&pk, &buf); err != nil {
		return noAnswer, 0
	}
	_ = conn.SetDeadline(start.Add(wait))
	if _, err := conn.Write(buf.Bytes()); err != nil {
		return noAnswer, time.Since(start)
	}
	head := make([]byte, 4) // CONNACK: 0x20, length, flags, reason
	if _, err := bufio.NewReader(conn).Read(head); err != nil || head[0] != 0x20 {
		return noAnswer, time.Since(start)
	}
	return head[3], time.Since(start)
}

// hammer has workers try wrong passwords from addr until stop, and
// counts the answers by reason.
func hammer(addr string, workers int, stop <-chan struct{}) map[byte]int {
	var mu sync.Mutex
	codes := map[byte]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, _ := login(addr, "alice", "guess", 2*maxRefusalDelay)
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return codes
}

// TestLoginSlowDownLocksNoOneOut: an attacker guessing from the address
// of the legitimate clients (16 connections in parallel, each trying
// again as soon as it is answered) has at most maxWaiting guesses
// checked per maxRefusalDelay; the rest are answered busy (0x89) at once,
// a legitimate login among them too, and once the attack stops a good
// login is let in after one slow-down. Each slot used to be chained to the
// one before and stay reserved after its connection closed: 8 wrong
// logins then 12 parallel ones kept a good login waiting over 20 s.
func TestLoginSlowDownLocksNoOneOut(t *testing.T) {
	cfg := testConfig()
	cfg.Users = []User{{Name: "alice", Password: "s3cret"}}
	b := startBroker(t, cfg)
	addr := b.mustEndpoint(t, "mqtt").Addr
	for range 8 { // as after 8 wrong logins in a row: 5 s a guess
		b.auth.throttle.refused("127.0.0.1")
	}
	stop := make(chan struct{})
	got := make(chan map[byte]int)
	go func() { got <- hammer(addr, 16, stop) }()
	time.Sleep(500 * time.Millisecond)
	if code, took := login(addr, "alice", "s3cret", 2*time.Second); code != 0x89 {
		t.Errorf("a good login during the attack: CONNACK 0x%02x after %v; want 0x89 (server busy) at once", code, took)
	}
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	codes := <-got // the last attempts have waited out their slow-down
	t.Logf("answers to 2 s of guessing: %v", codes)
	if codes[0x86] > maxWaiting || codes[noAnswer] > 0 || codes[0x89] < 100 {
		t.Errorf("answers %v: want at most %d guesses checked (0x86), every other one busy (0x89)", codes, maxWaiting)
	}
	code, took := login(addr, "alice", "s3cret", 2*maxRefusalDelay)
	if code != 0 || took > maxRefusalDelay+time.Second {
		t.Errorf("a good login after the attack: CONNACK 0x%02x after %v; want 0x00 within %v", code, took, maxRefusalDelay)
	}
}
